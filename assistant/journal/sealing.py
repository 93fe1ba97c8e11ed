"""Sealing the plaintext of a journal that is (being) encrypted: what `journal encrypt` does,
resumable and idempotent.

Each session is sealed on its own, holding its lock (lock.py): its front matter as the
progress file, its Markdown and recordings sealed, and only then its plaintext removed. Cut off
anywhere (kill -9, a full disk), the plaintext is still there, still listed and read like the
rest, and the next run seals it again from the start. A session another process is writing
is left to it: that process notices the key before its next write and seals its own files.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.durable import fsync_folder, is_regular_file
from assistant.journal.lock import locked_ids, take_session
from assistant.journal.markdown import JournalFormatError, parse
from assistant.journal.store import Journal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sealed:
    sessions: int  # sessions in the journal
    running: int  # of them, written by another process now: they seal themselves


def plaintext_left(journal: Journal) -> list[Path]:
    """The plaintext sessions and recordings still to seal."""
    return sorted(
        path
        for pattern in ("*.md", "*.wav")
        for path in journal.folder.glob(pattern)
        if is_regular_file(path)
    )


def seal_plaintext(journal: Journal) -> Sealed:
    """Seal every plaintext session and recording no other process is writing. Raises OSError
    or JournalWriteError when a write fails; what was not sealed yet stays as it was."""
    assert journal.sealer is not None, "sealing needs the journal's key"
    ids = set(journal.session_ids()) | locked_ids(journal.folder)
    by_session: dict[str | None, list[Path]] = {}
    for path in plaintext_left(journal):
        owner = path.name.removesuffix(".md") if path.suffix == ".md" else _owner(path.name, ids)
        by_session.setdefault(owner, []).append(path)
    running = 0
    for owner, paths in sorted(by_session.items(), key=lambda item: item[0] or ""):
        lock = take_session(journal.folder, owner) if owner is not None else None
        if owner is not None and lock is None:
            running += 1
            continue
        try:
            _seal(journal, paths)
        finally:
            if lock is not None:
                lock.release()
    return Sealed(len(journal.session_ids()), running)


def _seal(journal: Journal, paths: list[Path]) -> None:
    """One session's plaintext (its Markdown last, so a cut-off run leaves it to be redone)."""
    paths = sorted(paths, key=lambda path: path.suffix == ".md")
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".md":
            try:
                journal.write_progress(parse(data.decode("utf-8"), path.stem))
            except (UnicodeDecodeError, JournalFormatError) as error:
                log.warning("%s is damaged (%s): sealed without a progress file", path, error)
        journal.write_file(path, data)
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    fsync_folder(journal.folder)


def _owner(recording: str, ids: set[str]) -> str | None:
    """The session a recording `<id>-<practice>-<nn>.wav` belongs to: the longest id it starts
    with (`X-2-vragen-01.wav` is X-2's, not X's)."""
    owners = [record_id for record_id in ids if recording.startswith(record_id + "-")]
    return max(owners, key=len, default=None)
