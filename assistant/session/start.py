"""Putting a session together: the journal, the devices (see devices.py), then the dialog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant import config
from assistant.config import Settings
from assistant.content.model import Content
from assistant.dialog.messages import Begin
from assistant.journal.look_back import history
from assistant.journal.markdown import Labels
from assistant.journal.store import Journal
from assistant.preferences import load_preferences, save_preferences
from assistant.report import warn
from assistant.session import devices
from assistant.session.runtime import Session


def run_practice(
    content: Content,
    settings: Settings,
    practice_id: str | None,
    text_only: bool,
    timeline: Path | None = None,
) -> bool:
    """One session from the welcome (or the chosen practice) to the goodbye; True when every
    chosen practice was finished."""
    journal = Journal(settings.journal, Labels(**content.journal), keep_audio=settings.keep_audio)
    resume = journal.resume_point(content)
    if text_only:
        output, (input_, fell_back) = devices.text_output(settings), (devices.typed_input(), False)
    else:
        output = devices.spoken_output(content, settings, timeline)
        input_, fell_back = devices.voice_or_typed_input(content, settings)
    input_ = devices.with_button(input_, settings)
    state = config.config_home()
    session = Session(
        content,
        output,
        input_,
        journal,
        settings.patience,
        warn,
        remember=lambda preferences: save_preferences(state, preferences),
    )
    begin = Begin(
        practice_id,
        resume,
        text_input=fell_back,
        preferences=load_preferences(state),
        history=history(journal, date.today(), settings.look_back),
    )
    return session.run(begin)
