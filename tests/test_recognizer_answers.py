"""Dictated answers: where they end, on real human Dutch speech with pauses, and what is kept."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, ClassVar

import pytest
import vosk

from assistant.audio import AudioChunk, read_wav, silence, split
from assistant.recognizer import AnswerRecorder, ListenSettings, SpokenAnswer
from assistant.recognizer.dictation import strip_stop
from assistant.recognizer.vad import EnergyVad
from tests.helpers import (
    RATE,
    dutch_model,
    espeak,
    human_clips,
    ko_model,
    speech_with_gaps,
    with_noise,
)

pytestmark = [pytest.mark.vosk, pytest.mark.voice]

SETTINGS = ListenSettings()


def _record(recorder: AnswerRecorder, audio: AudioChunk) -> tuple[SpokenAnswer | None, float]:
    """Feed 100 ms chunks until the answer ends: the answer and how much audio that took."""
    fed = 0.0
    for chunk in split(audio, 100):
        fed += chunk.seconds
        answer = recorder.feed(chunk)
        if answer is not None:
            return answer, fed
    return None, fed


@pytest.mark.parametrize("noise", [0.0, 80.0], ids=["quiet", "fan noise"])
def test_pauses_between_sentences_do_not_end_the_answer_but_silence_does(noise: float) -> None:
    audio, speech_end = speech_with_gaps(count=5, gap=0.8, tail=3.0)
    if noise:
        audio = with_noise(audio, noise)
    answer, fed = _record(AnswerRecorder(ko_model(), SETTINGS, ["klaar"]), audio)
    assert answer is not None, "the answer never ended in 3 s of trailing silence"
    assert answer.ended_by == "silence"
    assert answer.speech_started
    assert fed > speech_end, f"ended at {fed:.1f} s, in a pause before the last clip ended"
    # Ends 2.5 s after the last speech; the clips end with up to 1.2 s of their own quiet.
    assert speech_end + 0.5 <= fed <= speech_end + SETTINGS.answer_silence + 0.2
    assert answer.audio.samples == audio.samples[: len(answer.audio.samples)]
    assert answer.audio.seconds == pytest.approx(fed)
    assert answer.text  # the Korean model writes Korean words for Dutch; enough that it wrote


def test_the_pauses_are_real_a_short_silence_setting_ends_in_one() -> None:
    audio, speech_end = speech_with_gaps(count=5, gap=0.8, tail=3.0)
    impatient = replace(SETTINGS, answer_silence=1.0)
    answer, fed = _record(AnswerRecorder(ko_model(), impatient), audio)
    assert answer is not None and answer.ended_by == "silence"
    assert fed < speech_end - 2.0


def test_the_silence_setting_is_respected() -> None:
    audio, speech_end = speech_with_gaps(count=2, gap=0.8, tail=3.0)
    short = replace(SETTINGS, answer_silence=1.5)
    answer, fed = _record(AnswerRecorder(ko_model(), short), audio)
    assert answer is not None and answer.ended_by == "silence"
    assert speech_end <= fed <= speech_end + 1.5 + 0.2


def test_a_long_answer_is_cut_at_the_maximum_length() -> None:
    audio, _end = speech_with_gaps(count=6, gap=0.3, tail=0.0)
    answer, fed = _record(AnswerRecorder(ko_model(), replace(SETTINGS, answer_max=8.0)), audio)
    assert answer is not None and answer.ended_by == "max"
    assert fed == pytest.approx(8.0, abs=0.05) and answer.audio.seconds == pytest.approx(8.0)


def test_no_speech_at_all_ends_as_an_empty_answer_after_the_wait() -> None:
    quiet = with_noise(silence(12.0, RATE), 60.0)
    answer, fed = _record(AnswerRecorder(ko_model(), replace(SETTINGS, answer_wait=6.0)), quiet)
    assert answer is not None
    assert (answer.ended_by, answer.speech_started, answer.text) == ("silence", False, "")
    assert fed == pytest.approx(6.0, abs=0.05)


def test_end_of_input_gives_what_was_said_so_far() -> None:
    recorder = AnswerRecorder(ko_model(), SETTINGS)
    path = human_clips()[0].path
    clip = read_wav(path)
    assert _record(recorder, clip)[0] is None
    answer = recorder.finish()
    assert answer.ended_by == "end_of_input" and answer.speech_started
    assert answer.audio.samples == clip.samples and answer.text


def test_the_recorder_starts_afresh_after_an_answer() -> None:
    audio, _end = speech_with_gaps(count=1, gap=0.0, tail=3.0)
    recorder = AnswerRecorder(ko_model(), SETTINGS)
    first, _ = _record(recorder, audio)
    second, _ = _record(recorder, audio)
    assert first is not None and second is not None
    # Vosk's text varies a little from run to run (it is not deterministic), the rest not.
    assert first.audio.samples == second.audio.samples
    assert (first.ended_by, first.speech_started) == (second.ended_by, second.speech_started)
    assert second.text


# --- the stop word, with a scripted recognizer (its words do not depend on a real model) ---


class DictatingKaldi:
    """Says it heard `words`, one more word per 100 ms chunk; partial results only."""

    words: ClassVar[list[str]] = ["ik", "ben", "vandaag", "blij", "klaar"]

    def __init__(self, model: Any, rate: int) -> None:
        self._count = 0

    def AcceptWaveform(self, data: bytes) -> bool:
        self._count += 1
        return False

    def PartialResult(self) -> str:
        return json.dumps({"partial": " ".join(self.words[: self._count])})

    def FinalResult(self) -> str:
        return json.dumps({"text": " ".join(self.words[: self._count])})

    def Reset(self) -> None:
        self._count = 0


def test_a_stop_word_after_speech_ends_the_answer_and_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vosk, "KaldiRecognizer", DictatingKaldi)
    audio, speech_end = speech_with_gaps(count=1, gap=0.0, tail=3.0)
    recorder = AnswerRecorder(object(), SETTINGS, ["klaar", "dat was het"])
    answer, fed = _record(recorder, audio)
    assert answer is not None and answer.ended_by == "word"
    assert answer.text == "ik ben vandaag blij"
    assert fed < speech_end + SETTINGS.stop_silence + 0.3  # long before the silence rule


def test_without_stop_words_the_same_speech_ends_by_silence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vosk, "KaldiRecognizer", DictatingKaldi)
    audio, _end = speech_with_gaps(count=1, gap=0.0, tail=3.0)
    answer, _fed = _record(AnswerRecorder(object(), SETTINGS, []), audio)
    assert answer is not None and answer.ended_by == "silence"
    assert answer.text == "ik ben vandaag blij klaar"


def test_strip_stop_takes_the_longest_stop_phrase_at_the_end_only() -> None:
    stops = ["klaar", "ik ben klaar", "Dat was het."]
    assert strip_stop("het ging goed ik ben klaar", stops) == "het ging goed"
    assert strip_stop("dat was het", stops) == ""
    assert strip_stop("ik ben klaar met werken", stops) is None
    assert strip_stop("", stops) is None
    assert strip_stop("klaar", []) is None


# --- the energy detector on its own ---


def test_the_detector_follows_the_background_level() -> None:
    path = human_clips()[3].path
    speech = read_wav(path)
    for noise in (0.0, 150.0, 400.0):
        vad = EnergyVad(RATE)
        vad.feed(with_noise(silence(3.0, RATE), noise))
        assert not vad.started, f"noise {noise} taken for speech"
        vad.feed(with_noise(speech, noise, seed=2))
        assert vad.started
        assert vad.started_at == pytest.approx(3.0, abs=0.2)
        vad.feed(with_noise(silence(2.0, RATE), noise, seed=3))
        assert vad.silence > 1.9


# --- Dutch (only with a Dutch model) ---


def test_dutch_klaar_ends_the_answer() -> None:
    model = dutch_model()
    audio = silence(0.5, RATE) + espeak("ik voel me rustig", "nl") + silence(0.4, RATE)
    audio = audio + espeak("klaar", "nl") + silence(3.0, RATE)
    answer, _fed = _record(AnswerRecorder(model, SETTINGS, ["klaar"]), audio)
    assert answer is not None and answer.ended_by == "word"
    assert "klaar" not in answer.text.split() and "rustig" in answer.text
