"""*Harder*, *zachter*, *langzamer*, *sneller*: said, bounded, heard in the next line, kept."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import read_wav
from assistant.dialog.machine import State
from assistant.dialog.messages import Adjust, Listen, StopOutput
from assistant.preferences import (
    PACE_STEPS,
    VOLUME_STEPS,
    Preferences,
    load_preferences,
    save_preferences,
)
from tests.dialog_driver import Driver
from tests.helpers import run_cli

pytestmark = [pytest.mark.files, pytest.mark.voice]


@pytest.fixture
def drv(content) -> Driver:
    return Driver(content)


# --- the dialog ------------------------------------------------------------------------------


def test_softer_in_the_menu_is_said_and_the_menu_still_listens(drv, content):
    drv.begin()
    actions = drv.say("zachter")
    assert Adjust(Preferences(volume_step=-1)) in actions
    assert drv.said(actions) == [content.line("softer")]
    assert drv.state is State.MENU and drv.listen == Listen(patient=False)


def test_at_the_limit_it_says_so_and_changes_nothing(drv, content):
    loudest = Preferences(volume_step=VOLUME_STEPS[-1])
    drv.send_begin(preferences=loudest)
    actions = drv.say("harder")
    assert not [a for a in actions if isinstance(a, Adjust)]
    assert drv.said(actions) == [content.line("loudest")]
    slowest = Driver(content)
    slowest.send_begin(preferences=Preferences(pace_step=PACE_STEPS[0]))
    assert slowest.said(slowest.say("langzamer")) == [content.line("slowest")]


def test_during_the_exercise_the_sentence_is_said_again_in_the_new_voice(drv, content):
    drv.begin("oefening", settle=False)
    for _ in range(3):
        drv.step_once()
    step = drv.dialog.step
    actions = drv.say("langzamer", settle=False)
    assert actions[0] == StopOutput() and Adjust(Preferences(pace_step=-1)) in actions
    assert drv.said(actions) == [content.line("slower"), drv.dialog.plan[0].steps[step].say]
    assert drv.state is State.EXERCISE and drv.dialog.step == step


def test_while_paused_it_stays_paused(drv, content):
    drv.begin("vragen")
    drv.say("pauze")
    actions = drv.say("harder")
    assert drv.said(actions) == [content.line("louder")]
    assert drv.state is State.PAUSED


def test_while_asking_the_question_waits_for_its_answer(drv):
    drv.begin("vragen")
    drv.say("sneller")
    assert drv.state is State.ASKING and drv.listen == Listen(answer=True, patient=False)


# --- the values and their file -----------------------------------------------------------------


def test_steps_are_three_decibels_and_the_pace_moves_speech_and_silence_together():
    assert Preferences(volume_step=-1).volume == pytest.approx(10 ** (-3 / 20))
    slower = Preferences(pace_step=-1)
    assert slower.rate < 1 < slower.pauses


def test_preferences_are_kept_durably_and_a_broken_file_is_ignored(tmp_path):
    save_preferences(tmp_path / "config", Preferences(volume_step=-2, pace_step=1))
    assert load_preferences(tmp_path / "config") == Preferences(volume_step=-2, pace_step=1)
    assert (tmp_path / "config" / "state.yaml").stat().st_mode & 0o777 == 0o600
    (tmp_path / "config" / "state.yaml").write_text("volume_step: [", encoding="utf-8")
    assert load_preferences(tmp_path / "config") == Preferences()
    (tmp_path / "config" / "state.yaml").write_text("volume_step: 99\n", encoding="utf-8")
    assert load_preferences(tmp_path / "config").volume_step == VOLUME_STEPS[-1]


# --- for real: typed commands change the rendered WAV of the next line ----------------------


def _render(tmp_path: Path, name: str, typed: str) -> list[tuple[str, np.ndarray]]:
    """`vragen` rendered to a WAV with `typed` as input: each speech segment's text and audio."""
    wav, timeline = tmp_path / f"{name}.wav", tmp_path / f"{name}.json"
    done = run_cli(
        "vragen",
        "--speaker",
        str(wav),
        "--timeline",
        str(timeline),
        "--pace",
        "0",
        "--journal",
        str(tmp_path / "journal"),
        stdin=typed,
        env={"XDG_CONFIG_HOME": str(tmp_path / "config")},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    audio = read_wav(wav).array().astype(float)
    rate = read_wav(wav).rate
    return [
        (seg["text"], audio[round(seg["start"] * rate) : round(seg["end"] * rate)])
        for seg in json.loads(timeline.read_text(encoding="utf-8"))
        if seg["kind"] == "speech"
    ]


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2)))


def test_typed_volume_and_rate_commands_change_the_next_line_and_are_kept(tmp_path, content):
    question = "Vraag 1 van 10."
    said = _render(tmp_path, "first", "zachter\nherhaal\nlangzamer\nherhaal\nstop\n")
    asked = [audio for text, audio in said if text.startswith(question)]
    assert len(asked) == 3  # asked, then again after zachter, then after langzamer
    normal, softer, slower = asked
    assert _rms(softer) / _rms(normal) == pytest.approx(10 ** (-3 / 20), rel=0.05)
    assert len(softer) == len(normal)  # volume alone does not change the speech
    assert len(slower) > len(softer) * 1.04  # a slower rate makes the same words longer
    assert [text for text, _ in said].count(content.line("softer")) == 1
    # The next session starts with both changes.
    later = _render(tmp_path, "second", "stop\n")
    first = next(audio for text, audio in later if text.startswith(question))
    assert len(first) == len(slower)
    assert _rms(first) == pytest.approx(_rms(slower), rel=0.05)
