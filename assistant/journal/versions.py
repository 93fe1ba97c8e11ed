"""Changing an answer of a session no process is writing: a better version of its text added
(the background improvement, `journal improve`), or the text the person confirmed chosen again
(`journal restore`). The session the running practice writes is changed through its Journal
(Journal.add_version), which holds it in memory.

A change takes the session's lock (a practice that goes on with the session waits for nothing:
it finds the lock taken and writes a new session, as with any other process), reads the whole
session (decrypted in memory with the opener when the journal is encrypted: nothing plain is
written), changes one answer and writes the session back durably, sealed when encrypted.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.journal.crypt import Opener
from assistant.journal.markdown import Entry, parse, render
from assistant.journal.reading import session_text
from assistant.journal.store import Journal


class SessionBusy(Exception):
    """Another process writes that session now; try again later."""


def change_answer(
    journal: Journal,
    record_id: str,
    practice_id: str,
    number: int,
    change: Callable[[Entry], bool],
    opener: Opener | None = None,
) -> bool:
    """Apply `change` to one answer and write the session; False when there is no such answer
    or `change` changed nothing. SessionBusy when another process holds the session."""
    files = journal.files
    files.notice_key()
    lock = files.take(record_id)
    if lock is None:
        raise SessionBusy(record_id)
    try:
        record = parse(session_text(journal, record_id, opener), record_id)
        entry = next(
            (a for a in record.answers if (a.practice_id, a.number) == (practice_id, number)),
            None,
        )
        if entry is None or not change(entry):
            return False
        plain = files.markdown(record_id)
        files.write(plain, render(record, journal.labels).encode("utf-8"))
        if files.encrypted:
            files.write_progress(record)
            files.remove([plain])  # a session not sealed yet is sealed by this write
        return True
    finally:
        lock.release()
