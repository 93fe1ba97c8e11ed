"""Looking back, as its own small machine beside the dialog: the person's kept answers read aloud
one by one, an earlier answer to the current question said with its date, and the person's own
recording of an answer played.

Pure like the dialog: calls and events in, actions out, no I/O. Its state is what it is reading
and where it is (`reading` is True until the last answer has been read), the answers this session
kept, and the earlier answer last said. It never listens and never moves the practice on: after
each call the dialog listens where the person was, or, once `reading` is False, goes on with what
comes after the reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.content.lines import Line
from assistant.content.model import Command, QuestionList
from assistant.dialog.history import History, Kept, spoken_date
from assistant.dialog.messages import (
    Action,
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
from assistant.dialog.wording import Wording

READOUT_PAUSE = 2.0  # seconds of quiet after each answer read aloud (commands are heard)
_MOVES = {Command.VOLGENDE: 1, Command.OVERSLAAN: 1, Command.HERHAAL: 0, Command.VORIGE: -1}

if TYPE_CHECKING:  # only named here: a typed session never imports numpy
    from assistant.audio import AudioChunk


@dataclass(frozen=True)
class Answer:
    """One kept answer to read aloud, with where its recording is."""

    number: int
    question: str
    text: str
    audio: AudioChunk | None = None  # this session's own recording
    stored: tuple[str, str] | None = None  # (session id, file name) of an earlier one

    @staticmethod
    def of(kept: Kept) -> Answer:
        stored = (kept.session_id, kept.recording) if kept.recording else None
        return Answer(kept.number, kept.question, kept.text, stored=stored)


class Readout:
    def __init__(self, wording: Wording) -> None:
        self.wording = wording
        self.history = History()  # what earlier sessions kept (given at the start)
        self.looked: Answer | None = None  # the earlier answer last said, for *opname*
        self.reading = False
        self._items: list[Answer] = []
        self._at = 0
        self._kept: dict[tuple[str, int], Heard] = {}  # confirmed in this session

    # --- this session's answers -------------------------------------------------------------

    def keep(self, practice_id: str, number: int, answer: Heard) -> None:
        """A confirmed answer (a later one to the same question takes its place)."""
        self._kept[(practice_id, number)] = answer

    def kept(self, practice_id: str, number: int) -> Answer | None:
        answer = self._kept.get((practice_id, number))
        return None if answer is None else Answer(number, "", answer.text, answer.recording)

    def offers_reading(self) -> bool:
        """After the questions: is there something of today to offer to read aloud?"""
        return self.history.enabled and bool(self._kept)

    # --- reading answers aloud, one by one ------------------------------------------------------

    def read_this_session(self) -> list[Action]:
        return self._read(self._this_sessions_answers())

    def read_last(self) -> list[Action]:
        """*Lees mijn antwoorden voor*: this session's, else the last session's."""
        if self._kept:
            return self.read_this_session()
        closed = self._closed()
        if closed:
            return closed
        last = self.history.last_session()
        if not last:
            return self.wording.say(Line.READ_ANSWERS_NONE)
        intro = self.wording.line(Line.READ_ANSWERS, date=self._date(last[0]))
        return self._read([Answer.of(kept) for kept in last], intro)

    def handle(self, event: Heard | OutputDone | RecordingFetched) -> list[Action]:
        """While reading: the next answer when one has been read, or what the person said. A
        fetched recording is played at any time."""
        if isinstance(event, RecordingFetched):
            if event.audio is None:
                return self.wording.say(Line.NO_RECORDING)
            return [PlayRecording(event.audio)]
        if isinstance(event, OutputDone):
            return self._item(self._at + 1)
        meaning = event.meaning
        if isinstance(meaning, Command) and meaning in _MOVES:
            return [StopOutput(), *self._item(max(0, self._at + _MOVES[meaning]))]
        if meaning is Command.OPNAME:
            return [StopOutput(), *self.play(self._items[self._at])]
        if meaning in (Command.KLAAR, Command.VERDER):
            return [StopOutput(), *self._item(len(self._items))]
        return []  # like the exercise: other words do not interrupt the reading

    def again(self) -> list[Action]:
        """The answer being read, from its question (after help, a pause or a new voice)."""
        return self._item(self._at)

    # --- one question, and recordings -----------------------------------------------------------

    def look_back(self, practice_id: str, number: int, question: str = "") -> list[Action]:
        """*Wat zei ik de vorige keer*: the latest earlier answer to this question, with its
        date (or why there is none to say); with the words it was asked in, when the coach has
        reworded `question` since."""
        closed = self._closed()
        if closed:
            return closed
        kept = self.history.latest(practice_id, number)
        if kept is None:
            return self.wording.say(Line.LOOK_BACK_NONE)
        self.looked = Answer.of(kept)
        answer = kept.text.rstrip(".!? ")
        if question and kept.question and kept.question != question:
            line = self.wording.line(
                Line.LOOK_BACK_ASKED, date=self._date(kept), question=kept.question, answer=answer
            )
        else:
            line = self.wording.line(Line.LOOK_BACK, date=self._date(kept), answer=answer)
        return [Say(line, Style.READING, personal=True)]

    def play(self, answer: Answer | None) -> list[Action]:
        """The person's own recording of an answer, instead of the words read aloud; an earlier
        one is asked for (FetchRecording) and played when it comes (RecordingFetched)."""
        if answer is not None and answer.audio is not None:
            return [*self.wording.say(Line.RECORDING_HERE), PlayRecording(answer.audio)]
        if answer is not None and answer.stored is not None:
            return [*self.wording.say(Line.RECORDING_HERE), FetchRecording(*answer.stored)]
        return self.wording.say(Line.NO_RECORDING)

    # --- building blocks ------------------------------------------------------------------------

    def _read(self, items: list[Answer], intro: str | None = None) -> list[Action]:
        if not items:
            return self.wording.say(Line.READ_ANSWERS_NONE)
        self._items, self.reading = items, True
        said: list[Action] = [Say(intro, Style.READING)] if intro else []
        return said + self._item(0)

    def _item(self, index: int) -> list[Action]:
        if index >= len(self._items):
            self.reading = False
            return self.wording.say(Line.READ_ANSWERS_DONE)
        self._at = index
        item = self._items[index]
        question = self.wording.line(Line.READ_QUESTION, number=item.number, question=item.question)
        return [
            Say(question, Style.READING),
            Say(item.text.rstrip(".!? ") + ".", Style.READING, personal=True),
            Pause(READOUT_PAUSE),
        ]

    def _closed(self) -> list[Action]:
        """Why earlier answers cannot be said now (switched off, or encrypted); nothing when
        they can."""
        if not self.history.enabled:
            return self.wording.say(Line.LOOK_BACK_OFF)
        if self.history.locked:
            return self.wording.say(Line.LOOK_BACK_LOCKED)
        return []

    def _date(self, kept: Kept) -> str:
        return spoken_date(kept.day, self.history.today, self.wording.content.months)

    def _this_sessions_answers(self) -> list[Answer]:
        return [
            Answer(number, self._questions_of(practice_id)[number - 1], heard.text, heard.recording)
            for (practice_id, number), heard in sorted(self._kept.items(), key=lambda i: i[0])
        ]

    def _questions_of(self, practice_id: str) -> tuple[str, ...]:
        practice = self.wording.content.practice(practice_id)
        return practice.questions if isinstance(practice, QuestionList) else ()
