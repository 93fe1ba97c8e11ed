"""`transcribe`: a whole recording through the answers' dictation path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.audio import read_wav, resample, silence, write_wav
from assistant.content.phrases import normalise
from assistant.errors import UserError
from assistant.recognizer import transcribe
from bench.recognizer_bench import word_errors
from tests.helpers import RATE, dutch_model, human_clips, ko_model, speech_with_gaps

pytestmark = [pytest.mark.files, pytest.mark.vosk]

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_a_recording_gives_a_transcript(tmp_path: Path) -> None:
    audio, _end = speech_with_gaps(count=3, gap=0.8, tail=0.5)
    path = tmp_path / "answer.wav"
    write_wav(path, audio)
    text = transcribe(path, ko_model())
    # The Korean model hears Korean words in Dutch speech: proof the audio was decoded.
    assert len(text.split()) >= 3 and HANGUL.search(text), text


def test_silence_gives_an_empty_transcript(tmp_path: Path) -> None:
    path = tmp_path / "quiet.wav"
    write_wav(path, silence(2.0, RATE))
    assert transcribe(path, ko_model()) == ""


def test_a_recording_at_another_rate_is_resampled(tmp_path: Path) -> None:
    path = human_clips()[1].path
    clip = read_wav(path)
    other = tmp_path / "44k.wav"
    write_wav(other, resample(clip, 44100))
    assert HANGUL.search(transcribe(other, ko_model()))


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such audio file"):
        transcribe(tmp_path / "gone.wav", ko_model())


def word_error_rate(reference: str, hypothesis: str) -> float:
    return word_errors(reference, hypothesis) / max(1, len(reference.split()))


def test_word_error_rate_helper() -> None:
    assert word_error_rate("a b c d", "a b c d") == 0
    assert word_error_rate("a b c d", "a x c") == 0.5
    assert word_error_rate("a b", "") == 1


def test_dutch_speech_is_transcribed_recognisably() -> None:
    model = dutch_model()
    errors = [
        word_error_rate(normalise(clip.text), transcribe(clip.path, model))
        for clip in human_clips()
    ]
    # Game voice acting with background noise and loose subtitles; small-nl is 22 % on
    # Common Voice. Half the words right on average is the bar for "it works".
    assert sum(errors) / len(errors) < 0.5
