"""Typed content, as the loader returns it. Plain frozen values; nothing here reads files."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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
    HARDER = "harder"
    ZACHTER = "zachter"
    LANGZAMER = "langzamer"
    SNELLER = "sneller"
    VOORLEZEN = "voorlezen"  # read my answers aloud
    VORIGE_KEER = "vorige_keer"  # what did I say last time (to this question)
    OPNAME = "opname"  # let me hear my recording


@dataclass(frozen=True)
class Step:
    """One sentence of a guided exercise and the silence a coach leaves after it."""

    say: str
    pause: float


@dataclass(frozen=True, kw_only=True)
class PracticeHead:
    """What every practice has: how it is named, chosen, opened and closed."""

    id: str
    title: str
    phrasings: tuple[str, ...]
    intro: str
    outro: str


@dataclass(frozen=True, kw_only=True)
class Exercise(PracticeHead):
    """A guided exercise: sentences, each with the silence after it."""

    steps: tuple[Step, ...]


@dataclass(frozen=True, kw_only=True)
class QuestionList(PracticeHead):
    """Questions asked one at a time, each answer kept in the journal."""

    questions: tuple[str, ...]


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
    lines: dict[str, tuple[str, ...]]  # what the assistant says, by key, with variants
    commands: dict[str, Command]  # normalised phrasing -> command
    practices: tuple[Practice, ...]
    texts: tuple[Text, ...]
    journal: dict[str, str]  # the journal's own words (see journal.markdown.Labels)
    source_dir: str = ""
    # Lines that count something ({count}) may have their own wording for exactly one.
    singular: dict[str, tuple[str, ...]] = field(default_factory=dict)
    start_phrases: tuple[str, ...] = ()  # what wakes `hartsverbinding standby` (normalised)
    months: tuple[str, ...] = ()  # the twelve month names, for dates said aloud
    # How another pack is chosen in the menu ("kies {pack}"), and, where more than one pack is
    # installed, the other packs: normalised phrasing -> pack name, and name -> name as said.
    pack_phrasings: tuple[str, ...] = ()
    packs: dict[str, str] = field(default_factory=dict)
    pack_titles: dict[str, str] = field(default_factory=dict)
    # What an installed pack lacked and the program's own content gave ("say.look_back_asked",
    # "commands.opname"): the pack was made before the program knew them.
    filled: tuple[str, ...] = ()
    # What an installed pack has and the program no longer knows ("say.old_line"): the pack
    # was made for an older program; left out.
    dropped: tuple[str, ...] = ()

    def practice(self, practice_id: str) -> Practice | None:
        for practice in self.practices:
            if practice.id == practice_id:
                return practice
        return None

    def line(self, key: str, turn: int = 0, **values: object) -> str:
        """Variant `turn` (cycling) of line `key`, with its placeholders filled in; the
        singular wording when the line counts exactly one."""
        variants = self.lines[key]
        if values.get("count") == 1 and key in self.singular:
            variants = self.singular[key]
        return variants[turn % len(variants)].format(**values)
