"""Writing a file so that it survives a crash or power loss: temp file, fsync, rename, fsync
of the folder. Until the rename the old version stays whole; after the folder fsync the new one
is on disk even if the power goes a moment later (an SD card otherwise keeps it in cache)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TEMP_MARK = ".tmp-"
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def ensure_private_folder(folder: Path) -> None:
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != FOLDER_MODE:
        folder.chmod(FOLDER_MODE)


def write_durably(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """`data` in `path`, whole or not at all. `mode`: private (0600) unless the file is meant to
    be shared, like the coach's content (the umask still applies then)."""
    temp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
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
    """Temp files left by a process killed mid-write: the real file beside them is whole."""
    removed = []
    for temp in folder.glob(f".*{TEMP_MARK}*"):
        with contextlib.suppress(OSError):
            temp.unlink()
            removed.append(temp)
    return removed
