"""Growing delays between attempts to get a device back: the one retry rhythm of the program.

Every device retries the same way: try, on failure log and wait, try again. The first wait is
short (a glitch is over quickly); each failure doubles it up to a ceiling, so a device that
stays away is not hammered; only success starts again from the short wait.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Backoff:
    first: float = 0.5  # seconds before the first retry
    most: float = 10.0  # seconds between retries at most
    _next: float = field(init=False)

    def __post_init__(self) -> None:
        self._next = self.first

    def delay(self) -> float:
        """How long to wait before the next attempt; each call waits longer than the last."""
        delay = self._next
        self._next = min(self.most, self._next * 2)
        return delay

    def reset(self) -> None:
        """The device works again: the next failure starts from the short wait."""
        self._next = self.first
