"""Rendered lines kept as WAV files, so a line is synthesised once and then just played."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path

from assistant.audio import AudioChunk, read_wav, wav_bytes
from assistant.dialog.messages import Style
from assistant.durable import ensure_private_folder, write_durably
from assistant.errors import UserError
from assistant.voice.base import KeyedVoice

FORMAT = "1"  # bump when the stored audio changes meaning (e.g. different trimming)


class CachedVoice:
    """A voice in front of another, remembering every line it rendered in `folder`."""

    def __init__(self, inner: KeyedVoice, folder: Path) -> None:
        self.inner = inner
        self.folder = folder
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def identity(self, style: Style) -> str:
        return self.inner.identity(style)

    def retune(self, rate_factor: float) -> None:
        self.inner.retune(rate_factor)

    def path_for(self, text: str, style: Style) -> Path:
        key = "\0".join((FORMAT, self.inner.identity(style), text))
        return self.folder / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()}.wav"

    def render(self, text: str, style: Style) -> AudioChunk:
        path = self.path_for(text, style)
        cached = _load(path)
        with self._lock:
            if cached is not None:
                self.hits += 1
            else:
                self.misses += 1
        if cached is not None:
            return cached
        audio = self.inner.render(text, style)
        self._store(path, audio)
        return audio

    def prepare(self, lines: Iterable[tuple[str, Style]]) -> int:
        """Render every line not cached yet; returns how many were rendered. Stops at the first
        VoiceError (the lines before it stay cached) and lets the caller decide."""
        rendered = 0
        for text, style in dict.fromkeys(lines):
            path = self.path_for(text, style)
            if path.exists():
                continue
            self._store(path, self.inner.render(text, style))
            rendered += 1
        return rendered

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()

    def _store(self, path: Path, audio: AudioChunk) -> None:
        # A cache that cannot be written (full disk, read-only home) only costs speed, so a
        # failure here is swallowed: the line was rendered and will be spoken all the same.
        with contextlib.suppress(OSError):
            ensure_private_folder(path.parent)
            write_durably(path, wav_bytes(audio))  # a power cut leaves no half file behind


def _load(path: Path) -> AudioChunk | None:
    if not path.exists():
        return None
    try:
        return read_wav(path)
    except UserError:
        return None  # a damaged entry is rendered again and overwritten
