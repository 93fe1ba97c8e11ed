"""How fast each kind of line is spoken, by which voice, and how much of it is kept. Built from
the config file (assistant/config.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.dialog.messages import Style

if TYPE_CHECKING:
    from assistant.speech_server import ServerAddress

DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # about 40 minutes of speech at 22.05 kHz


@dataclass(frozen=True)
class StyleSettings:
    rate: int  # words per minute, as pyttsx3 counts them on every platform


@dataclass(frozen=True)
class ServerVoice:
    """A voice on a speech server in the house (`voice_server: tcp://HOST:PORT[/VOICE]`): its
    address, and the voice's (and speaker's) name there, if any."""

    address: ServerAddress
    name: str | None = None  # None: the server's default voice
    speaker: str | None = None

    @staticmethod
    def parse(text: str) -> ServerVoice:
        """`tcp://HOST:PORT` or `tcp://HOST:PORT/VOICE`, or UserError saying how to write it."""
        from assistant.speech_server import ServerAddress

        value = text.strip()
        if not value.startswith("tcp://"):
            ServerAddress.parse(value)  # raises, saying how it should look
        where, _, name = value.removeprefix("tcp://").partition("/")
        address = ServerAddress.parse(f"tcp://{where}")
        return ServerVoice(address, name.strip("/") or None)

    @property
    def uri(self) -> str:
        return self.address.uri + (f"/{self.name}" if self.name else "")


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
    server: ServerVoice | None = None  # a voice server in the house; None: none (the default)
    # The lines with the person's own words go to the server too (else the local voice says
    # them, and their text never leaves the device).
    server_personal: bool = False

    def for_style(self, style: Style) -> StyleSettings:
        chosen = self.prompt
        if style is Style.GUIDE:
            chosen = self.guide
        elif style is Style.READING:
            chosen = self.reading
        return replace(chosen, rate=round(chosen.rate * self.rate_factor))
