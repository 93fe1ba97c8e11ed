"""A speech-to-text server in the house (e.g. Home Assistant's `wyoming-faster-whisper`).

One answer is one connection: `Transcribe`, `AudioStart`, the audio in 100 ms `AudioChunk`s,
`AudioStop`, then the server's `Transcript`. The deadline grows with the answer's length; past
it, or when the server cannot be reached, TranscriptionFailed is raised at once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from assistant.audio import SAMPLE_WIDTH, AudioChunk, resample, split
from assistant.recognizer.transcribers.base import (
    RATE,
    Transcript,
    TranscriptionFailed,
    without_stop_phrase,
)
from assistant.speech_server import (
    CONNECT_TIMEOUT,
    ServerAddress,
    ServerUnavailable,
    exchange,
    require_wyoming,
)

CHUNK_MS = 100
BASE_TIMEOUT = 10.0  # seconds, plus REALTIME_ALLOWANCE per second of audio
REALTIME_ALLOWANCE = 2.0  # a server slower than this is of no use for a journal anyway


class WyomingTranscriber:
    def __init__(
        self,
        address: ServerAddress,
        *,
        language: str = "nl",
        connect_timeout: float = CONNECT_TIMEOUT,
        base_timeout: float = BASE_TIMEOUT,
        realtime_allowance: float = REALTIME_ALLOWANCE,
        stop_phrases: Sequence[str] = (),
    ) -> None:
        self.address = address
        self.language = language
        self.connect_timeout = connect_timeout
        self.base_timeout = base_timeout
        self.realtime_allowance = realtime_allowance
        self.stop_phrases = tuple(stop_phrases)

    @property
    def name(self) -> str:
        return f"wyoming:{self.address.uri}"

    def deadline(self, audio: AudioChunk) -> float:
        return self.base_timeout + self.realtime_allowance * audio.seconds

    def transcribe(self, audio: AudioChunk) -> Transcript:
        require_wyoming()
        from wyoming.asr import Transcribe
        from wyoming.asr import Transcript as WyomingTranscript
        from wyoming.audio import AudioChunk as WyomingChunk
        from wyoming.audio import AudioStart, AudioStop

        speech = resample(audio, RATE)
        form = {"rate": RATE, "width": SAMPLE_WIDTH, "channels": 1}
        send = [
            Transcribe(language=self.language).event(),
            AudioStart(**form).event(),
            *(WyomingChunk(audio=c.samples, **form).event() for c in split(speech, CHUNK_MS)),
            AudioStop().event(),
        ]
        started = time.monotonic()
        try:
            events = exchange(
                self.address,
                send,
                lambda event: WyomingTranscript.is_type(event.type),
                timeout=self.deadline(speech),
                connect_timeout=self.connect_timeout,
            )
        except ServerUnavailable as error:
            raise TranscriptionFailed(str(error)) from None
        text = WyomingTranscript.from_event(events[-1]).text.strip()
        seconds = time.monotonic() - started
        return Transcript(without_stop_phrase(text, self.stop_phrases), self.name, seconds)
