"""The Dutch voice of the system (espeak-ng, macOS, Windows) through pyttsx3, in a worker."""

from __future__ import annotations

import threading
from dataclasses import replace

from assistant.audio import AudioChunk
from assistant.dialog.messages import Style
from assistant.voice.base import VoiceError
from assistant.voice.choose import VoiceInfo, choose_dutch_voice
from assistant.voice.decode import decode_speech, trim_edges
from assistant.voice.process import DEFAULT_TARGET, WorkerProcess
from assistant.voice.settings import VoiceSettings
from assistant.voice.worker import NO_AUDIO, Failed, ListVoices, Rendered, RenderLine, Voices

ENGINE_RATE = 22050  # what espeak-ng writes; only used for a line with nothing to say


class Pyttsx3Voice:
    """Renders each line to audio in a fresh worker process, so a hung engine costs one line.
    `worker` ('module:function') is what the worker runs; tests swap in a faulty one.
    Lines come at the engine's full volume; the volume is applied as they are played."""

    def __init__(self, settings: VoiceSettings | None = None, worker: str = DEFAULT_TARGET) -> None:
        self.settings = settings or VoiceSettings()
        self._worker = WorkerProcess(worker)
        self._voice: VoiceInfo | None = None
        self._voice_lock = threading.Lock()
        self.renders = 0  # lines sent to the engine (a cache hit sends none)
        self.retries = 0  # lines rendered a second time after the engine wrote nothing

    @property
    def voice(self) -> VoiceInfo:
        """The voice in use, found on first need. UserError if there is no Dutch voice."""
        with self._voice_lock:
            if self._voice is None:
                reply = self._worker.call(ListVoices(), self.settings.timeout)
                if isinstance(reply, Failed):
                    raise VoiceError(f"the speech engine lists no voices: {reply.message}")
                if not isinstance(reply, Voices):
                    raise VoiceError("the speech worker answered out of turn")
                listed = [VoiceInfo(*voice) for voice in reply.voices]
                self._voice = choose_dutch_voice(listed, self.settings.voice)
            return self._voice

    @property
    def worker_starts(self) -> int:
        return self._worker.starts

    def identity(self, style: Style) -> str:
        return f"pyttsx3|{self.voice.id}|rate={self.settings.for_style(style).rate}"

    def retune(self, rate_factor: float) -> None:
        self.settings = replace(self.settings, rate_factor=rate_factor)

    def render(self, text: str, style: Style) -> AudioChunk:
        voice = self.voice
        if not text.strip():
            # espeak-ng may never report the end of an empty utterance: nothing to wait for.
            return AudioChunk(b"", ENGINE_RATE)
        wanted = self.settings.for_style(style)
        request = RenderLine(text, voice.id, wanted.rate)
        self.renders += 1
        reply = self._worker.call(request, self.settings.timeout)
        if isinstance(reply, Failed) and reply.message == NO_AUDIO:
            self.retries += 1
            reply = self._worker.call(request, self.settings.timeout)  # a fresh worker
        if isinstance(reply, Failed):
            raise VoiceError(f"the speech engine failed on a line: {reply.message}")
        if not isinstance(reply, Rendered):
            raise VoiceError("the speech worker answered out of turn")
        return trim_edges(decode_speech(reply.data))

    def close(self) -> None:
        self._worker.close()
