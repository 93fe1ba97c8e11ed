"""One take: the coach reads a line, the recording ends on silence, and the silence at both ends
is trimmed off. The voice-activity detector finds the speech; from there each end is followed
outwards as long as the sound stays clearly above the room's own noise (a soft onset, a last
consonant, the decay of the voice), and a short margin of room tone is kept. So the recording
carries almost no silence of its own, and the exercise's pauses sound as long as the content
says, as they do with a synthetic voice.

Judged in seconds of audio (not of the clock), so a recording used as the microphone gives the
same take as the same sound spoken live. Pure: feed it chunks, it says when the take is done.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.audio import AudioChunk
from assistant.recognizer.vad import EnergyVad

MARGIN = 0.05  # seconds of room tone kept before the first and after the last sound
EDGE_MOST = 0.3  # seconds an end is followed outwards at most from where speech was detected
EDGE_RATIO = 2.0  # sound counts while this many times the room's level (+6 dB)
EDGE_MIN_LEVEL = 50.0  # ... and louder than this (RMS on the 16-bit scale, about -56 dBFS)
EDGE_FRAME = 0.01  # seconds
FLOOR_PERCENTILE = 10  # the room's level: a low percentile of the take's frames
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
        start, end = sound_edges(audio, vad.started_at, vad.last_speech_end)
        return Take(
            trim(audio, start - self.margin, end + self.margin), heard=True, cut_off=cut_off
        )


def sound_edges(audio: AudioChunk, start: float, end: float) -> tuple[float, float]:
    """The speech found from `start` to `end` seconds, each end moved outwards (by at most
    EDGE_MOST) while the sound stays above the room's level."""
    frame = max(1, round(EDGE_FRAME * audio.rate))
    values = audio.array().astype(np.float64)
    count = len(values) // frame
    if count == 0:
        return start, end
    levels = np.sqrt((values[: count * frame].reshape(count, frame) ** 2).mean(axis=1))
    floor = float(np.percentile(levels, FLOOR_PERCENTILE))
    loud = levels > max(EDGE_MIN_LEVEL, EDGE_RATIO * floor)
    most = round(EDGE_MOST / EDGE_FRAME)
    first = min(count, max(0, int(start / EDGE_FRAME)))
    last = min(count, max(first, int(np.ceil(end / EDGE_FRAME))))  # one past the end
    for _ in range(most):
        if first == 0 or not loud[first - 1]:
            break
        first -= 1
    for _ in range(most):
        if last >= count or not loud[last]:
            break
        last += 1
    return first * EDGE_FRAME, last * EDGE_FRAME


def trim(audio: AudioChunk, start: float, end: float) -> AudioChunk:
    """The part of `audio` from `start` to `end` seconds (clipped to what there is)."""
    first = max(0, round(start * audio.rate))
    last = min(audio.frames, round(end * audio.rate))
    return AudioChunk(audio.samples[first * 2 : max(first, last) * 2], audio.rate)
