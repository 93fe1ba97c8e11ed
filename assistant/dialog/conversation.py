"""What every state of the dialog stands on: the states, the lines that belong to each (asked
again after a silence, said for *help*), and how the dialog says a line, asks, listens, plays a
recording and says goodbye. The transitions are built on it: the question list's in questions.py,
all others in machine.py.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence

from assistant.content.lines import Line
from assistant.content.model import Command, Content, Practice
from assistant.dialog.messages import Action, End, FetchRecording, Listen
from assistant.dialog.readout import Answer, Readout
from assistant.dialog.wording import Wording


class State(enum.Enum):
    IDLE = "idle"  # before Begin
    RESUME_OFFER = "resume_offer"
    MENU = "menu"
    READING = "reading"  # a text read aloud from the menu; back to the menu after
    EXERCISE = "exercise"  # step `self.step` is playing or its pause is running
    ASKING = "asking"  # question `self.question` asked; waiting for the answer
    CONFIRMING = "confirming"  # the answer read back; waiting for ja / opnieuw
    REVIEWING = "reviewing"  # an answer of this session said again; opnieuw / volgende
    READ_OFFER = "read_offer"  # after the questions: shall I read your answers?
    READING_ANSWERS = "reading_answers"  # kept answers read aloud, one by one (readout.py)
    PAUSED = "paused"
    ENDED = "ended"


# States in which the dialog waits for the user, with the line that asks again after a silence.
REPROMPT = {
    State.RESUME_OFFER: Line.REPROMPT_RESUME,
    State.MENU: Line.REPROMPT_MENU,
    State.ASKING: Line.REPROMPT_ANSWER,
    State.CONFIRMING: Line.REPROMPT_CONFIRM,
    State.REVIEWING: Line.REPROMPT_REVIEW,
    State.READ_OFFER: Line.REPROMPT_READ_OFFER,
}
LISTENING = frozenset({*REPROMPT, State.PAUSED})  # a pause listens, but never reminds
# Where a session started from standby ends when nobody answers (back to waiting).
STANDBY_GIVES_UP = (State.MENU, State.RESUME_OFFER, State.READ_OFFER)
# What can be said, told on *help*.
HELP = {
    State.RESUME_OFFER: Line.HELP_RESUME,
    State.MENU: Line.HELP_MENU,
    State.READING: Line.HELP_MENU,
    State.EXERCISE: Line.HELP_EXERCISE,
    State.ASKING: Line.HELP_QUESTION,
    State.CONFIRMING: Line.HELP_CONFIRM,
    State.REVIEWING: Line.HELP_REVIEW,
    State.READ_OFFER: Line.HELP_READ_OFFER,
    State.READING_ANSWERS: Line.HELP_READING_ANSWERS,
    State.PAUSED: Line.HELP_PAUSED,
}


class Conversation:
    """The values every state shares, and the building blocks every state speaks with."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.state = State.IDLE
        self.plan: list[Practice] = []  # practices still to do, the current one first
        self.finished_all = False
        self.saved = 0  # answers confirmed in this session and on disk, for the goodbye
        self.unwritten = 0  # answers confirmed in this session, not on disk (yet)
        self._after_write: Callable[[], list[Action]] | None = None  # once SaveAnswer is done
        self.input_ended = False
        self._reprompted = False  # the one "ask once more" after silence has been used
        self.wording = Wording(content)
        self.readout = Readout(self.wording)  # looking back

    def _practice_id(self) -> str:
        return self.plan[0].id if self.plan else ""

    def _play(self, answer: Answer | None) -> list[Action]:
        played = self.readout.play(answer)
        if isinstance(played[-1], FetchRecording):
            return played  # listening again follows the recording (RecordingFetched)
        return played + self._resume()

    def _resume(self) -> list[Action]:
        """Listen again where the person was, after a line or a recording in between (without
        a reminder on silence). Where the dialog does not listen (a step of the exercise, an
        answer read aloud) what plays simply goes on."""
        if self.state in LISTENING:
            return self._listen(answer=self.state is State.ASKING, patient=False)
        return []

    def _not_understood(self) -> list[Action]:
        reprompt = REPROMPT.get(self.state, Line.REPROMPT_MENU)
        return self._say(Line.NOT_UNDERSTOOD) + self._say(reprompt) + self._listen(patient=False)

    def _goodbye(self, finished: bool, line: Line = Line.GOODBYE) -> list[Action]:
        finished = finished or self.finished_all
        self.finished_all = finished
        self.state = State.ENDED
        out: list[Action] = []
        if self.saved:
            out += self._say(Line.GOODBYE_SAVED, count=self.saved)
        if self.unwritten:
            out += self._say(Line.GOODBYE_UNWRITTEN, count=self.unwritten)
        return [*out, *self._say(line), End(finished)]

    def _prompt(self, said: Sequence[Action], answer: bool = False) -> list[Action]:
        """Say something that wants a reply, then listen (patiently: one reprompt on silence)."""
        self._reprompted = False
        return [*said, *self._listen(answer=answer)]

    def _listen(self, answer: bool = False, patient: bool = True) -> list[Action]:
        if self.input_ended:
            return self._goodbye(finished=False)
        return [Listen(answer=answer, patient=patient)]

    def _say(self, line: Line, **values: object) -> list[Action]:
        return self.wording.say(line, **values)

    def _line(self, line: Line, **values: object) -> str:
        return self.wording.line(line, **values)

    def _phrase_for(self, command: Command) -> str:
        return next(phrase for phrase, c in self.content.commands.items() if c is command)
