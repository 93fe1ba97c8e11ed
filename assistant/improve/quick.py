"""The read-back's transcript from the speech server, when it answers in time.

With a speech server as the better recogniser, an answer is sent to it at once; if its text
comes back within QUICK_BOUND seconds, that text is read back and confirmed (and no later
version is needed), else Vosk's is, and the server's comes later as a version. The bound keeps
the read-back as quick as it was: a server in the house on a fast machine answers a short answer
well within it; a slow or absent one costs at most the bound once, and then, while it keeps
failing, nothing (it is not asked again until RETRY_AFTER seconds have passed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.recognizer.settings import ListenSettings
from assistant.recognizer.transcribers import Transcript, TranscriptionFailed
from assistant.speech_server import ServerAddress

if TYPE_CHECKING:  # only named here: a typed session never imports numpy
    from assistant.audio import AudioChunk

log = logging.getLogger(__name__)

RETRY_AFTER = 60.0  # seconds before a server that failed is asked again for a quick transcript


class QuickServer:
    def __init__(self, spec: str, stop_phrases: Sequence[str], bound: float):
        from assistant.recognizer.transcribers.wyoming_stt import WyomingTranscriber

        self.transcriber = WyomingTranscriber(
            ServerAddress.parse(spec),
            connect_timeout=bound,
            base_timeout=bound,
            realtime_allowance=0.0,
            stop_phrases=stop_phrases,
        )
        self._quiet_until = 0.0

    def transcript(self, audio: AudioChunk) -> Transcript | None:
        if time.monotonic() < self._quiet_until:
            return None
        try:
            return self.transcriber.transcribe(audio)
        except TranscriptionFailed as error:
            log.info("no quick transcript from the speech server (%s)", error)
            self._quiet_until = time.monotonic() + RETRY_AFTER
            return None


def quick_server(settings: ListenSettings, stop_phrases: Sequence[str]) -> QuickServer | None:
    """A QuickServer when the transcriber is a speech server and may be waited for; None for
    every other recogniser (a local model could not beat Vosk's immediate text, and would
    compete with the practice for the CPU)."""
    spec, bound = settings.transcriber.strip(), settings.transcriber_wait
    return QuickServer(spec, stop_phrases, bound) if spec.startswith("tcp://") and bound else None
