"""The answers still waiting for a better transcript, on disk so that a restart or a kill loses
none: a hidden file in the journal folder listing each answer by session, practice and number.
It holds no words (so it needs no sealing), and is changed whole and durably, under a lock, so
that a practice, standby and `journal improve` can share it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.durable import write_durably


@dataclass(frozen=True, order=True)
class AnswerKey:
    record_id: str
    practice_id: str
    number: int


class PendingList:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[AnswerKey]:
        """Oldest first. A damaged file counts as empty (the answers keep their texts; `journal
        improve` finds every answer without a better version anyway)."""
        try:
            rows = yaml.safe_load(self.path.read_text(encoding="utf-8")) or []
            return [
                AnswerKey(str(r["session"]), str(r["practice"]), int(r["number"])) for r in rows
            ]
        except (OSError, yaml.YAMLError, TypeError, KeyError, ValueError):
            return []

    def add(self, key: AnswerKey) -> None:
        with self._changing() as keys:
            if key not in keys:
                keys.append(key)

    def remove(self, key: AnswerKey) -> None:
        with self._changing() as keys:
            if key in keys:
                keys.remove(key)

    @contextmanager
    def _changing(self) -> Iterator[list[AnswerKey]]:
        lock = self.path.with_name(self.path.name + ".lock")
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            keys = self.load()
            before = list(keys)
            yield keys
            if keys != before:
                rows = [
                    {"session": k.record_id, "practice": k.practice_id, "number": k.number}
                    for k in keys
                ]
                write_durably(self.path, yaml.safe_dump(rows, sort_keys=False).encode("utf-8"))
        finally:
            os.close(descriptor)
