"""Recognizers that listen all day are replaced by fresh ones between utterances (issue 17,
item 0: Vosk keeps every frame it heard across utterances, `Reset()` included, so standby grew
by 4 MB a minute). The memory itself is measured by bench/listening_memory.py; here: that a
new Vosk recognizer takes over where it should, and that nothing said is lost or heard twice
across the change. All with the real engine and the Korean test model."""

from __future__ import annotations

from typing import Any

import pytest
import vosk

from assistant.audio import AudioChunk, silence, split
from assistant.recognizer import CommandRecognizer, Dictation
from assistant.recognizer.renewal import DICTATION_RENEW_AFTER
from tests.helpers import KOREAN_START, KOREAN_YES, RATE, espeak, ko_model

SAID = 12  # phrases in a recording


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every real Vosk recognizer made while the test runs, in order."""
    found: list[Any] = []
    real = vosk.KaldiRecognizer

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            found.append(self)

    monkeypatch.setattr(vosk, "KaldiRecognizer", Counted)
    return found


def _phrases(count: int, gap: float = 1.5) -> tuple[AudioChunk, list[str]]:
    """The start phrase and "감사합니다" in turn, each followed by `gap` seconds of silence:
    enough for Vosk to end each utterance (without a grammar it may wait 2 s)."""
    words = [KOREAN_START if index % 2 == 0 else KOREAN_YES for index in range(count)]
    spoken = {word: espeak(word, "ko") for word in set(words)}
    audio = silence(0.5, RATE)
    for word in words:
        audio = audio + spoken[word] + silence(gap, RATE)
    return audio, words


def test_a_command_recognizer_is_new_after_every_final_result_and_hears_every_phrase(
    made: list[Any],
) -> None:
    audio, said = _phrases(SAID)
    recognizer = CommandRecognizer(ko_model(), [KOREAN_START, KOREAN_YES])
    heard = [phrase for chunk in split(audio, 100) if (phrase := recognizer.feed(chunk))]
    # Each phrase once, in order: acted on from its partial result, and its final result
    # (which ends that recognizer's life) is not heard again by the next one.
    assert heard == said
    assert len(made) == SAID + 1  # the first, and one after each utterance's final result
    assert len({id(each) for each in made}) == len(made)


def test_a_reset_brings_a_new_recognizer_only_when_the_old_one_heard_something(
    made: list[Any],
) -> None:
    recognizer = CommandRecognizer(ko_model(), [KOREAN_START])
    recognizer.reset()
    recognizer.reset()
    assert len(made) == 1  # nothing heard yet: nothing to forget
    recognizer.feed(silence(0.1, RATE))
    recognizer.reset()  # the assistant spoke: what was heard before is dropped with it
    recognizer.feed(silence(0.1, RATE))
    assert len(made) == 2


def test_dictation_keeps_its_recognizer_for_a_minute_of_audio_then_takes_a_new_one(
    made: list[Any],
) -> None:
    # A recogniser without a grammar must compose the model's graph again when new (about
    # 1.5 s of CPU here), so dictation renews only after DICTATION_RENEW_AFTER seconds.
    audio, said = _phrases(24, gap=2.5)
    assert audio.seconds > DICTATION_RENEW_AFTER + 10
    dictation = Dictation(ko_model())
    ended, fed, renewed_at = 0, 0.0, []
    for chunk in split(audio, 100):
        fed += chunk.seconds
        before = len(made)
        ended += dictation.feed(chunk)
        if len(made) > before:
            renewed_at.append(fed)
    text = dictation.finish()
    assert len(renewed_at) == 1, renewed_at
    # At the first utterance end after a minute (a phrase and its silence last 3.5 s).
    assert DICTATION_RENEW_AFTER < renewed_at[0] < DICTATION_RENEW_AFTER + 5.0
    # Every utterance ended with a final result holding words, after the change as before it:
    # nothing cut off at the change, nothing heard twice (Korean espeak-ng speech is not
    # recognised word for word by this model, so the words themselves are not compared).
    assert ended == len(said)
    assert len(text.split()) >= len(said)
    dictation.reset()
    assert len(made) == 2  # a reset within the minute keeps the (warm) recognizer
