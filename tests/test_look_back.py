"""Looking back: what was kept in earlier sessions, read aloud when asked; never pushed."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from assistant.audio import AudioChunk
from assistant.dialog.history import History, Kept, spoken_date
from assistant.dialog.machine import State
from assistant.dialog.messages import (
    Begin,
    FetchRecording,
    Listen,
    PlayRecording,
    RecordingFetched,
    Say,
)
from assistant.journal.look_back import history
from assistant.journal.markdown import Entry, Labels
from assistant.journal.store import Journal
from tests.dialog_driver import Driver
from tests.helpers import answers_script, run_cli

pytestmark = pytest.mark.files

TODAY = date(2026, 11, 25)
EARLIER = History(
    answers=(
        Kept("2026-10-01_090000", date(2026, 10, 1), "vragen", 2, "Accepteer je je lot?", "soms"),
        Kept(
            "2026-11-03_090000",
            date(2026, 11, 3),
            "vragen",
            2,
            "Accepteer je je lot?",
            "steeds beter",
            recording="2026-11-03_090000-vragen-02.wav",
        ),
        Kept("2026-11-03_090000", date(2026, 11, 3), "vragen", 1, "Waardoor lijd je?", "werk"),
    ),
    today=TODAY,
)


def _asking(content, number: int, earlier: History = EARLIER) -> Driver:
    drv = Driver(content)
    drv.send(Begin("vragen", history=earlier))
    drv.settle()
    for n in range(1, number):
        drv.say(f"antwoord {n}")
        drv.say("ja")
    return drv


def test_what_did_i_say_last_time_reads_the_latest_answer_with_its_date(content):
    drv = _asking(content, 2)
    actions = drv.say("wat zei ik de vorige keer")
    said = [a for a in actions if isinstance(a, Say)]
    assert said[0] == Say("Op 3 november zei je: steeds beter", said[0].style, personal=True)
    assert said[1].text.startswith("Vraag 2 van 10.")  # then asked again
    assert drv.state is State.ASKING and drv.listen == Listen(answer=True, patient=True)


def test_another_year_is_said_and_a_question_never_answered_says_so(content):
    assert spoken_date(date(2025, 3, 9), TODAY, content.months) == "9 maart 2025"
    drv = _asking(content, 3)
    assert drv.said(drv.say("wat zei ik de vorige keer"))[0] == content.line("look_back_none")


def test_off_or_locked_is_said_kindly_and_the_question_stays(content):
    off = _asking(content, 2, History(answers=EARLIER.answers, enabled=False))
    assert off.said(off.say("wat zei ik de vorige keer"))[0] == content.line("look_back_off")
    locked = _asking(content, 2, History(locked=True))
    assert locked.said(locked.say("wat zei ik toen"))[0] == content.line("look_back_locked")
    assert locked.state is State.ASKING


def test_the_recording_of_an_earlier_answer_is_fetched_and_played(content):
    drv = _asking(content, 2)
    drv.say("wat zei ik de vorige keer")
    actions = drv.say("laat mijn opname horen", settle=False)
    assert actions[-1] == FetchRecording("2026-11-03_090000", "2026-11-03_090000-vragen-02.wav")
    audio = AudioChunk(np.zeros(1600, dtype="<i2").tobytes(), 16000)
    played = drv.send(RecordingFetched(audio))
    assert played[0] == PlayRecording(audio) and drv.listen == Listen(answer=True, patient=False)
    gone = drv.send(RecordingFetched(None))
    assert drv.said(gone) == [content.line("no_recording")]


def test_the_menu_reads_the_last_sessions_answers(content):
    drv = Driver(content)
    drv.send(Begin(None, history=EARLIER))
    drv.settle()
    start = len(drv.actions)
    drv.say("lees mijn antwoorden voor")
    said = drv.said(drv.actions[start:])
    assert said[0] == content.line("read_answers", date="3 november")
    assert said[1:3] == [
        content.line("read_question", number=1, question="Waardoor lijd je?"),
        "werk.",
    ]
    assert said[3:5] == [
        content.line("read_question", number=2, question="Accepteer je je lot?"),
        "steeds beter.",
    ]
    assert content.line("read_answers_done") in said and drv.state is State.MENU


def test_volgende_and_vorige_move_through_the_answers_read(content):
    drv = Driver(content)
    drv.send(Begin(None, history=EARLIER))
    drv.settle()
    drv.say("lees mijn antwoorden voor", settle=False)
    assert drv.state is State.READING_ANSWERS
    actions = drv.say("volgende", settle=False)
    assert "steeds beter." in drv.said(actions)
    actions = drv.say("vorige", settle=False)
    assert "werk." in drv.said(actions)


def test_the_journal_gives_earlier_confirmed_answers_only(tmp_path):
    journal = Journal(tmp_path, Labels("t", "u", "r", "p"))
    journal.start("vragen", datetime(2026, 11, 3, 9, 0).astimezone())
    journal.save_answer(Entry("vragen", 1, "V1?", "bevestigd", True), None)
    journal.save_answer(Entry("vragen", 2, "V2?", "niet bevestigd", False), None)
    found = history(journal, TODAY)
    assert [(k.number, k.text, k.day) for k in found.answers] == [
        (1, "bevestigd", date(2026, 11, 3))
    ]
    assert history(journal, TODAY, enabled=False) == History(today=TODAY, enabled=False)


def test_second_session_hears_the_first_sessions_answer_with_its_date(tmp_path, content):
    """The issue's done-when, in text mode with the real command line."""
    first = run_cli(
        "vragen", "--text", "--pace", "0", "--journal", str(tmp_path), stdin=answers_script(10)
    )
    assert first.returncode == 0, first.stderr
    today = date.today()
    second = run_cli(
        "vragen",
        "--text",
        "--pace",
        "0",
        "--journal",
        str(tmp_path),
        stdin="iets nieuws\nja\nwat zei ik de vorige keer\n",
    )
    assert second.returncode == 0, second.stderr
    day = f"{today.day} {content.months[today.month - 1]}"
    assert f"Op {day} zei je: Mijn antwoord op vraag 2" in second.stdout
    after = second.stdout.split("zei je:", 1)[1]
    assert "Vraag 2 van 10." in after  # asked again


