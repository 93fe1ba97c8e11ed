"""The look-back reading on its own, without the dialog: calls and events in, actions out."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from assistant.audio import AudioChunk
from assistant.content.lines import Line
from assistant.content.model import Command
from assistant.dialog.history import History, Kept
from assistant.dialog.messages import (
    FetchRecording,
    Heard,
    OutputDone,
    Pause,
    PlayRecording,
    RecordingFetched,
    Say,
    StopOutput,
    Style,
)
from assistant.dialog.readout import READOUT_PAUSE, Answer, Readout
from assistant.dialog.wording import Wording
from assistant.hearing import Utterance

pytestmark = pytest.mark.pure

EARLIER = History(
    answers=(
        Kept("s1", date(2026, 11, 3), "vragen", 1, "Waardoor lijd je?", "werk"),
        Kept("s1", date(2026, 11, 3), "vragen", 2, "Accepteer je je lot?", "soms", "s1-02.wav"),
    ),
    today=date(2026, 11, 25),
)
AUDIO = AudioChunk(np.zeros(800, dtype="<i2").tobytes(), 16000)


@pytest.fixture
def readout(content) -> Readout:
    return Readout(Wording(content))


def said(actions) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say)]


def heard(command: Command) -> Heard:
    return Heard(Utterance(command.value), command)


def test_each_answer_is_read_with_its_question_and_a_pause_then_the_reading_ends(readout, content):
    readout.keep("vragen", 2, Heard(Utterance("rust.")))
    readout.keep("vragen", 1, Heard(Utterance("werk")))
    first = content.practice("vragen").questions[0]
    question = content.line(Line.READ_QUESTION, number=1, question=first)
    assert readout.read_this_session() == [
        Say(question, Style.READING),
        Say("werk.", Style.READING, personal=True),
        Pause(READOUT_PAUSE),
    ]
    assert readout.reading
    assert said(readout.handle(OutputDone()))[1] == "rust."
    assert said(readout.handle(OutputDone())) == [content.line(Line.READ_ANSWERS_DONE)]
    assert not readout.reading


def test_volgende_vorige_herhaal_and_klaar_steer_the_reading(readout, content):
    readout.history = EARLIER
    readout.read_last()
    assert said(readout.handle(heard(Command.VOLGENDE)))[1:] == ["soms."]
    assert said(readout.handle(heard(Command.HERHAAL)))[1:] == ["soms."]
    assert said(readout.handle(heard(Command.VORIGE)))[1:] == ["werk."]
    assert said(readout.handle(heard(Command.VORIGE)))[1:] == ["werk."]  # the first stays
    assert readout.handle(Heard(Utterance("iets anders"))) == []  # other words do not interrupt
    done = readout.handle(heard(Command.KLAAR))
    assert done[0] == StopOutput() and said(done) == [content.line(Line.READ_ANSWERS_DONE)]
    assert not readout.reading


def test_the_last_session_is_read_with_its_date_unless_this_one_kept_answers(readout, content):
    readout.history = EARLIER
    assert said(readout.read_last())[0] == content.line(Line.READ_ANSWERS, date="3 november")
    today = Readout(Wording(content))
    today.history = EARLIER
    today.keep("vragen", 1, Heard(Utterance("vandaag")))
    assert said(today.read_last())[1] == "vandaag."


@pytest.mark.parametrize(
    ("history", "line"),
    [
        (History(), Line.READ_ANSWERS_NONE),
        (History(EARLIER.answers, enabled=False), Line.LOOK_BACK_OFF),
        (History(EARLIER.answers, locked=True), Line.LOOK_BACK_LOCKED),
    ],
)
def test_nothing_to_read_is_said_and_nothing_is_read(readout, content, history, line):
    readout.history = history
    assert said(readout.read_last()) == [content.line(line)]
    assert not readout.reading
    assert not readout.offers_reading()


def test_reading_is_offered_after_the_questions_only_when_today_kept_answers(readout):
    assert not readout.offers_reading()
    readout.keep("vragen", 1, Heard(Utterance("werk")))
    assert readout.offers_reading()


def test_looking_back_says_the_latest_earlier_answer_and_its_recording_is_fetched(readout, content):
    readout.history = EARLIER
    assert readout.look_back("vragen", 2) == [
        Say(content.line(Line.LOOK_BACK, date="3 november", answer="soms"), Style.READING, True)
    ]
    fetch = readout.play(readout.looked)
    assert said(fetch) == [content.line(Line.RECORDING_HERE)]
    assert fetch[-1] == FetchRecording("s1", "s1-02.wav")
    assert readout.handle(RecordingFetched(AUDIO)) == [PlayRecording(AUDIO)]
    assert said(readout.handle(RecordingFetched(None))) == [content.line(Line.NO_RECORDING)]


def test_a_question_never_answered_before_says_so(readout, content):
    readout.history = EARLIER
    assert said(readout.look_back("vragen", 3)) == [content.line(Line.LOOK_BACK_NONE)]
    assert readout.looked is None
    assert said(readout.play(readout.looked)) == [content.line(Line.NO_RECORDING)]


def test_this_sessions_answer_plays_its_own_recording(readout, content):
    readout.keep("vragen", 4, Heard(Utterance("lief", AUDIO)))
    kept = readout.kept("vragen", 4)
    assert kept == Answer(4, "", "lief", AUDIO)
    assert readout.play(kept)[-1] == PlayRecording(AUDIO)
    assert readout.kept("vragen", 5) is None


def test_an_answer_to_a_question_reworded_since_is_said_with_the_words_it_answered(
    readout, content
):
    readout.history = EARLIER
    reworded = readout.look_back("vragen", 2, "Accepteer je je lot, zoals het is?")
    assert said(reworded) == [
        content.line(
            Line.LOOK_BACK_ASKED,
            date="3 november",
            question="Accepteer je je lot?",
            answer="soms",
        )
    ]
    assert "Accepteer je je lot? Je zei: soms" in said(reworded)[0]
    same = readout.look_back("vragen", 2, "Accepteer je je lot?")
    assert said(same) == [content.line(Line.LOOK_BACK, date="3 november", answer="soms")]
