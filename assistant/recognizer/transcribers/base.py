"""What every recogniser of a kept answer gives: one transcript, and which recogniser made it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from assistant.content.phrases import normalise

if TYPE_CHECKING:  # only named here: a typed session never imports numpy
    from assistant.audio import AudioChunk

RATE = 16000  # what every recogniser here listens at

_TRAILING = " ,;:-–"  # what a stop word leaves behind in a punctuated transcript ("moe, klaar.")


@dataclass(frozen=True)
class Transcript:
    """The text of one answer as one recogniser heard it."""

    text: str
    recognizer: str  # short and stable: "vosk:vosk-model-small-nl-0.22", "whisper:base", ...
    seconds: float  # how long the recogniser took


class TranscriptionFailed(Exception):
    """No transcript this time (the speech server is unreachable, too slow, or failed): the
    caller keeps the transcript it has. The message names the cause, never the words."""


class Transcriber(Protocol):
    @property
    def name(self) -> str:
        """The `recognizer` of the transcripts it makes."""
        ...

    def transcribe(self, audio: AudioChunk) -> Transcript:
        """The text of `audio` (any rate). TranscriptionFailed when it cannot be had now."""
        ...


def without_stop_phrase(text: str, stop_phrases: Sequence[str]) -> str:
    """`text` without the stop phrase it ends with, in any case and punctuation: "Ik ben moe,
    klaar." -> "Ik ben moe". The answer's recording holds the stop word; its text must not."""
    tokens = text.split()
    words = [
        (word, index) for index, token in enumerate(tokens) for word in normalise(token).split()
    ]
    for phrase in sorted((normalise(p).split() for p in stop_phrases), key=len, reverse=True):
        tail = words[-len(phrase) :] if phrase else []
        if phrase and [word for word, _ in tail] == phrase:
            return " ".join(tokens[: tail[0][1]]).rstrip(_TRAILING)
    return text
