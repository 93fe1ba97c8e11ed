"""Fetch the speech model: the only code in the program that opens a network connection.

The zip is streamed into a temporary folder beside the destination, checked (size, then every
member's checksum), unpacked there and renamed into place in one step, so an interrupted or
damaged download never leaves half a model where `find_model` would pick it up.
"""

from __future__ import annotations

import http.client
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TextIO
from urllib.parse import urlparse

from assistant.durable import fsync_folder
from assistant.errors import UserError
from assistant.recognizer.model import DOWNLOAD_COMMAND

MODEL_URL = "https://alphacephei.com/vosk/models/vosk-model-small-nl-0.22.zip"
MODEL_SIZE = 40_441_176  # bytes, as listed on the Vosk model page
PARTIAL_PREFIX = ".partial-"
BLOCK = 1 << 16

Progress = Callable[[int, "int | None"], None]  # bytes so far, bytes expected (if known)


class ProgressBar:
    """A one-line progress bar on a terminal; a line per tenth when stderr is a file."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self._drawn_at = 0.0
        self._tenths = -1

    def __call__(self, done: int, total: int | None) -> None:
        finished = total is not None and done >= total
        if self.stream.isatty():
            now = time.monotonic()
            if finished or now - self._drawn_at >= 0.1:
                self._drawn_at = now
                end = "\n" if finished else ""
                print(f"\r{self._line(done, total)}", end=end, file=self.stream, flush=True)
        elif total:
            tenths = min(10, done * 10 // total)
            if tenths > self._tenths:
                self._tenths = tenths
                print(self._line(done, total), file=self.stream, flush=True)

    def _line(self, done: int, total: int | None) -> str:
        megabytes = f"{done / 1e6:.1f}"
        if not total:
            return f"  {megabytes} MB"
        share = min(1.0, done / total)
        filled = round(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        return f"  [{bar}] {share:4.0%}  {megabytes} of {total / 1e6:.1f} MB"


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def download_model(
    url: str,
    dest_dir: Path,
    expected_size: int | None,
    progress: Progress | None = None,
    *,
    say: Callable[[str], None] = _say,
    timeout: float = 30.0,
) -> Path:
    """Download the zipped model at `url` and unpack it as `dest_dir/<name of the zip>`.

    Returns the model folder. Already there: returns it without downloading. Any failure
    raises UserError saying what to do, and leaves nothing behind but what was there before.
    """
    name = _model_name(url)
    target = dest_dir / name
    if target.exists():
        if (target / "am").is_dir():
            say(f"The speech model is already there: {target}")
            return target
        raise UserError(
            f"{target} exists but is not a complete speech model. Remove it and run "
            f"'{DOWNLOAD_COMMAND}' again."
        )
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(dest_dir, name)
        work = Path(tempfile.mkdtemp(prefix=f"{PARTIAL_PREFIX}{name}-", dir=dest_dir))
    except OSError as error:
        raise UserError(f"Cannot write the speech model to {dest_dir}: {error}") from None
    try:
        size = f" ({expected_size / 1e6:.0f} MB)" if expected_size else ""
        say(f"Downloading {name}{size} from {url}")
        archive = work / f"{name}.zip"
        _fetch(url, archive, expected_size, progress or ProgressBar(), timeout)
        root = _unpack(archive, work / "unpacked")
        try:
            os.rename(root, target)
            fsync_folder(dest_dir)
        except OSError as error:
            raise UserError(f"Cannot put the speech model in {target}: {error}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"Speech model ready in {target}")
    return target


def _model_name(url: str) -> str:
    file_name = PurePosixPath(urlparse(url).path).name
    name = file_name.removesuffix(".zip")
    if not name or name == file_name:
        raise UserError(f"{url}: not the address of a zipped model (it should end in .zip).")
    return name


def _remove_leftovers(dest_dir: Path, name: str) -> None:
    """Temporary folders of a download that was killed (power cut, Ctrl-C twice)."""
    for old in dest_dir.glob(f"{PARTIAL_PREFIX}{name}-*"):
        shutil.rmtree(old, ignore_errors=True)


def _fetch(
    url: str, archive: Path, expected_size: int | None, progress: Progress, timeout: float
) -> None:
    again = f"Nothing was kept; run '{DOWNLOAD_COMMAND}' again."
    request = urllib.request.Request(url, headers={"User-Agent": "hartsverbinding"})
    done = 0
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,
            archive.open("wb") as out,
        ):
            announced = response.headers.get("Content-Length")
            length = int(announced) if announced and announced.isdigit() else None
            total = expected_size if expected_size is not None else length
            progress(done, total)
            while block := response.read(BLOCK):
                out.write(block)
                done += len(block)
                progress(done, total)
                if expected_size is not None and done > expected_size:
                    break  # not the file we expected; no point fetching the rest
    except urllib.error.HTTPError as error:
        raise UserError(
            f"The model site answered '{error.code} {error.reason}' for {url}. {again}"
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", None) or error
        after = f" after {done / 1e6:.1f} MB" if done else ""
        raise UserError(
            f"The download of {url} failed{after} ({reason}). Check the internet "
            f"connection. {again}"
        ) from None
    if length is not None and done != length:
        raise UserError(f"The download was cut off at {done} of {length} bytes. {again}")
    if expected_size is not None and done != expected_size:
        raise UserError(
            f"The download has {done} bytes where {expected_size} were expected (cut off, or "
            f"not the model file). {again}"
        )


def _unpack(archive: Path, into: Path) -> Path:
    """Check every member's checksum, unpack, and return the model's folder."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            bad = zipped.testzip()
            if bad is not None:
                raise _damaged(f"bad checksum in {bad}")
            for member in zipped.namelist():
                parts = PurePosixPath(member).parts
                if member.startswith("/") or ".." in parts:
                    raise _damaged(f"unsafe path {member!r}")
            zipped.extractall(into)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _damaged(error) from None
    except OSError as error:
        raise UserError(f"Cannot unpack the speech model: {error}") from None
    entries = list(into.iterdir()) if into.is_dir() else []
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else into
    if not (root / "am").is_dir():
        raise _damaged("no Vosk model inside: am/ is missing")
    return root


def _damaged(what: object) -> UserError:
    return UserError(
        f"The downloaded archive is damaged ({what}). Nothing was kept; run "
        f"'{DOWNLOAD_COMMAND}' again."
    )
