"""Output for text mode without sound: nothing is heard, but every segment takes its time."""

from __future__ import annotations

import threading
import time

from assistant.speaker.base import Segment


class ClockSpeaker:
    """Timed pauses without a sound device: wait() is False until the segments' time is up."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._ends_at = time.monotonic()

    def play(self, segment: Segment) -> None:
        with self._changed:
            self._ends_at = max(self._ends_at, time.monotonic()) + segment.audio.seconds
            self._changed.notify_all()

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout)
        with self._changed:
            while True:
                now = time.monotonic()
                if now >= self._ends_at:
                    return True
                if now >= deadline:
                    return False
                # Woken early by stop(), which moves the end to now.
                self._changed.wait(min(self._ends_at, deadline) - now)

    def stop(self) -> None:
        with self._changed:
            self._ends_at = time.monotonic()
            self._changed.notify_all()

    def close(self) -> None:
        self.stop()
