"""How fast each kind of line is spoken, by which voice, and how much of it is kept. Built from
the config file (assistant/config.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.dialog.messages import Style

DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # about 40 minutes of speech at 22.05 kHz


@dataclass(frozen=True)
class StyleSettings:
    rate: int  # words per minute, as pyttsx3 counts them on every platform


@dataclass(frozen=True)
class VoiceSettings:
    # The exercise is spoken slower than prompts: a calm guide, not a screen reader.
    prompt: StyleSettings = StyleSettings(rate=150)
    guide: StyleSettings = StyleSettings(rate=120)
    reading: StyleSettings = StyleSettings(rate=135)
    timeout: float = 10.0  # seconds one line may take before the worker is declared stuck
    voice: str | None = None  # a voice id or name to use instead of the first Dutch voice
    rate_factor: float = 1.0  # the person's *langzamer* / *sneller*, on every style's rate
    cache_bytes: int = DEFAULT_MAX_BYTES  # rendered lines kept at most (the cache's cap)

    def for_style(self, style: Style) -> StyleSettings:
        chosen = self.prompt
        if style is Style.GUIDE:
            chosen = self.guide
        elif style is Style.READING:
            chosen = self.reading
        return replace(chosen, rate=round(chosen.rate * self.rate_factor))
