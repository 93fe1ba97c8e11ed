"""Writing a file so that it survives a crash or power loss: temp file, fsync, rename, fsync
of the folder. Until the rename the old version stays whole; after the folder fsync the new one
is on disk even if the power goes a moment later (an SD card otherwise keeps it in cache).

The temporary file cannot be redirected: it gets a random name and is made with O_EXCL and
O_NOFOLLOW, so a file or symlink someone planted there makes the open fail instead of being
followed; the rename then replaces the name itself, never what a symlink there points to.
Folders the person named are made private when this makes them, and left as they are when they
already exist (`make_folder`): their mode is the person's choice, which doctor checks.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

TEMP_MARK = ".tmp-"
FILE_MODE = 0o600
FOLDER_MODE = 0o700
_NEW_ONLY = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def ensure_private_folder(folder: Path) -> None:
    """For the program's own folders (cache, settings): made, or made private again."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != FOLDER_MODE:
        folder.chmod(FOLDER_MODE)


def make_folder(folder: Path) -> bool:
    """For a folder the person named (the journal, an export): made private (0700) when it is
    not there, else left exactly as it is. True when it was made here."""
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True)
    except FileExistsError:
        if not folder.is_dir():
            raise NotADirectoryError(20, os.strerror(20), str(folder)) from None
        return False
    return True


def is_private(folder: Path) -> bool:
    """Nobody but its owner can read or enter it (always True where modes mean nothing)."""
    return os.name == "nt" or folder.stat().st_mode & 0o077 == 0


def is_regular_file(path: Path) -> bool:
    """A file itself: not a folder, not a symlink (to anything), not a device."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def open_new(path: Path, mode: int = FILE_MODE) -> int:
    """A descriptor for writing a file that did not exist: never one already there, never
    through a symlink."""
    return os.open(path, _NEW_ONLY, mode)


def write_durably(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """`data` in `path`, whole or not at all. `mode`: private (0600) unless the file is meant to
    be shared, like the coach's content (the umask still applies then)."""
    for attempt in range(100):
        temp = path.with_name(f".{path.name}{TEMP_MARK}{secrets.token_hex(6)}")
        try:
            descriptor = open_new(temp, mode)
            break
        except FileExistsError:  # a name someone else holds (or planted): take another
            if attempt == 99:
                raise
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; its rename is journaled
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Temp files left by a process killed mid-write: the real file beside them is whole.
    Only for a folder no other live process writes in (see journal/lock.py for the journal)."""
    removed = []
    for temp in folder.glob(f".*{TEMP_MARK}*"):
        with contextlib.suppress(OSError):
            temp.unlink()
            removed.append(temp)
    return removed
