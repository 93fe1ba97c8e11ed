"""Finding answers in sessions already read: by words (case and accents ignored) and by
question through time. Pure functions over SessionRecords; nothing here reads files."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.journal.markdown import Entry, SessionRecord


@dataclass(frozen=True)
class Found:
    """An answer holding every word searched for, and where they stand in its text."""

    record: SessionRecord
    entry: Entry
    spans: tuple[tuple[int, int], ...]  # (start, end) in entry.best, sorted, not overlapping


def fold(text: str) -> str:
    """Text as search compares it: compatibility forms split, accents dropped, case folded
    ("Één" and "een" are the same; so are "ﬁjn" and "fijn")."""
    if text.isascii():
        return text.lower()
    return _strip_marks(_strip_marks(text).casefold())


def search(records: Iterable[SessionRecord], words: Iterable[str]) -> list[Found]:
    """The answers, in the order of `records`, in which every word occurs (also inside a longer
    word: "boos" finds "boosheid"). No words find nothing."""
    wanted = [folded for folded in (fold(word) for word in words) if folded.strip()]
    if not wanted:
        return []
    found = []
    for record in records:
        for entry in record.answers:
            spans = _spans(entry.best, wanted)
            if spans is not None:
                found.append(Found(record, entry, spans))
    return found


def answers_to(
    records: Iterable[SessionRecord], practice_id: str, number: int
) -> list[tuple[SessionRecord, Entry]]:
    """Every answer to one question, in the order of `records`."""
    return [
        (record, entry)
        for record in records
        for entry in record.answers
        if entry.practice_id == practice_id and entry.number == number
    ]


def _spans(text: str, wanted: list[str]) -> tuple[tuple[int, int], ...] | None:
    whole = fold(text)
    if not all(word in whole for word in wanted):  # most answers: no need to locate anything
        return None
    folded, origin = _folded(text)
    spans: list[tuple[int, int]] = []
    for word in wanted:
        start = folded.find(word)
        if start < 0:
            return None
        while start >= 0:
            spans.append(_original_span(text, origin, start, start + len(word)))
            start = folded.find(word, start + len(word))
    return tuple(_merged(spans))


def _folded(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the one it came from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    pieces, origin = [], []
    for index, char in enumerate(text):
        piece = _strip_marks(_strip_marks(char).casefold())
        pieces.append(piece)
        origin.extend([index] * len(piece))
    return "".join(pieces), origin


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _original_span(text: str, origin: list[int], start: int, end: int) -> tuple[int, int]:
    first, last = origin[start], origin[end - 1] + 1
    while last < len(text) and unicodedata.combining(text[last]):  # accents typed separately
        last += 1
    return first, last


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
