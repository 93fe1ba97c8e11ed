"""Reading the whole journal back with its words, plain or encrypted: the one way every reader
(the `journal` commands, the HTML page, the spoken look-back) gets at what the person said.

An encrypted journal read without an opener is not an error but an outcome, `Locked`: its
dates and counts are known (from the progress files, which hold no words), its words are not.
Nothing here asks for a passphrase; the caller decides whether it can.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from assistant.journal.crypt import NotDecrypted, Opener
from assistant.journal.markdown import JournalFormatError, SessionRecord, parse
from assistant.journal.store import Journal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Locked:
    """The journal is encrypted and no opener was given: only what the progress files hold."""

    sessions: list[SessionRecord]  # oldest first; answers known by number, without words


def read_sessions(journal: Journal, opener: Opener | None = None) -> list[SessionRecord] | Locked:
    """Every session with its answers' words, oldest first; `Locked` when the journal is
    encrypted and there is no opener. A file that cannot be read, or does not decrypt, is
    skipped with a log line, plain or encrypted alike: one bad file hides only itself."""
    if not journal.files.encrypted:
        return journal.sessions()
    if opener is None:
        return Locked(journal.sessions())
    records = []
    for record_id in journal.files.session_ids():
        try:
            records.append(parse(session_text(journal, record_id, opener), record_id))
        except (OSError, UnicodeDecodeError, JournalFormatError, NotDecrypted) as error:
            log.warning("skipping unreadable journal file of %s: %s", record_id, _why(error))
    return records


def session_text(journal: Journal, record_id: str, opener: Opener | None) -> str:
    """One session's Markdown as it is kept (decrypted with `opener` when sealed; a session
    not sealed yet, in a journal being encrypted, from its plaintext)."""
    return journal.files.read_text(journal.files.markdown(record_id), opener)


def _why(error: Exception) -> str:
    return error.message if isinstance(error, NotDecrypted) else str(error)


def read_recording(journal: Journal, name: str, opener: Opener | None) -> bytes | None:
    """A kept recording's WAV bytes (decrypted when sealed), or None when there is no such
    file or its name is not a plain recording name."""
    path = journal.files.recording(name)
    if path is None:
        log.warning("ignoring a recording with an unexpected name: %r", name)
        return None
    try:
        return journal.files.read(path, opener)
    except (OSError, NotDecrypted) as error:
        log.warning("recording %s not readable: %s", name, _why(error))
        return None
