"""`hartsverbinding journal list | read [ID] | search WORDS | question [PRACTICE] N |
export DIR [--html] | encrypt`: the journal outside a session (the words are checked by
grammar.py).

What the person asked for goes to standard output, everything else to standard error. An
encrypted journal asks its passphrase once per command, and only after everything that can be
checked without it (the journal is not empty, the id or question exists) has been checked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from assistant import places
from assistant.cli import journal_text
from assistant.cli.grammar import Parsed
from assistant.cli.journal_access import (
    known_sessions,
    question_of,
    read_passphrase,
    sessions_with_words,
    unlock,
)
from assistant.config import Settings
from assistant.content.model import Content
from assistant.durable import FOLDER_MODE, make_folder, write_durably
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.journal.crypt import NotDecrypted
from assistant.journal.lookup import answers_to, search
from assistant.journal.markdown import JournalFormatError, Labels, parse, render
from assistant.journal.page import PAGE_NAME, render_page
from assistant.journal.reading import read_recording, session_text
from assistant.journal.sealing import seal_plaintext
from assistant.journal.store import Journal, JournalWriteError
from assistant.report import warn

BOLD = ("\x1b[1m", "\x1b[0m")


def journal_command(parsed: Parsed, content: Content, settings: Settings) -> int:
    """Run one `journal VERB ...` command, on the journal the settings name."""
    journal = Journal(
        settings.journal.folder, Labels(**content.journal), settings.journal.keep_audio
    )
    verb = parsed.words[1]
    if verb == "list":
        return list_command(journal)
    if verb == "read":
        return read_command(journal, parsed.value("id"))
    if verb == "search":
        return search_command(journal, parsed.value("words"))
    if verb == "question":
        words = [parsed.value("practice"), parsed.value("number")]
        return question_command(journal, content, [word for word in words if word is not None])
    if verb in ("restore", "improve"):
        from assistant.cli import journal_versions

        return journal_versions.command(verb, parsed, journal, content, settings)
    if verb == "export":
        folder: str = parsed.value("folder")
        if not folder.strip():  # Path("") is the current folder, which would be made private
            raise UserError(_("Give the folder to export to."))
        if parsed.value("html"):
            return export_html_command(journal, Path(folder), content)
        return export_command(journal, Path(folder))
    return encrypt_command(journal)


def encrypt_command(journal: Journal) -> int:
    """Encrypt the journal from now on, and every file already in it. Run again, it finishes
    what a run cut off left (a kill, a full disk) and says when there is nothing left."""
    folder, files = journal.folder, journal.files
    if not files.has_key():
        files.make_key(read_passphrase(_("Passphrase for your journal: "), confirm=True))
    elif not files.encrypted:  # cut off between the private key and the public one
        files.restore_key(read_passphrase(_("Passphrase: ")))
    elif not files.plaintext():
        warn(_("The journal in {folder} is already encrypted.").format(folder=folder))
        return 0
    try:
        sealed = seal_plaintext(journal)
    except (OSError, JournalWriteError) as error:
        raise UserError(
            _(
                "Encrypting stopped ({error}); nothing is lost. Run 'journal encrypt' again "
                "to finish."
            ).format(error=getattr(error, "strerror", None) or error)
        ) from None
    # An older version cached spoken read-backs of answers: they must not outlive this.
    from assistant.voice.cache import remove_old_versions  # numpy: only this verb needs it

    remove_old_versions(places.cache_home() / "voice")
    warn(
        ngettext(
            "The journal in {folder} is now encrypted ({count} session). Keep your "
            "passphrase safe: without it nobody, you included, can read the journal.",
            "The journal in {folder} is now encrypted ({count} sessions). Keep your "
            "passphrase safe: without it nobody, you included, can read the journal.",
            sealed.sessions,
        ).format(folder=folder, count=sealed.sessions)
    )
    if sealed.running:
        warn(
            ngettext(
                "{count} session is running now: it encrypts its own files at its next write.",
                "{count} sessions are running now: they encrypt their own files at their next "
                "write.",
                sealed.running,
            ).format(count=sealed.running)
        )
    warn(
        _(
            "Copies made earlier with 'journal export' are not encrypted: delete them if they "
            "should not stay readable."
        )
    )
    return 0


def list_command(journal: Journal) -> int:
    """One line a session, oldest first. Needs no passphrase: the progress files of an
    encrypted journal hold all of this and none of the words."""
    for line in journal_text.list_lines(known_sessions(journal)):
        print(line)
    return 0


def read_command(journal: Journal, record_id: str | None) -> int:
    """Print the sessions (or one) as Markdown, as they are kept, decrypting them when needed
    (a sealed session whose progress file is damaged is still read)."""
    ids = [record.id for record in known_sessions(journal)]
    if journal.files.encrypted:
        ids = journal.files.session_ids()
    if record_id is not None and record_id not in ids:
        raise UserError(
            _("There is no session '{id}' in {folder}; 'journal list' shows them.").format(
                id=record_id, folder=journal.folder
            )
        )
    opener = unlock(journal)
    for one in [record_id] if record_id else ids:
        try:
            sys.stdout.write(_as_read(session_text(journal, one, opener), one, journal.labels))
        except (OSError, UnicodeDecodeError, NotDecrypted) as error:
            message = _("Session {id} cannot be read ({error}).").format(
                id=one, error=error.message if isinstance(error, NotDecrypted) else error
            )
            if record_id is not None:
                raise UserError(message) from None
            warn(message)  # one bad file hides only itself
    return 0


def _as_read(text: str, record_id: str, labels: Labels) -> str:
    """A session as `journal read` prints it: as it is kept, but with each improved answer's
    best text in its place, marked (the confirmed text stays in the file: 'journal restore')."""
    try:
        record = parse(text, record_id)
    except JournalFormatError:
        return text  # a file edited by hand is shown as it is
    if not any(entry.improved for entry in record.answers):
        return text
    return render(record, labels, reading=True)


def search_command(journal: Journal, words: list[str]) -> int:
    """The answers holding every word, newest first; exit status 1 when none does."""
    if not any(word.strip() for word in words):
        raise UserError(_("Give one or more words to search for."))
    records = sessions_with_words(journal)[0]
    found = search(reversed(records), words)
    if not found:
        warn(_("No answer holds all of: {words}.").format(words=" ".join(words)))
        return 1
    marks = BOLD if sys.stdout.isatty() and "NO_COLOR" not in os.environ else ("", "")
    for line in journal_text.search_lines(found, _width(), marks):
        print(line)
    return 0


def question_command(journal: Journal, content: Content, words: list[str]) -> int:
    """Every answer to one question, oldest first; exit status 1 when it has none yet."""
    practice, number = question_of(content, words)
    records = sessions_with_words(journal)[0]
    answers = answers_to(records, practice.id, number)
    if not answers:
        warn(
            _("Question {number} of {practice} has no answers yet.").format(
                number=number, practice=practice.id
            )
        )
        return 1
    lines = journal_text.question_lines(
        practice.id, number, practice.questions[number - 1], answers, _width()
    )
    for line in lines:
        print(line)
    return 0


def export_command(journal: Journal, target: Path) -> int:
    """Write a readable copy of the journal (Markdown and recordings) to a folder of its own."""
    known_sessions(journal)
    target = _export_folder(journal, target)
    opener = unlock(journal)
    count = 0
    for path in journal.files.kept():
        try:
            name, data = journal.files.unsealed(path, opener)
        except NotDecrypted as error:
            warn(error.message)  # one bad file hides only itself
            continue
        _write(target / name, data)
        count += 1
    warn(
        ngettext(
            "{count} file written to {target}.", "{count} files written to {target}.", count
        ).format(count=count, target=target)
    )
    return 0


def export_html_command(journal: Journal, target: Path, content: Content) -> int:
    """One HTML page with every session, newest first, and the recordings beside it
    (decrypted), in a folder of its own."""
    records, opener = sessions_with_words(journal)
    target = _export_folder(journal, target)
    kept, recordings = [], 0
    for record in records:
        answers = []
        for entry in record.answers:
            data = read_recording(journal, entry.recording, opener) if entry.recording else None
            if data is not None and entry.recording:
                _write(target / entry.recording, data)
                recordings += 1
            answers.append(entry if data is not None else replace(entry, recording=None))
        kept.append(replace(record, answers=answers))
    titles = {practice.id: practice.title for practice in content.practices}
    page = render_page(kept, journal.labels, content.language, titles)
    _write(target / PAGE_NAME, page.encode("utf-8"))
    warn(
        _("Wrote {page}: {sessions}, {recordings} beside it.").format(
            page=target / PAGE_NAME,
            sessions=ngettext("{count} session", "{count} sessions", len(kept)).format(
                count=len(kept)
            ),
            recordings=ngettext("{count} recording", "{count} recordings", recordings).format(
                count=recordings
            ),
        )
    )
    return 0


def _export_folder(journal: Journal, target: Path) -> Path:
    """Where an export goes: `target` when this makes it (private); in a folder that is already
    there, a new private folder inside it, so that nothing there is overwritten and its mode is
    left as it is."""
    inside = target.resolve()
    if inside == journal.folder.resolve() or journal.folder.resolve() in inside.parents:
        raise UserError(
            _("Export to a folder outside the journal {folder}.").format(folder=journal.folder)
        )
    try:
        if make_folder(target):
            return target
        stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
        for counter in range(1, 100):
            folder = target / (f"hartsverbinding-{stamp}" + (f"-{counter}" if counter > 1 else ""))
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=FOLDER_MODE)
                return folder
        raise FileExistsError(17, os.strerror(17), str(folder))
    except OSError as error:
        raise UserError(
            _("Cannot write to {target} ({error}).").format(target=target, error=error.strerror)
        ) from None


def _write(path: Path, data: bytes) -> None:
    """Into a folder this export made: nothing there that it did not write."""
    try:
        write_durably(path, data)
    except OSError as error:
        raise UserError(
            _("Cannot write {path} ({error}).").format(path=path, error=error.strerror)
        ) from None


def _width() -> int:
    return min(shutil.get_terminal_size((80, 24)).columns, 100) - 2
