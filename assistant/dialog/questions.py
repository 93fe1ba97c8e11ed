"""The question list's states: a question asked (ASKING), the answer read back for *ja* or
*opnieuw* (CONFIRMING), and an answer kept earlier in this session said again (REVIEWING).

The Dialog (machine.py) starts the list with `_ask`, and takes over after the last question
(`_finish_practice`). An answer is saved unconfirmed before it is read back, and confirmed on *ja*:
both as SaveAnswer actions the runtime writes before it goes on. A confirmed answer is called
kept ("Bewaard") only once the runtime says it is on disk (JournalWritten, in machine.py).
"""

from __future__ import annotations

import abc
from dataclasses import replace

from assistant.content.lines import Line
from assistant.content.model import Command, Content, QuestionList
from assistant.dialog.conversation import Conversation, State
from assistant.dialog.messages import Action, Cue, CueKind, Heard, JournalWritten, SaveAnswer, Say
from assistant.dialog.readout import Answer


class QuestionStates(Conversation, abc.ABC):
    def __init__(self, content: Content) -> None:
        super().__init__(content)
        self.question = 0
        self._draft: Heard | None = None
        self._empty_retried = False
        self._review = 0  # the question whose kept answer is being reviewed

    @abc.abstractmethod
    def _finish_practice(self) -> list[Action]:
        """What follows the last question (the Dialog's: the plan goes on)."""

    def _heard_answer(self, event: Heard) -> list[Action]:
        meaning = event.meaning
        if meaning in (Command.VOLGENDE, Command.OVERSLAAN):
            return self._say(Line.SKIPPED) + self._ask(self.question + 1)
        if meaning is Command.VORIGE:
            if self.question == 0:
                return self._say(Line.FIRST_QUESTION) + self._ask(0)
            return self._back_to(self.question - 1)
        if meaning is Command.HERHAAL:
            return self._ask(self.question)
        if meaning is Command.VORIGE_KEER:  # the earlier answer, then the question again
            practice = self.plan[0]
            assert isinstance(practice, QuestionList)
            said = self.readout.look_back(
                practice.id, self.question + 1, practice.questions[self.question]
            )
            return said + self._ask(self.question)
        if meaning is Command.OPNAME:
            return self._play(self.readout.looked)
        text = "" if meaning is Command.KLAAR else event.text.strip()
        if not text:
            if self._empty_retried:
                return self._listen(answer=True, patient=False)
            self._empty_retried = True
            return self._say(Line.EMPTY_ANSWER) + self._listen(answer=True)
        # Any other words, a lone "ja" or "nee" included, are the answer to the question.
        return self._take_answer(Heard(replace(event.utterance, text=text)))

    def _written(self, event: JournalWritten) -> list[Action]:
        """ "Bewaard" only for what is on disk; what is not is said, and counted apart."""
        after, self._after_write = self._after_write, None
        if after is None:  # news: what waited is written now (or an unconfirmed answer was)
            if not event.ok or not self.unwritten:
                return []
            self.saved, self.unwritten = self.saved + self.unwritten, 0
            return self._say(Line.JOURNAL_WRITTEN) + self._resume()
        if not event.ok:
            self.unwritten += 1
            return self._say(Line.JOURNAL_FAILED) + after()
        self.saved, self.unwritten = self.saved + self.unwritten + 1, 0
        return self._say(Line.SAVED) + after()

    def _heard_confirm(self, event: Heard) -> list[Action]:
        meaning = event.meaning
        draft = self._draft
        assert draft is not None
        if meaning in (Command.JA, Command.VOLGENDE, Command.KLAAR):
            self._draft = None
            self.readout.keep(self._practice_id(), self.question + 1, draft)
            # "Bewaard" and the next question once the journal says how the write went.
            self._after_write = lambda: self._ask(self.question + 1)
            return [self._save(draft, confirmed=True)]
        if meaning in (Command.OPNIEUW, Command.NEE):
            return self._ask(self.question)
        if meaning is Command.HERHAAL:
            return self._read_back(draft)
        if meaning is Command.OVERSLAAN:
            return self._say(Line.SKIPPED) + self._ask(self.question + 1)
        if meaning is Command.VORIGE:
            return self._back_to(max(0, self.question - 1))
        if meaning is Command.OPNAME:
            return self._play(Answer(self.question + 1, "", draft.text, audio=draft.recording))
        return self._not_understood()

    def _heard_review(self, event: Heard) -> list[Action]:
        meaning = event.meaning
        if meaning in (Command.OPNIEUW, Command.NEE):
            return self._ask(self._review)  # the new answer takes the old one's place
        if meaning in (Command.VOLGENDE, Command.JA, Command.KLAAR, Command.VERDER):
            return self._ask(self._review + 1)
        if meaning is Command.HERHAAL:
            return self._back_to(self._review)
        if meaning is Command.VORIGE:
            if self._review == 0:
                return self._say(Line.FIRST_QUESTION) + self._back_to(0)
            return self._back_to(self._review - 1)
        if meaning is Command.OPNAME:
            return self._play(self.readout.kept(self._practice_id(), self._review + 1))
        return self._not_understood()

    def _ask(self, index: int) -> list[Action]:
        practice = self.plan[0]
        assert isinstance(practice, QuestionList)
        if index >= len(practice.questions):
            return self._finish_practice()
        if index != self.question:
            self.readout.looked = None  # *opname* plays the earlier answer to this question only
        self.state, self.question = State.ASKING, index
        self._empty_retried = False
        line = self._line(
            Line.QUESTION,
            number=index + 1,
            total=len(practice.questions),
            question=practice.questions[index],
        )
        return self._prompt([Say(line), Cue(CueKind.LISTEN_START)], answer=True)

    def _take_answer(self, answer: Heard) -> list[Action]:
        self._draft = answer
        self.state = State.CONFIRMING
        # Kept on disk before the read-back, so an answer is never lost, even unconfirmed.
        return [
            Cue(CueKind.LISTEN_STOP),
            self._save(answer, confirmed=False),
            *self._read_back(answer),
        ]

    def _read_back(self, answer: Heard) -> list[Action]:
        line = self._line(Line.READ_BACK, answer=answer.text.rstrip(".!? "))
        return self._prompt([Say(line, personal=True)])

    def _save(self, answer: Heard, confirmed: bool) -> SaveAnswer:
        practice = self.plan[0]
        assert isinstance(practice, QuestionList)
        return SaveAnswer(
            practice_id=practice.id,
            number=self.question + 1,
            question=practice.questions[self.question],
            answer=answer.text,
            confirmed=confirmed,
            recording=answer.recording,
        )

    def _back_to(self, index: int) -> list[Action]:
        """*Vorige*: a question answered in this session says its kept answer (then *opnieuw*
        replaces it, *volgende* keeps it); one not answered yet is simply asked again."""
        kept = self.readout.kept(self._practice_id(), index + 1)
        if kept is None:
            return self._ask(index)
        self.state, self._review = State.REVIEWING, index
        line = self._line(Line.KEPT_ANSWER, number=index + 1, answer=kept.text.rstrip(".!? "))
        return self._prompt([Say(line, personal=True)])
