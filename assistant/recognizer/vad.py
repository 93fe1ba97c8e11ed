"""Energy voice-activity detection: which stretches of audio are speech, and how long it has
been quiet. Cheap enough for a Raspberry Pi and independent of the language."""

from __future__ import annotations

from collections import deque

import numpy as np

from assistant.audio import AudioChunk

FRAME_MS = 20
FLOOR_SECONDS = 4.0  # the background level is judged over this much recent audio
FLOOR_PERCENTILE = 10  # pauses between words reach the background even in fluent speech
START_WINDOW = 0.5  # seconds in which `speech_min` of speech must fall to count as started


class EnergyVad:
    """Frames louder than both `min_level` and `ratio` times the background are speech.

    The background is a low percentile of recent frame levels, so a fan or a hum raises the
    bar while short pauses between words do not lower it to zero.
    """

    def __init__(
        self, rate: int, min_level: float = 200.0, ratio: float = 2.0, speech_min: float = 0.15
    ) -> None:
        self.rate = rate
        self.min_level = min_level
        self.ratio = ratio
        self._frame = rate * FRAME_MS // 1000
        self._start_frames = max(1, round(speech_min * 1000 / FRAME_MS))
        self._levels: deque[float] = deque(maxlen=round(FLOOR_SECONDS * 1000 / FRAME_MS))
        # Start times of the speech frames in the last START_WINDOW seconds.
        self._recent: deque[float] = deque()
        self.reset()

    def reset(self) -> None:
        self._rest = np.zeros(0, dtype=np.float64)
        self._levels.clear()
        self._recent.clear()
        self.seconds = 0.0  # audio judged so far
        self.started = False
        self.started_at: float | None = None
        self.last_speech_end = 0.0  # where the last speech frame ended, in audio seconds

    @property
    def silence(self) -> float:
        """Seconds of quiet since the last speech (since the start if there was none)."""
        return self.seconds - self.last_speech_end

    def threshold(self) -> float:
        if not self._levels:
            return self.min_level
        floor = float(np.percentile(np.fromiter(self._levels, float), FLOOR_PERCENTILE))
        return max(self.min_level, self.ratio * floor)

    def feed(self, chunk: AudioChunk) -> None:
        values = np.concatenate((self._rest, chunk.array().astype(np.float64)))
        whole = len(values) // self._frame * self._frame
        self._rest = values[whole:]
        if whole == 0:
            return
        frames = values[:whole].reshape(-1, self._frame)
        levels = np.sqrt(np.mean(frames * frames, axis=1))
        # The chunk's own levels count towards the background before it is judged, so the
        # very first chunk of a noisy room is not taken for speech. One threshold per chunk:
        # judging the floor frame by frame costs more than it gives.
        self._levels.extend(float(level) for level in levels)
        threshold = self.threshold()
        step = self._frame / self.rate
        for level in levels:
            self.seconds += step
            if level <= threshold:
                continue
            self.last_speech_end = self.seconds
            if self.started:
                continue
            self._recent.append(self.seconds - step)
            while self._recent[0] < self.seconds - START_WINDOW:
                self._recent.popleft()
            if len(self._recent) >= self._start_frames:
                self.started = True
                self.started_at = self._recent[0]