def test_look_back_off_in_the_config_reads_nothing_old(tmp_path):
    run_cli(
        "vragen", "--text", "--pace", "0", "--journal", str(tmp_path / "j"), stdin=answers_script(2)
    )
    config = tmp_path / "config.yaml"
    config.write_text("look_back: false\n", encoding="utf-8")
    done = run_cli(
        "--text",
        "--pace",
        "0",
        "--journal",
        str(tmp_path / "j"),
        "--config",
        str(config),
        stdin="nee\nvragen\nwat zei ik de vorige keer\n",
    )
    assert done.returncode == 0, done.stderr
    assert "Het voorlezen van eerdere antwoorden staat uit." in done.stdout
    assert "Mijn antwoord op vraag 1" not in done.stdout


@pytest.mark.parametrize("phrase", ["laat mijn opname horen"])
def test_a_draft_can_be_heard_in_its_own_recording(content, phrase):
    drv = _asking(content, 1)
    audio = AudioChunk(np.ones(800, dtype="<i2").tobytes(), 16000)
    from assistant.dialog.messages import Heard
    from assistant.hearing import Utterance

    drv.send(Heard(Utterance("mijn antwoord", audio)))
    drv.settle()
    actions = drv.say(phrase, settle=False)
    assert PlayRecording(audio) in actions and drv.state is State.CONFIRMING


def test_an_earlier_recording_is_read_from_the_journal_and_played(tmp_path):
    """The runtime's half: FetchRecording reads the kept WAV; it is played (a speech segment
    of its length in the rendered output)."""
    import json

    from tests.helpers import human_clips

    folder = tmp_path / "journal"
    journal = Journal(folder, Labels("t", "u", "r", "p"))
    journal.start("vragen", datetime(2026, 11, 3, 9, 0).astimezone())
    clip = human_clips()[0].audio()
    journal.save_answer(Entry("vragen", 1, "V1?", "toen gezegd", True), clip)
    journal.finish(True, 60)
    done = run_cli(
        "vragen",
        "--speaker",
        str(tmp_path / "out.wav"),
        "--timeline",
        str(tmp_path / "t.json"),
        "--pace",
        "0",
        "--journal",
        str(folder),
        stdin="wat zei ik de vorige keer\nlaat mijn opname horen\nstop\n",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    segments = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    played = [s for s in segments if s["kind"] == "speech" and s.get("text") == ""]
    assert len(played) == 1
    assert played[0]["end"] - played[0]["start"] == pytest.approx(clip.seconds, abs=0.05)
