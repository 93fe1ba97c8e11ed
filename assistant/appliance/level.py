"""How loud a microphone test recording is: too quiet, clipping, or fine. Pure."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from assistant.audio import AudioChunk

WINDOW_SECONDS = 0.1
QUIET_DBFS = -40.0  # the loudest 100 ms below this: nobody spoke, or the level is far too low
CLIP_SAMPLE = 32000  # a sample this close to full scale has (nearly) hit the limit
CLIP_FRACTION = 0.001  # clipping when more than this share of the samples hit the limit


class Verdict(enum.Enum):
    TOO_QUIET = "too quiet"
    CLIPPING = "clipping"
    FINE = "fine"


@dataclass(frozen=True)
class Level:
    loudest_dbfs: float  # the loudest 100 ms window's RMS, in dB below full scale
    clipped: float  # share of samples at the limit

    @property
    def verdict(self) -> Verdict:
        if self.clipped > CLIP_FRACTION:
            return Verdict.CLIPPING
        if self.loudest_dbfs < QUIET_DBFS:
            return Verdict.TOO_QUIET
        return Verdict.FINE


def measure(audio: AudioChunk) -> Level:
    samples = audio.array().astype(np.float64)
    if samples.size == 0:
        return Level(-math.inf, 0.0)
    window = max(1, round(WINDOW_SECONDS * audio.rate))
    count = samples.size // window
    windows = samples[: count * window].reshape(count, window) if count else samples[None, :]
    loudest = float(np.sqrt(np.mean(windows * windows, axis=1)).max())
    clipped = float(np.mean(np.abs(samples) >= CLIP_SAMPLE))
    return Level(_dbfs(loudest), clipped)


def _dbfs(value: float) -> float:
    return 20 * math.log10(value / 32768) if value > 0 else -math.inf
