"""Free dictation with the full model: the one path both answers and `transcribe` go through."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.audio import AudioChunk, read_wav, resample, split
from assistant.content.phrases import normalise
from assistant.recognizer.renewal import RenewingRecognizer
from assistant.recognizer.vocabulary import UNKNOWN

CHUNK_MS = 100  # the size microphones deliver: a file is decoded as the live answer was


class Dictation:
    """Collects Vosk's text over many utterances. Partial results are computed only when asked
    for, because they cost a decoder traceback each time."""

    def __init__(self, model: Any, rate: int = 16000) -> None:
        self.rate = rate
        self._recognizer = RenewingRecognizer(model, rate)
        self._finals: list[str] = []

    def feed(self, chunk: AudioChunk) -> bool:
        """True when an utterance just ended (Vosk saw its end), so `text` grew."""
        if self._recognizer.accept(chunk.samples):
            self._add(self._recognizer.result())
            return True
        return False

    def partial(self) -> str:
        """Everything heard so far, the utterance still in progress included."""
        pending = _clean(self._recognizer.partial())
        return " ".join(part for part in (self.text, pending) if part)

    @property
    def text(self) -> str:
        return " ".join(self._finals)

    def finish(self) -> str:
        """The whole text, the last utterance flushed; then ready for the next dictation."""
        self._add(self._recognizer.final())
        text = self.text
        self.reset()
        return text

    def reset(self) -> None:
        self._recognizer.reset()
        self._finals = []

    def _add(self, result: str) -> None:
        text = _clean(result)
        if text:
            self._finals.append(text)


def _clean(text: str) -> str:
    return " ".join(word for word in text.split() if word != UNKNOWN)


def strip_stop(text: str, stop_phrases: Sequence[str]) -> str | None:
    """`text` without the stop phrase it ends with ("... dat was alles klaar" -> "... dat was
    alles"), or None when it does not end with one. The longest match wins."""
    words = text.split()
    for phrase in sorted((normalise(p).split() for p in stop_phrases), key=len, reverse=True):
        if phrase and words[-len(phrase) :] == phrase:
            return " ".join(words[: -len(phrase)])
    return None


def transcribe(path: Path, model: Any, rate: int = 16000, stop_phrases: Sequence[str] = ()) -> str:
    """The transcript of a recording (any PCM WAV), through the same dictation as answers;
    a kept answer that ended with a stop word loses it here too."""
    text = transcribe_audio(read_wav(path), model, rate)
    stripped = strip_stop(text, stop_phrases)
    return text if stripped is None else stripped


def transcribe_audio(audio: AudioChunk, model: Any, rate: int = 16000) -> str:
    """Vosk's text of `audio` (any rate), fed in the microphone's block size."""
    dictation = Dictation(model, rate)
    for chunk in split(resample(audio, rate), CHUNK_MS):
        dictation.feed(chunk)
    return dictation.finish()
