"""Putting a session together: the journal, the devices (see devices.py), then the dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from assistant import places
from assistant.config import JournalSettings, Settings
from assistant.content.model import Content
from assistant.dialog.messages import Begin
from assistant.durable import is_private
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.improve.improver import Improver, open_improver, stop_phrases, wait_until_done
from assistant.improve.quick import quick_server
from assistant.journal.look_back import history
from assistant.journal.markdown import Labels, PackSource
from assistant.journal.store import Journal
from assistant.preferences import load_preferences, save_preferences
from assistant.report import warn
from assistant.session import devices
from assistant.session.ports import Input, Output
from assistant.session.runtime import Session


def run_practice(
    content: Content,
    settings: Settings,
    practice_id: str | None,
    text_only: bool,
    timeline: Path | None = None,
    switch: Callable[[str], Content] | None = None,
) -> bool:
    """One session from the welcome (or the chosen practice) to the goodbye; True when every
    chosen practice was finished. Where the person chose another pack in the menu, `switch`
    gives its content, and a new session begins with it."""
    while True:
        finished, chosen = _session(content, settings, practice_id, text_only, timeline)
        if chosen is None or switch is None:
            return finished
        content, practice_id = switch(chosen), None


def _session(
    content: Content,
    settings: Settings,
    practice_id: str | None,
    text_only: bool,
    timeline: Path | None,
) -> tuple[bool, str | None]:
    journal = open_journal(content, settings.journal)  # an unusable folder stops before the devices
    if text_only:
        output, (input_, fell_back) = devices.text_output(settings), (devices.typed_input(), False)
    else:
        output = devices.spoken_output(content, settings, timeline)
        input_, fell_back = devices.voice_or_typed_input(content, settings)
    input_ = devices.with_button(input_, settings.devices)
    # Typed answers have no audio to improve, but earlier spoken ones left on the list do.
    improver = open_improver(content, settings, journal)
    session, begin = prepare_session(
        content,
        settings,
        journal,
        output,
        input_,
        practice_id=practice_id,
        text_input=fell_back,
        improver=improver,
    )
    try:
        finished = session.run(begin)
        if improver is not None:  # what earlier runs left, right after the session
            wait_until_done(improver)
    finally:
        if improver is not None:
            improver.close()
    if journal.pending:
        raise NotKept(journal)
    return finished, session.switch_to


class NotKept(UserError):
    """The session ended with something the journal could not write: said, with status 1."""

    exit_status = 1

    def __init__(self, journal: Journal) -> None:
        count, folder = journal.unwritten_answers, journal.folder
        super().__init__(
            ngettext(
                "{count} confirmed answer could not be written to {folder} ({error}); it is "
                "not kept.",
                "{count} confirmed answers could not be written to {folder} ({error}); they "
                "are not kept.",
                count,
            ).format(count=count, folder=folder, error=journal.last_error)
            if count
            else _("The end of the session could not be written to {folder} ({error}).").format(
                folder=folder, error=journal.last_error
            )
        )


def open_journal(content: Content, settings: JournalSettings) -> Journal:
    """The journal a session writes; a folder others can read is said, not changed (its mode
    is the person's choice, and doctor checks it too)."""
    journal = Journal(
        settings.folder,
        Labels(**content.journal),
        keep_audio=settings.keep_audio,
        pack=pack_source(content),
    )
    if not is_private(journal.folder):
        folder, mode = journal.folder, journal.folder.stat().st_mode & 0o777
        warn(
            _("{folder} can be read by others (mode {mode:o})").format(folder=folder, mode=mode)
            + ". "
            + _("Make it private: chmod 700 {folder}").format(folder=folder)
        )
    return journal


def pack_source(content: Content) -> PackSource | None:
    """The installed pack (and version) the content was read from, for the journal."""
    from assistant.packs import manifest_of

    manifest = manifest_of(Path(content.source_dir))
    return None if manifest is None else PackSource(manifest.name, manifest.version)


def prepare_session(
    content: Content,
    settings: Settings,
    journal: Journal,
    output: Output,
    input_: Input,
    *,
    practice_id: str | None = None,
    text_input: bool = False,
    standby: bool = False,
    improver: Improver | None = None,
) -> tuple[Session, Begin]:
    """A session on these devices, with what is kept between sessions: where to resume, the
    voice preferences, the earlier answers. From standby the devices outlive the session."""
    state = places.config_home()
    session = Session(
        content,
        output,
        input_,
        journal,
        settings.patience,
        warn,
        remember=lambda preferences: save_preferences(state, preferences),
        close_devices=not standby,
        improver=improver,
        quick=None if improver is None else quick_server(settings.listen, stop_phrases(content)),
    )
    begin = Begin(
        practice_id,
        journal.resume_point(content),
        text_input=text_input,
        preferences=load_preferences(state),
        standby=standby,
        history=history(journal, date.today(), settings.journal.look_back),
    )
    return session, begin
