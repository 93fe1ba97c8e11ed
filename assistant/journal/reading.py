"""Reading the whole journal back with its words, plain or encrypted: the one way every reader
(the `journal` commands, the HTML page, the spoken look-back) gets at what the person said.

An encrypted journal read without an opener is not an error but an outcome, `Locked`: its
dates and counts are known (from the progress files, which hold no words), its words are not.
Nothing here asks for a passphrase; the caller decides whether it can.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from assistant.journal.crypt import SEALED, NotDecrypted, Opener
from assistant.journal.markdown import JournalFormatError, SessionRecord, parse
from assistant.journal.store import Journal

log = logging.getLogger(__name__)

# What a recording's name in the front matter may look like: a plain file name beside the
# journal, so a damaged or hand-edited journal cannot make a reader touch other files.
_RECORDING_NAME = re.compile(r"[\w][\w.-]*\.wav")


@dataclass(frozen=True)
class Locked:
    """The journal is encrypted and no opener was given: only what the progress files hold."""

    sessions: list[SessionRecord]  # oldest first; answers known by number, without words


def is_encrypted(journal: Journal) -> bool:
    return journal.sealer is not None


def read_sessions(journal: Journal, opener: Opener | None = None) -> list[SessionRecord] | Locked:
    """Every session with its answers' words, oldest first; `Locked` when the journal is
    encrypted and there is no opener. A file that cannot be read, or does not decrypt, is
    skipped with a log line, plain or encrypted alike: one bad file hides only itself."""
    if not is_encrypted(journal):
        return journal.sessions()
    if opener is None:
        return Locked(journal.sessions())
    records = []
    for record_id in journal.session_ids():
        try:
            records.append(parse(session_text(journal, record_id, opener), record_id))
        except (OSError, UnicodeDecodeError, JournalFormatError, NotDecrypted) as error:
            log.warning("skipping unreadable journal file of %s: %s", record_id, _why(error))
    return records


def session_text(journal: Journal, record_id: str, opener: Opener | None) -> str:
    """One session's Markdown as it is kept (decrypted with `opener` when sealed; a session
    not sealed yet, in a journal being encrypted, from its plaintext)."""
    sealed = journal.folder / f"{record_id}.md{SEALED}"
    if opener is None or not sealed.exists():
        return (journal.folder / f"{record_id}.md").read_text(encoding="utf-8")
    return opener.open(sealed.read_bytes(), sealed).decode("utf-8")


def _why(error: Exception) -> str:
    return error.message if isinstance(error, NotDecrypted) else str(error)


def read_recording(journal: Journal, name: str, opener: Opener | None) -> bytes | None:
    """A kept recording's WAV bytes (decrypted when sealed), or None when there is no such
    file or its name is not a plain recording name."""
    if not _RECORDING_NAME.fullmatch(name):
        log.warning("ignoring a recording with an unexpected name: %r", name)
        return None
    plain, sealed = journal.folder / name, journal.folder / (name + SEALED)
    try:
        if opener is not None and sealed.exists():
            return opener.open(sealed.read_bytes(), sealed)
        return plain.read_bytes()
    except (OSError, NotDecrypted) as error:
        log.warning("recording %s not readable: %s", name, _why(error))
        return None
