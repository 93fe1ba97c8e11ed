"""The journal as the dialog looks back at it: earlier sessions' confirmed answers, read once
before a session starts (see dialog/history.py for what the dialog does with them)."""

from __future__ import annotations

from datetime import date

from assistant.dialog.history import History, Kept
from assistant.journal.reading import Locked, read_sessions
from assistant.journal.store import Journal


def history(journal: Journal, today: date, enabled: bool = True) -> History:
    """What the person kept before today's session; nothing is read when looking back is off,
    and an encrypted journal (no passphrase in a practice) is only known to be locked."""
    if not enabled:
        return History(today=today, enabled=False)
    sessions = read_sessions(journal)
    if isinstance(sessions, Locked):
        return History(today=today, locked=True)
    kept = tuple(
        Kept(
            session_id=record.id,
            day=record.started.date(),
            practice_id=entry.practice_id,
            number=entry.number,
            question=entry.question,
            text=entry.best,
            recording=entry.recording,
        )
        for record in sessions
        for entry in record.answers
        if entry.confirmed and entry.best.strip()
    )
    return History(answers=kept, today=today)
