"""What every audio source looks like to the recognizer: a stream of mono 16-bit chunks."""

from __future__ import annotations

from typing import Protocol

from assistant.audio import AudioChunk
from assistant.errors import UserError


class MicrophoneError(UserError):
    """The microphone is missing or unusable; the message names it and says what to try."""


class Microphone(Protocol):
    """A source of mono 16-bit `AudioChunk`s at `rate`.

    `realtime` is True when audio arrives as fast as it is spoken (a device, a file played in
    real time): audio that nobody listens to is then lost. A file read as fast as it is
    consumed waits instead, so whoever reads it may pause without losing anything.
    """

    rate: int
    realtime: bool

    @property
    def ended(self) -> bool:
        """True once a recording has delivered its last chunk (never for a device)."""
        ...

    @property
    def overflows(self) -> int:
        """Chunks of audio lost because nobody read them in time."""
        ...

    def start(self) -> None: ...

    def read(self, timeout: float) -> AudioChunk | None:
        """The next chunk, or None when none came within `timeout` seconds (or it ended)."""
        ...

    def close(self) -> None: ...
