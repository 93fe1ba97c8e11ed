"""Pure text functions: how a heard or typed line is compared with the phrasings in content."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s'-]+")


def normalise(text: str) -> str:
    """Lower case, accents kept, punctuation dropped, single spaces: 'Ga door!' -> 'ga door'."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).replace("-", " ").split())


def words(phrases: list[str] | tuple[str, ...]) -> list[str]:
    """Every distinct word of the phrasings, in first-seen order (for a recogniser grammar)."""
    seen: dict[str, None] = {}
    for phrase in phrases:
        for word in phrase.split():
            seen.setdefault(word, None)
    return list(seen)
