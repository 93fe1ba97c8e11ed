"""A text-to-speech server in the house as a voice (e.g. Home Assistant's `wyoming-piper`).

It renders through the same cache, loudness step and fallback as every other voice: a line is
sent as one `Synthesize`, and the server's `AudioStart`, `AudioChunk`s and `AudioStop` come
back at the server's rate. Unreachable, too slow, or dead halfway: VoiceError within the
line's deadline, and the line is shown as text (or the caller falls back to the next voice).

The speaking rate is the server's own. The Wyoming protocol has no rate field in `Synthesize`,
and wyoming-piper sets its speed once, at start (`--length-scale`); stretching the audio here
would change the voice itself. So `rate_prompt`, `rate_guide`, `rate_reading` and
*langzamer*/*sneller* do not change how fast a server voice speaks; the pauses of the exercise
follow them as with every voice, and the volume applies as always.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from assistant.audio import SAMPLE_WIDTH, AudioChunk
from assistant.dialog.messages import Style
from assistant.i18n import _
from assistant.speech_server import (
    CONNECT_TIMEOUT,
    ServerUnavailable,
    describe,
    exchange,
    require_wyoming,
)
from assistant.voice.base import VoiceError
from assistant.voice.decode import trim_edges
from assistant.voice.settings import ServerVoice, VoiceSettings

if TYPE_CHECKING:
    from wyoming.info import Info

__all__ = ["ServerVoice", "WyomingVoice", "voice_problem"]


class WyomingVoice:
    def __init__(
        self,
        voice: ServerVoice,
        settings: VoiceSettings | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self.voice = voice
        self.settings = settings or VoiceSettings()
        self.connect_timeout = connect_timeout
        self.renders = 0  # lines sent to the server (a cache hit sends none)

    def identity(self, style: Style) -> str:
        # No rate: it does not change the audio (see above). No volume: applied when played.
        return (
            f"wyoming|{self.voice.address.uri}|{self.voice.name or ''}|{self.voice.speaker or ''}"
        )

    def retune(self, rate_factor: float) -> None:
        self.settings = replace(self.settings, rate_factor=rate_factor)

    def deadline(self, text: str) -> float:
        """The synthesis timeout, plus as long as the line takes to say at a slow rate."""
        return self.settings.timeout + len(text.split()) * 60 / self.settings.guide.rate

    def check(self) -> None:
        """VoiceError unless the server answers and offers this voice: asks it to describe
        itself (nothing of the person's is sent). Used to find out when it is back."""
        try:
            info = describe(self.voice.address, connect_timeout=self.connect_timeout)
        except ServerUnavailable as error:
            raise VoiceError(str(error)) from None
        problem = voice_problem(info, self.voice)
        if problem is not None:
            raise VoiceError(problem)

    def render(self, text: str, style: Style) -> AudioChunk:
        require_wyoming()
        from wyoming.audio import AudioChunk as WyomingChunk
        from wyoming.audio import AudioStart, AudioStop
        from wyoming.tts import Synthesize, SynthesizeVoice

        if not text.strip():
            return AudioChunk(b"", 16000)
        wanted = None
        if self.voice.name is not None:
            wanted = SynthesizeVoice(name=self.voice.name, speaker=self.voice.speaker)
        self.renders += 1
        try:
            events = exchange(
                self.voice.address,
                [Synthesize(text=text, voice=wanted).event()],
                lambda event: AudioStop.is_type(event.type),
                timeout=self.deadline(text),
                connect_timeout=self.connect_timeout,
            )
        except ServerUnavailable as error:
            raise VoiceError(str(error)) from None
        starts = [AudioStart.from_event(e) for e in events if AudioStart.is_type(e.type)]
        chunks = [WyomingChunk.from_event(e) for e in events if WyomingChunk.is_type(e.type)]
        if not starts:
            raise VoiceError("the speech server sent audio without saying its format")
        start = starts[0]
        if start.width != SAMPLE_WIDTH or start.channels < 1 or start.rate <= 0:
            raise VoiceError(
                f"the speech server sent {start.width * 8}-bit audio; 16-bit was expected"
            )
        raw = b"".join(chunk.audio for chunk in chunks)
        values = np.frombuffer(raw[: len(raw) - len(raw) % (2 * start.channels)], dtype="<i2")
        mono = values.reshape(-1, start.channels).astype(np.float64).mean(axis=1)
        return trim_edges(AudioChunk.from_array(mono, start.rate))


def voice_problem(info: Info, voice: ServerVoice, language: str | None = None) -> str | None:
    """What keeps a server described by `info` from speaking as `voice` (in `language`, a code
    such as `nl`, when given), or None when nothing does."""
    voices = [v for program in info.tts if program.installed for v in program.voices]
    if not voices:
        return _("the server at {uri} offers no text-to-speech").format(uri=voice.address.uri)
    if voice.name is not None:
        voices = [v for v in voices if v.name == voice.name]
        if not voices or not voices[0].installed:
            return _("the server at {uri} does not offer the voice {name}").format(
                uri=voice.address.uri, name=voice.name
            )
    if language is not None and not any(
        _speaks(code, language) for v in voices if v.installed for code in v.languages
    ):
        return _("the server at {uri} offers no voice in the language {language}").format(
            uri=voice.address.uri, language=language
        )
    return None


def _speaks(code: str, language: str) -> bool:
    """`nl_NL`, `nl-BE` and `nl` all speak `nl`."""
    return code.replace("-", "_").lower().split("_")[0] == language.lower()
