"""How fast each kind of line is spoken, and by which voice. Filled from the config file."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.dialog.messages import Style


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

    def for_style(self, style: Style) -> StyleSettings:
        chosen = self.prompt
        if style is Style.GUIDE:
            chosen = self.guide
        elif style is Style.READING:
            chosen = self.reading
        return replace(chosen, rate=round(chosen.rate * self.rate_factor))
