"""One voice shared by the session and a background thread that renders the known lines ahead.

The worker process takes one line at a time, so the session waits at most for the line being
rendered ahead; every other line it needs is in the cache by the time it is said.
"""

from __future__ import annotations

import threading

from assistant.audio import AudioChunk
from assistant.dialog.messages import Style
from assistant.voice.base import CachingVoice, VoiceError


class SharedVoice:
    """The session's voice, with the practice's lines rendered ahead in the background."""

    def __init__(self, voice: CachingVoice) -> None:
        self.voice = voice
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    def render(self, text: str, style: Style) -> AudioChunk:
        return self.voice.render(text, style)

    def render_private(self, text: str, style: Style) -> AudioChunk:
        return self.voice.render_private(text, style)

    def retune(self, rate_factor: float) -> None:
        self.voice.retune(rate_factor)

    def prepare_in_background(self, lines: list[tuple[str, Style]]) -> None:
        def prepare() -> None:
            for text, style in lines:
                if self._closing.is_set():
                    return
                try:
                    self.voice.prepare([(text, style)])  # a cached line is not even read
                except VoiceError:
                    return  # the session will say (or print) it when it comes

        self._thread = threading.Thread(target=prepare, name="voice-prepare", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.voice.close()
