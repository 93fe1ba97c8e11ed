"""A WAV recording that behaves like a microphone: for demos, tests and trying without hardware."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.audio import AudioChunk, read_wav, resample, split

CHUNK_MS = 100


class WavMicrophone:
    """Delivers a recording in ~100 ms chunks, paced in real time or as fast as it is read."""

    def __init__(self, path: Path, realtime: bool, rate: int = 16000) -> None:
        self.path = path
        self.rate = rate
        self.realtime = realtime
        # Read up front so a bad file fails when the microphone is chosen, not mid-session.
        self._chunks = list(split(resample(read_wav(path), rate), CHUNK_MS))
        self._next = 0
        self._started_at: float | None = None
        self._delivered_seconds = 0.0

    @property
    def ended(self) -> bool:
        return self._next >= len(self._chunks)

    @property
    def overflows(self) -> int:
        return 0  # a file never loses audio: it waits for its reader

    def start(self) -> None:
        self._started_at = time.monotonic()

    def read(self, timeout: float) -> AudioChunk | None:
        if self.ended:
            return None
        if self._started_at is None:
            self.start()
        chunk = self._chunks[self._next]
        if self.realtime:
            # A microphone hands over a chunk once all of it has been spoken.
            assert self._started_at is not None
            due = self._started_at + self._delivered_seconds + chunk.seconds
            wait = due - time.monotonic()
            if wait > timeout:
                time.sleep(max(0.0, timeout))
                return None
            if wait > 0:
                time.sleep(wait)
        self._next += 1
        self._delivered_seconds += chunk.seconds
        return chunk

    def close(self) -> None:
        self._next = len(self._chunks)
