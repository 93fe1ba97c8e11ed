"""Answers: dictation that knows when the user has finished speaking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.audio import AudioChunk
from assistant.hearing import EndedBy
from assistant.recognizer.dictation import Dictation, strip_stop
from assistant.recognizer.settings import ListenSettings
from assistant.recognizer.vad import EnergyVad


@dataclass(frozen=True)
class SpokenAnswer:
    """One dictated answer: its words, all of its audio, and how it ended."""

    text: str  # the stop word removed
    audio: AudioChunk  # everything heard while recording, so a misheard answer is never lost
    ended_by: EndedBy
    speech_started: bool


class AnswerRecorder:
    """Feed it audio; it returns the `SpokenAnswer` once the user has finished, then starts afresh.

    Finished means: a stop phrase ("klaar") at the end followed by `stop_silence`, or
    `answer_silence` of quiet after speech started, or `answer_max` of audio, or
    `answer_wait` without any speech (an empty answer, `speech_started` False).
    Silence is judged by energy, not by Vosk: Vosk's endpointing ends an utterance after
    half a second, far too soon for someone thinking between two sentences.
    """

    def __init__(
        self, model: Any, settings: ListenSettings, stop_phrases: Sequence[str] = ()
    ) -> None:
        self.settings = settings
        self.stop_phrases = tuple(stop_phrases)
        self._dictation = Dictation(model, settings.rate)
        self._vad = EnergyVad(
            settings.rate, settings.vad_min_level, settings.vad_ratio, settings.speech_min
        )
        self._stop_checked_at = -1.0
        self.reset()

    def reset(self) -> None:
        self._dictation.reset()
        self._vad.reset()
        self._audio: list[bytes] = []
        self._frames = 0  # counted in frames: a sum of 0.1 s steps drifts below 8.0 s
        self._stop_checked_at = -1.0

    @property
    def seconds(self) -> float:
        return self._frames / self.settings.rate

    @property
    def speech_started(self) -> bool:
        return self._vad.started

    def feed(self, chunk: AudioChunk) -> SpokenAnswer | None:
        self._audio.append(chunk.samples)
        self._frames += chunk.frames
        self._vad.feed(chunk)
        self._dictation.feed(chunk)
        settings, vad = self.settings, self._vad
        if vad.started and self.stop_phrases and self._said_stop():
            return self._end("word")
        if vad.started and vad.silence >= settings.answer_silence:
            return self._end("silence")
        if not vad.started and self._frames >= round(settings.answer_wait * settings.rate):
            return self._end("silence")
        if self._frames >= round(settings.answer_max * settings.rate):
            return self._end("max")
        return None

    def finish(self) -> SpokenAnswer:
        """The input ran out: whatever was said is the answer."""
        return self._end("end_of_input")

    def _said_stop(self) -> bool:
        # Only look once per pause: a partial result costs a decoder traceback, and a stop
        # word only counts when the user stops after it.
        if self._vad.silence < self.settings.stop_silence:
            self._stop_checked_at = -1.0
            return False
        if self._stop_checked_at >= 0 and self._vad.silence - self._stop_checked_at < 0.5:
            return False
        self._stop_checked_at = self._vad.silence
        return strip_stop(self._dictation.partial(), self.stop_phrases) is not None

    def _end(self, ended_by: EndedBy) -> SpokenAnswer:
        text = self._dictation.finish()
        # Also when silence or the end of a file came first: the stop word is never content.
        stripped = strip_stop(text, self.stop_phrases)
        text = text if stripped is None else stripped
        answer = SpokenAnswer(
            text=text,
            audio=AudioChunk(b"".join(self._audio), self.settings.rate),
            ended_by=ended_by,
            speech_started=self._vad.started,
        )
        self.reset()
        return answer
