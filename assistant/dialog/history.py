"""What the person kept in earlier sessions, as the dialog reads it back to them (a pure value,
read from the journal before the session starts).

Looking back is offered, never pushed: no streaks, no counts. `enabled` False (the config's
`look_back: false`) keeps old answers from being read aloud, for a room where others listen;
`locked` is an encrypted journal, whose words cannot be read without the passphrase that a
practice never asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Kept:
    """An earlier confirmed answer."""

    session_id: str
    day: date
    practice_id: str
    number: int  # 1-based question number
    question: str
    text: str
    recording: str | None = None  # the kept audio's file name in the journal folder


@dataclass(frozen=True)
class History:
    answers: tuple[Kept, ...] = ()  # earlier sessions' confirmed answers, oldest first
    today: date | None = None  # the session's own day, to leave the year out where it is this one
    enabled: bool = True
    locked: bool = False

    def latest(self, practice_id: str, number: int) -> Kept | None:
        """The most recent earlier answer to that question."""
        for kept in reversed(self.answers):
            if (kept.practice_id, kept.number) == (practice_id, number):
                return kept
        return None

    def last_session(self) -> tuple[Kept, ...]:
        """The answers of the most recent earlier session that kept any, in question order."""
        if not self.answers:
            return ()
        newest = self.answers[-1].session_id
        found = [kept for kept in self.answers if kept.session_id == newest]
        return tuple(sorted(found, key=lambda kept: (kept.practice_id, kept.number)))


def spoken_date(day: date, today: date | None, months: tuple[str, ...]) -> str:
    """'3 november', or '3 november 2025' when it was another year than `today`."""
    words = f"{day.day} {months[day.month - 1]}"
    return words if today is not None and day.year == today.year else f"{words} {day.year}"
