"""Who may write where in the journal folder: one writer per session, and no clean-up while
another process has the folder open.

A session's file is written from the record one process holds in memory; two processes writing
the same file from two records would lose whichever wrote first. So a process holds an exclusive
lock on the session's lock file (named by folder.py) for as long as it keeps the session, and
every process that has the folder open holds a shared lock on the folder itself: temporary files
(of a write in progress) and lock files are cleaned up only by a process that can lock the folder
exclusively.

The locks are flock(2) locks: the kernel drops them when the process ends, however it ends
(kill -9, a power cut), so a lock can never outlive its holder. Where there is no flock
(Windows) a session lock is msvcrt's byte lock, and the folder is not locked: clean-up then
removes only leftovers older than an hour.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from assistant.durable import FILE_MODE

if sys.platform != "win32":
    import fcntl

_STALE_WITHOUT_FLOCK = 3600.0  # seconds: no write takes that long
_OPEN = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)


class Lock:
    """A lock held on a file until `release` or the end of the process."""

    def __init__(self, path: Path, descriptor: int | None, remove: bool) -> None:
        self.path = path
        self._descriptor: int | None = descriptor
        self._remove = remove

    @staticmethod
    def take(path: Path) -> Lock | None:
        """The exclusive lock on `path`, or None at once when another process holds it. The
        file is made for it, and goes when the lock is released."""
        while True:
            descriptor = os.open(path, _OPEN, FILE_MODE)
            if not _lock(descriptor, shared=False):
                os.close(descriptor)
                return None
            # The holder before us may have removed the file after we opened it: a lock on a
            # file no longer there guards nothing, so take the one there now.
            try:
                same = os.path.samestat(os.fstat(descriptor), os.stat(path, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if same:
                return Lock(path, descriptor, remove=True)
            os.close(descriptor)

    @staticmethod
    def held_elsewhere(path: Path) -> bool:
        """Another process holds the lock on `path` now."""
        if not path.exists():
            return False
        probe = Lock.take(path)
        if probe is None:
            return True
        probe.release()
        return False

    @staticmethod
    def unheld(path: Path) -> Lock:
        """Where no lock file can be made (a read-only folder, where nobody writes either)."""
        return Lock(path, None, remove=False)

    def release(self) -> None:
        if self._descriptor is None:
            return
        if self._remove:  # while still held, so nobody locks a file that is going
            with contextlib.suppress(OSError):
                self.path.unlink()
        os.close(self._descriptor)  # closing drops the lock
        self._descriptor = None


def _lock(descriptor: int, shared: bool) -> bool:
    if sys.platform == "win32":
        if shared:
            return True  # no shared locks without flock: see the module's note
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(descriptor, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def open_folder(folder: Path, remove_leftovers: Callable[[float], None]) -> Lock | None:
    """The shared lock every process holds on the folder while it has the journal open; first,
    when no other process has it open, `remove_leftovers` removes what killed processes left
    (temporary files of writes in progress, session lock files) older than the seconds given."""
    if sys.platform == "win32":
        remove_leftovers(_STALE_WITHOUT_FLOCK)
        return None
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if _lock(descriptor, shared=False):
            remove_leftovers(0.0)
        # Shared from now on; this waits only for another process's clean-up (milliseconds).
        fcntl.flock(descriptor, fcntl.LOCK_SH)
    except BaseException:
        os.close(descriptor)
        raise
    return Lock(folder, descriptor, remove=False)
