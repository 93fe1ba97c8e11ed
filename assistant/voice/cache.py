"""Rendered lines kept as WAV files, so a line is synthesised once and then just played.

What is kept, and given out, is the line at its finished loudness: faded in and out (no
click) and brought to the speech loudness (assistant/loudness.py), whatever voice rendered it.
The listener's volume is no concern of the cache: it is applied as the line is played
(assistant/speaker/volume.py), so changing it renders nothing again.

Where: `folder/v<FORMAT>/<sha256 of format, voice identity and text>.wav`. On first use the
files an older version left in `folder` (the flat files of format 1, other version folders)
are deleted: they were made differently, and some held lines with the person's own words.

Bounded: the entries take at most `max_bytes` (the WAV files' sizes). When a new entry goes
over, the least recently used go first, down to 90 % of the cap. A hit marks its entry used
by its modification time (at most once an hour per entry, to spare an SD card); the folder is
the only index, so there is nothing to get out of step after a crash or between processes.

Never on disk: `render_private` renders in memory only (the worker writes no file either):
for lines that carry the person's words, such as an answer read back.

Threads: the session and the pre-renderer call in at the same time. Writes and evictions take
turns; a read races them safely: an entry evicted under a reader is simply rendered again.
Every CachedVoice on one folder in a process shares what it knows of it (`_Folder`): with a
voice server, its lines and the local voice's go into the same folder under one cap. Another
process's writes are seen at its next eviction, which counts the folder's files again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.audio import AudioChunk, read_wav, wav_bytes
from assistant.dialog.messages import Style
from assistant.durable import ensure_private_folder, remove_stale_temp_files, write_durably
from assistant.errors import UserError
from assistant.loudness import fade_edges, normalise_loudness
from assistant.voice.base import KeyedVoice
from assistant.voice.settings import DEFAULT_MAX_BYTES

log = logging.getLogger(__name__)

# Bump when the stored audio changes meaning (e.g. different trimming). 2: loudness-normalised,
# faded, at full volume (volume no longer in the key), kept in a folder of its own.
FORMAT = "3"
LOW_WATER = 0.9  # an eviction frees down to this share of the cap, not one entry at a time
TOUCH_AFTER = 3600.0  # seconds: a hit on an entry older than this marks it used again

_ENTRY = re.compile(r"[0-9a-f]{64}\.wav")
_TEMP = re.compile(r"\.[0-9a-f]{64}\.wav\.tmp-\d+")
_VERSION = re.compile(r"v\d+")


@dataclass
class _Folder:
    """One cache folder as this process knows it, shared by every CachedVoice on it."""

    lock: threading.Lock = field(default_factory=threading.Lock)  # set-up, writes, evictions
    ready: bool = False  # set up: older versions' files removed, the entries counted
    bytes: int = 0  # the entries' size


_FOLDERS: dict[Path, _Folder] = {}
_FOLDERS_LOCK = threading.Lock()


def _folder(entries: Path) -> _Folder:
    with _FOLDERS_LOCK:  # one folder reached by two paths (a link, `..`) is still one
        return _FOLDERS.setdefault(Path(os.path.realpath(entries)), _Folder())


def finish_line(audio: AudioChunk) -> AudioChunk:
    """A rendered line as it is kept: faded at both ends, at the speech loudness."""
    return normalise_loudness(fade_edges(audio))


def remove_old_versions(folder: Path) -> int:
    """Delete what older versions of the cache left in `folder`: entries and temp files lying
    in it directly (format 1), and version folders other than the current one. Touches
    nothing else, in case `folder` holds more than the cache. Returns how many files went."""
    removed = 0
    try:
        items = list(folder.iterdir())
    except OSError:
        return 0
    for item in items:
        if item.name == f"v{FORMAT}":
            continue
        if _VERSION.fullmatch(item.name) and item.is_dir() and not item.is_symlink():
            with contextlib.suppress(OSError):
                inside = list(item.iterdir())
                if all(_ENTRY.fullmatch(f.name) or _TEMP.fullmatch(f.name) for f in inside):
                    shutil.rmtree(item)
                    removed += len(inside)
        elif _ENTRY.fullmatch(item.name) or _TEMP.fullmatch(item.name):
            with contextlib.suppress(OSError):
                item.unlink()
                removed += 1
    return removed


class CachedVoice:
    """A voice in front of another, remembering every line it rendered under `folder`."""

    def __init__(self, inner: KeyedVoice, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.inner = inner
        self.folder = folder
        self.entries = folder / f"v{FORMAT}"
        self.max_bytes = max_bytes
        self._lock = threading.Lock()  # the counters
        self._shared = _folder(self.entries)
        self._ready = False  # this instance's cap applied to the folder
        self.hits = 0
        self.misses = 0

    def identity(self, style: Style) -> str:
        return self.inner.identity(style)

    def retune(self, rate_factor: float) -> None:
        self.inner.retune(rate_factor)

    def path_for(self, text: str, style: Style) -> Path:
        key = "\0".join((FORMAT, self.inner.identity(style), text))
        return self.entries / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()}.wav"

    def render(self, text: str, style: Style) -> AudioChunk:
        """The finished line: from the cache, or rendered and then kept."""
        self._set_up()
        path = self.path_for(text, style)
        line = _load(path)
        with self._lock:
            if line is not None:
                self.hits += 1
            else:
                self.misses += 1
        if line is None:
            line = finish_line(self.inner.render(text, style))
            self._store(path, line)
        return line

    def render_private(self, text: str, style: Style) -> AudioChunk:
        """The finished line, rendered in memory: nothing is read from or written to the
        cache, and the engine writes no file. For the person's own words."""
        return finish_line(self.inner.render(text, style))

    def prepare(self, lines: Iterable[tuple[str, Style]]) -> int:
        """Render every line not cached yet; returns how many were rendered. Stops at the first
        VoiceError (the lines before it stay cached) and lets the caller decide."""
        self._set_up()
        rendered = 0
        for text, style in dict.fromkeys(lines):
            path = self.path_for(text, style)
            if _mark_used(path):
                continue
            self._store(path, finish_line(self.inner.render(text, style)))
            rendered += 1
        return rendered

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()

    # --- the folder ---------------------------------------------------------------------------

    def _set_up(self) -> None:
        if self._ready:  # every render asks: a hit must not wait for another voice's write
            return
        shared = self._shared
        with shared.lock:
            if self._ready:
                return
            if not shared.ready:
                removed = remove_old_versions(self.folder)
                if removed:
                    log.info("voice cache: removed %d files left by an older version", removed)
                with contextlib.suppress(OSError):
                    remove_stale_temp_files(self.entries)
                shared.bytes = sum(size for _, size, _ in _scan(self.entries))
                shared.ready = True
            if shared.bytes > self.max_bytes:  # a smaller cap than last time
                self._evict(keep=None)
            self._ready = True

    def _store(self, path: Path, audio: AudioChunk) -> None:
        # A cache that cannot be written (full disk, read-only home) only costs speed, so a
        # failure here is swallowed: the line was rendered and will be spoken all the same.
        data = wav_bytes(audio)
        shared = self._shared
        with shared.lock:
            try:
                ensure_private_folder(self.folder)
                ensure_private_folder(self.entries)
                try:
                    replaced = path.stat().st_size
                except FileNotFoundError:
                    replaced = 0
                write_durably(path, data)  # a power cut leaves no half file behind
            except OSError:
                return
            shared.bytes += len(data) - replaced
            if shared.bytes > self.max_bytes:
                self._evict(keep=path)

    def _evict(self, keep: Path | None) -> None:
        """Least recently used first, until the entries fit in LOW_WATER of the cap."""
        entries = sorted(_scan(self.entries), key=lambda entry: entry[2])
        total = sum(size for _, size, _ in entries)
        for path, size, _ in entries:
            if total <= self.max_bytes * LOW_WATER:
                break
            if path == keep:
                continue
            try:
                path.unlink()
            except FileNotFoundError:
                pass  # another process evicted it first
            except OSError:
                continue  # e.g. open elsewhere on Windows: try the next one
            total -= size
        self._shared.bytes = total


def _scan(folder: Path) -> list[tuple[Path, int, float]]:
    """The cache's entries with their sizes and modification times."""
    found = []
    try:
        with os.scandir(folder) as items:
            for item in items:
                if not _ENTRY.fullmatch(item.name):
                    continue
                with contextlib.suppress(OSError):  # gone meanwhile
                    info = item.stat()
                    found.append((Path(item.path), info.st_size, info.st_mtime))
    except OSError:
        pass
    return found


def _mark_used(path: Path) -> bool:
    """True if the entry exists; its modification time then says it was used now."""
    try:
        modified = path.stat().st_mtime
    except OSError:
        return False
    if time.time() - modified > TOUCH_AFTER:
        with contextlib.suppress(OSError):  # evicted meanwhile, or a read-only cache
            os.utime(path)
    return True


def _load(path: Path) -> AudioChunk | None:
    if not _mark_used(path):
        return None
    try:
        return read_wav(path)
    except UserError:
        return None  # evicted since, or damaged: rendered again (and a damaged one replaced)
