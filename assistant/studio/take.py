"""One take: the coach reads a line, the recording ends on silence, and the silence at both ends
is trimmed off, keeping a short margin so no soft onset or trailing breath is cut.

Judged in seconds of audio (not of the clock), so a recording used as the microphone gives the
same take as the same sound spoken live. Pure: feed it chunks, it says when the take is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.audio import AudioChunk
from assistant.recognizer.vad import EnergyVad

MARGIN = 0.15  # seconds kept before the first and after the last speech
END_SILENCE = 2.5  # seconds of quiet after speech that end a take (room for a coach's pauses)
MOST = 180.0  # seconds: a take never runs longer


@dataclass(frozen=True)
class Take:
    """A finished take: the trimmed recording, and whether speech was heard at all."""

    audio: AudioChunk  # trimmed; empty when nothing was said
    heard: bool
    cut_off: bool = False  # ended at the longest take, not on silence


class TakeRecorder:
    """Feed it the microphone's chunks; `feed` returns the take once the coach has finished."""

    def __init__(
        self,
        rate: int,
        end_silence: float = END_SILENCE,
        most: float = MOST,
        margin: float = MARGIN,
    ) -> None:
        self.rate = rate
        self.end_silence = end_silence
        self.most = most
        self.margin = margin
        self._vad = EnergyVad(rate)
        self._audio: list[bytes] = []
        self._frames = 0

    @property
    def seconds(self) -> float:
        return self._frames / self.rate

    @property
    def started(self) -> bool:
        return self._vad.started

    def feed(self, chunk: AudioChunk) -> Take | None:
        if chunk.rate != self.rate:
            raise ValueError(f"a {chunk.rate} Hz chunk in a {self.rate} Hz take")
        self._audio.append(chunk.samples)
        self._frames += chunk.frames
        self._vad.feed(chunk)
        if self._vad.started and self._vad.silence >= self.end_silence:
            return self.finish()
        if self.seconds >= self.most:
            return self.finish(cut_off=True)
        return None

    def finish(self, cut_off: bool = False) -> Take:
        """The take as it stands (also when the input ended)."""
        audio = AudioChunk(b"".join(self._audio), self.rate)
        vad = self._vad
        if not vad.started or vad.started_at is None:
            return Take(AudioChunk(b"", self.rate), heard=False)
        return Take(
            trim(audio, vad.started_at - self.margin, vad.last_speech_end + self.margin),
            heard=True,
            cut_off=cut_off,
        )


def trim(audio: AudioChunk, start: float, end: float) -> AudioChunk:
    """The part of `audio` from `start` to `end` seconds (clipped to what there is)."""
    first = max(0, round(start * audio.rate))
    last = min(audio.frames, round(end * audio.rate))
    return AudioChunk(audio.samples[first * 2 : max(first, last) * 2], audio.rate)
