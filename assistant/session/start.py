"""Putting a session together: choose the devices, open the journal, run the dialog."""

from __future__ import annotations

import sys

from assistant.config import Settings
from assistant.content.model import Content
from assistant.dialog.messages import Begin
from assistant.journal.markdown import Labels
from assistant.journal.store import Journal
from assistant.session.runtime import Session
from assistant.session.text_io import TextInput, TextOutput


def warn(message: str) -> None:
    print(f"hartsverbinding: {message}", file=sys.stderr, flush=True)


def run_practice(
    content: Content, settings: Settings, practice_id: str | None, text_only: bool
) -> bool:
    journal = Journal(settings.journal, Labels(**content.journal), keep_audio=settings.keep_audio)
    resume = journal.resume_point(content)
    output = TextOutput(sys.stdout, settings.pace)
    input_ = TextInput(sys.stdin)
    session = Session(content, output, input_, journal, settings.patience, warn)
    return session.run(Begin(practice_id, resume))
