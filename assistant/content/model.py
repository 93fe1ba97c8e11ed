"""Typed content, as the loader returns it. Plain frozen values; nothing here reads files."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Command(enum.Enum):
    """Everything a user can say to steer the practice. Phrasings live in commands.yaml."""

    START = "start"
    VOLGENDE = "volgende"
    VORIGE = "vorige"
    HERHAAL = "herhaal"
    PAUZE = "pauze"
    VERDER = "verder"
    OVERSLAAN = "overslaan"
    OPNIEUW = "opnieuw"
    KLAAR = "klaar"
    JA = "ja"
    NEE = "nee"
    STOP = "stop"
    HELP = "help"
    ALLES = "alles"


@dataclass(frozen=True)
class Step:
    """One sentence of a guided exercise and the silence a coach leaves after it."""

    say: str
    pause: float


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    phrasings: tuple[str, ...]
    intro: str
    steps: tuple[Step, ...]
    outro: str


@dataclass(frozen=True)
class QuestionList:
    id: str
    title: str
    phrasings: tuple[str, ...]
    intro: str
    questions: tuple[str, ...]
    outro: str


Practice = Exercise | QuestionList


@dataclass(frozen=True)
class Text:
    """A short text the user can ask to hear (read aloud as paragraphs)."""

    id: str
    title: str
    phrasings: tuple[str, ...]
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Content:
    language: str
    credit: str
    lines: dict[str, tuple[str, ...]]  # what the assistant says, by key, with variants
    commands: dict[str, Command]  # normalised phrasing -> command
    practices: tuple[Practice, ...]
    texts: tuple[Text, ...]
    journal: dict[str, str]  # the journal's own words (see journal.markdown.Labels)
    source_dir: str = ""

    def practice(self, practice_id: str) -> Practice | None:
        for practice in self.practices:
            if practice.id == practice_id:
                return practice
        return None

    def line(self, key: str, turn: int = 0, **values: object) -> str:
        """Variant `turn` (cycling) of line `key`, with its placeholders filled in."""
        variants = self.lines[key]
        return variants[turn % len(variants)].format(**values)
