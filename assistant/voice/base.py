"""What the rest of the assistant needs from a voice: text and a style in, audio out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from assistant.audio import AudioChunk
from assistant.dialog.messages import Style


class VoiceError(Exception):
    """One line could not be rendered. Not a UserError: the session carries on, showing the
    line as text, because a voice that fails once may well work for the next line."""


class Voice(Protocol):
    def render(self, text: str, style: Style) -> AudioChunk: ...


class TunableVoice(Voice, Protocol):
    """A voice whose speaking rate the person can change while it runs."""

    def retune(self, rate_factor: float) -> None:
        """Speak every line from now on at `rate_factor` times the configured rates."""
        ...


class SessionVoice(TunableVoice, Protocol):
    """The voice as a session uses it: lines that may be kept, lines that must not be."""

    def render_private(self, text: str, style: Style) -> AudioChunk:
        """Rendered in memory only: for lines that carry the person's words."""
        ...

    def close(self) -> None: ...


class KeyedVoice(TunableVoice, Protocol):
    """A voice that can say what its output depends on, so renders can be cached safely.

    Its `render` gives the engine's own level at full volume, and keeps the line off the disk
    (in memory, or at most in a RAM folder, deleted at once): some lines carry the person's
    words. The cache in front of it brings every line to one loudness; the volume is applied
    only as the line is played."""

    def identity(self, style: Style) -> str:
        """Everything besides the text that changes the audio (engine, voice id, rate...);
        not the volume, which is applied as the line is played."""
        ...


class CachingVoice(KeyedVoice, Protocol):
    """The voice the program holds (voice/cache.py's CachedVoice, or a server with the local
    voice behind it): lines kept in the cache, lines that must not be, and rendering ahead."""

    def render_private(self, text: str, style: Style) -> AudioChunk:
        """Rendered in memory only: for lines that carry the person's words."""
        ...

    def prepare(self, lines: Iterable[tuple[str, Style]]) -> int:
        """Render the lines not cached yet; returns how many were rendered."""
        ...

    def close(self) -> None: ...
