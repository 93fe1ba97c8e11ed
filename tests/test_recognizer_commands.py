"""Commands in grammar mode: set-up with the real Korean model, the timing logic with a
scripted recognizer, and Dutch recognition when a Dutch model is given."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import vosk

from assistant.audio import AudioChunk, silence, split
from assistant.content import Content
from assistant.recognizer import CommandRecognizer
from bench.recognizer_bench import bare_final
from tests.helpers import RATE, dutch_model, espeak, human_clips, ko_model

pytestmark = [pytest.mark.vosk, pytest.mark.voice]

CHUNK = silence(0.1, RATE)


def _first_heard(recognizer: CommandRecognizer, audio: AudioChunk) -> tuple[list[str], float]:
    """Everything recognised, and when (seconds of audio) the first was."""
    heard, at, fed = [], -1.0, 0.0
    for chunk in split(audio, 100):
        fed += chunk.seconds
        phrase = recognizer.feed(chunk)
        if phrase is not None:
            heard.append(phrase)
            at = fed if at < 0 else at
    last = recognizer.finish()
    return heard + ([last] if last else []), at


def test_grammar_is_the_phrases_plus_unk_and_the_korean_model_lacks_unk(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    recognizer = CommandRecognizer(ko_model(), ["네", "아니요", "Anyeong!", "안녕하세요"])
    assert recognizer.grammar == ["네", "아니요", "안녕하세요", "[unk]"]
    assert recognizer.missing == {"anyeong": ["anyeong"]}
    assert not recognizer.unknown_supported
    assert any("[unk]" in r.getMessage() for r in caplog.records)


def test_a_spoken_phrase_is_acted_on_before_vosk_ends_the_utterance() -> None:
    model = ko_model()
    phrases = ["네", "아니요", "안녕하세요"]
    audio = silence(0.5, RATE) + espeak("안녕하세요", "ko") + silence(2.0, RATE)
    heard, at = _first_heard(CommandRecognizer(model, phrases, stable=0.3), audio)
    assert heard == ["안녕하세요"]  # once: the final result of the same utterance is not news
    assert at < bare_final(model, [*phrases, "[unk]"], audio) - 0.2


def test_silence_is_no_command() -> None:
    recognizer = CommandRecognizer(ko_model(), ["네", "아니요"])
    assert _first_heard(recognizer, silence(3.0, RATE)) == ([], -1.0)


def test_phrases_the_model_cannot_hear_are_left_out_not_mangled(
    content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    recognizer = CommandRecognizer(ko_model(), list(content.commands))
    assert recognizer.phrases == ()  # an empty Vosk grammar would crash the process
    assert "volgende vraag" in recognizer.missing["volgende"]
    assert any("'volgende vraag'" in r.getMessage() for r in caplog.records)
    assert _first_heard(recognizer, espeak("volgende", "nl"))[0] == []


# --- the timing rules, with a scripted recognizer standing in for Vosk ---


class ScriptedKaldi:
    """Plays back a script: one (kind, text) per chunk, kind 'partial' or 'final'. The script
    is the audio: a recognizer that replaces another one goes on where it stopped."""

    steps: ClassVar[Iterator[tuple[str, str]]] = iter(())
    grammars: ClassVar[list[str]] = []

    def __init__(self, model: Any, rate: int, grammar: str) -> None:
        ScriptedKaldi.grammars.append(grammar)
        self._now = ("partial", "")

    def AcceptWaveform(self, data: bytes) -> bool:
        self._now = next(ScriptedKaldi.steps, ("partial", ""))
        return self._now[0] == "final"

    def Result(self) -> str:
        return json.dumps({"text": self._now[1]})

    def PartialResult(self) -> str:
        return json.dumps({"partial": self._now[1]})

    def FinalResult(self) -> str:
        return json.dumps({"text": ""})

    def Reset(self) -> None:
        pass


class KnowsAllBut:
    def __init__(self, *unknown: str) -> None:
        self.unknown = set(unknown)

    def vosk_model_find_word(self, word: str) -> int:
        return -1 if word in self.unknown else 7


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> type[ScriptedKaldi]:
    monkeypatch.setattr(vosk, "KaldiRecognizer", ScriptedKaldi)
    ScriptedKaldi.grammars = []
    return ScriptedKaldi


def _run(script: list[tuple[str, str]], **options: Any) -> list[tuple[int, str]]:
    ScriptedKaldi.steps = iter(script)
    phrases = options.pop("phrases", ["volgende", "volgende vraag", "dat klopt", "dat klopt niet"])
    model = options.pop("model", KnowsAllBut())
    recognizer = CommandRecognizer(model, phrases, **options)
    out = []
    for index in range(len(script) + 3):
        phrase = recognizer.feed(CHUNK)
        if phrase is not None:
            out.append((index, phrase))
    return out


P, F = "partial", "final"


def test_a_stable_whole_phrase_partial_fires_after_the_stable_time(scripted: Any) -> None:
    script = [(P, "vol"), (P, "volgende"), (P, "volgende"), (P, "volgende"), (P, "volgende")]
    script += [(P, "volgende"), (F, "volgende")]
    only = ["volgende", "dat klopt niet"]
    assert _run(script, stable=0.3, phrases=only) == [(4, "volgende")]  # seen at 1, +0.3 s
    assert _run(script, stable=0.2, phrases=only) == [(3, "volgende")]


def test_a_changing_partial_does_not_fire_until_it_settles(scripted: Any) -> None:
    script = [(P, "volgende"), (P, "volgende"), (P, "volgende [unk]"), (P, "volgende")]
    script += [(P, "volgende"), (P, "volgende"), (P, "volgende")]
    assert _run(script, stable=0.3, phrases=["volgende"]) == [(6, "volgende")]


def test_a_prefix_of_a_phrase_with_another_meaning_waits_for_the_final(scripted: Any) -> None:
    script = [(P, "dat"), *[(P, "dat klopt")] * 8, (P, "dat klopt niet"), (F, "dat klopt niet")]
    assert _run(script) == [(10, "dat klopt niet")]
    script = [(P, "dat"), *[(P, "dat klopt")] * 8, (F, "dat klopt")]
    assert _run(script) == [(9, "dat klopt")]


def test_a_prefix_with_the_same_meaning_need_not_wait(scripted: Any) -> None:
    meanings = {"volgende": "next", "volgende vraag": "next", "dat klopt": "yes"}
    meanings["dat klopt niet"] = "no"
    script = [*[(P, "volgende")] * 5, (F, "volgende")]
    assert _run(script, meanings=meanings) == [(3, "volgende")]
    assert _run(script, meanings=None) == [(5, "volgende")]  # unknown meanings: be careful


def test_an_empty_final_after_a_good_partial_still_counts(scripted: Any) -> None:
    assert _run([(P, "volgende"), (F, "")], stable=5.0) == [(1, "volgende")]


def test_unknown_speech_is_ignored(scripted: Any) -> None:
    assert _run([*[(P, "[unk]")] * 6, (F, "[unk]"), (F, "[unk] volgende")]) == []


def test_the_grammar_keeps_non_ascii_words_and_leaves_out_broken_phrases(scripted: Any) -> None:
    phrases = ["één keer", "dat klopt", "volgende"]
    assert _run([], phrases=phrases, model=KnowsAllBut("klopt")) == []
    assert json.loads(scripted.grammars[-1]) == ["één keer", "volgende", "[unk]"]
    assert "één" in scripted.grammars[-1]  # escaped \u00e9 would be an unknown word to Vosk


# --- Dutch (only with a Dutch model) ---


@pytest.mark.parametrize("said", ["volgende", "dat klopt niet", "ik wil stoppen"])
def test_dutch_commands_are_recognised(content: Content, said: str) -> None:
    model = dutch_model()
    recognizer = CommandRecognizer(model, list(content.commands), meanings=content.commands)
    audio = silence(0.5, RATE) + espeak(said, "nl") + silence(1.5, RATE)
    assert _first_heard(recognizer, audio)[0] == [said]


def test_other_dutch_speech_is_not_forced_onto_a_command(content: Content) -> None:
    model = dutch_model()
    recognizer = CommandRecognizer(model, list(content.commands), meanings=content.commands)
    assert recognizer.unknown_supported
    for clip in human_clips()[:6]:
        heard, _at = _first_heard(recognizer, clip.audio() + silence(1.0, RATE))
        assert heard == [], clip.path.name
