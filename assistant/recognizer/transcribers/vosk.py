"""Vosk, the streaming recogniser the session listens with, as a transcriber of a whole answer."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from assistant.audio import AudioChunk
from assistant.recognizer.dictation import transcribe_audio
from assistant.recognizer.model import load_model
from assistant.recognizer.transcribers.base import RATE, Transcript, without_stop_phrase


class VoskTranscriber:
    """The model is loaded once per process (shared with the session's listening)."""

    def __init__(self, model_dir: Path, stop_phrases: Sequence[str] = ()) -> None:
        self.model_dir = model_dir
        self.stop_phrases = tuple(stop_phrases)
        self._name = f"vosk:{model_dir.resolve().name}"

    @property
    def name(self) -> str:
        return self._name

    def transcribe(self, audio: AudioChunk) -> Transcript:
        started = time.monotonic()
        text = transcribe_audio(audio, load_model(self.model_dir), RATE)
        text = without_stop_phrase(text, self.stop_phrases)
        return Transcript(text, self.name, time.monotonic() - started)
