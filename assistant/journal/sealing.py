"""Sealing the plaintext of a journal that is (being) encrypted: what `journal encrypt` does,
resumable and idempotent.

Each session is sealed on its own, holding its lock (lock.py): its front matter as the
progress file, its Markdown and recordings sealed, and only then its plaintext removed. Cut off
anywhere (kill -9, a full disk), the plaintext is still there, still listed and read like the
rest, and the next run seals it again from the start. A session another process is writing
is left to it: that process notices the key before its next write and seals its own files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.journal.folder import JournalFolder
from assistant.journal.markdown import JournalFormatError, parse
from assistant.journal.store import Journal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sealed:
    sessions: int  # sessions in the journal
    running: int  # of them, written by another process now: they seal themselves


def seal_plaintext(journal: Journal) -> Sealed:
    """Seal every plaintext session and recording no other process is writing. Raises OSError
    or JournalWriteError when a write fails; what was not sealed yet stays as it was."""
    files = journal.files
    assert files.encrypted, "sealing needs the journal's key"
    ids = set(files.session_ids()) | files.locked_ids()
    by_session: dict[str | None, list[Path]] = {}
    for path in files.plaintext():
        by_session.setdefault(files.owner(path, ids), []).append(path)
    running = 0
    for owner, paths in sorted(by_session.items(), key=lambda item: item[0] or ""):
        lock = files.take(owner) if owner is not None else None
        if owner is not None and lock is None:
            running += 1
            continue
        try:
            _seal(files, owner, paths)
        finally:
            if lock is not None:
                lock.release()
    return Sealed(len(files.session_ids()), running)


def _seal(files: JournalFolder, owner: str | None, paths: list[Path]) -> None:
    """One session's plaintext (`owner`'s, or recordings of no session known): its progress
    file from its Markdown, then every file sealed, the Markdown last, so a run cut off leaves
    the session to be sealed again."""
    if owner is not None and (markdown := files.markdown(owner)) in paths:
        try:
            files.write_progress(parse(markdown.read_bytes().decode("utf-8"), owner))
        except (UnicodeDecodeError, JournalFormatError) as error:
            log.warning("%s is damaged (%s): sealed without a progress file", markdown, error)
    files.seal(sorted(paths, key=files.is_markdown))
