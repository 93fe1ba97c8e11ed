"""Drives the pure dialog the way the runtime does, without devices or clocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.content.model import Content
from assistant.dialog.machine import Dialog, State
from assistant.dialog.messages import (
    Action,
    Begin,
    CloseResume,
    ContinueJournal,
    End,
    Event,
    Heard,
    InputEnded,
    JournalWritten,
    Listen,
    OutputDone,
    ResumePoint,
    SaveAnswer,
    Say,
    Silence,
    StartPractice,
)
from assistant.dialog.understand import understand
from assistant.hearing import Utterance
from assistant.session.agenda import Agenda


@dataclass
class Driver:
    content: Content
    dialog: Dialog = field(init=False)
    actions: list[Action] = field(default_factory=list)  # everything, in order
    agenda: Agenda = field(default_factory=Agenda)  # the runtime's own bookkeeping
    journal_ok: bool = True  # whether writing the journal succeeds, as the runtime reports it

    def __post_init__(self) -> None:
        self.dialog = Dialog(self.content)

    @property
    def state(self) -> State:
        return self.dialog.state

    @property
    def listen(self) -> Listen | None:
        return self.agenda.listen

    @property
    def ended(self) -> End | None:
        return self.agenda.ended

    @property
    def playing(self) -> bool:
        """Output queued that the runtime would still be playing."""
        return bool(self.agenda.queue)

    def send(self, event: Event) -> list[Action]:
        """The dialog's actions for `event`, and, right after each SaveAnswer, those for the
        runtime's answer to it (JournalWritten), as the runtime interleaves them."""
        done: list[Action] = []
        for action in self.dialog.handle(event):
            self.agenda.take(action)
            self.actions.append(action)
            done.append(action)
            if isinstance(action, SaveAnswer):
                done += self.send(JournalWritten(self.journal_ok))
        return done

    def begin(
        self,
        practice_id: str | None = None,
        resume: ResumePoint | None = None,
        settle: bool = True,
    ) -> None:
        self.send(Begin(practice_id, resume))
        if settle:
            self.settle()

    def send_begin(self, **fields: object) -> None:
        """Begin with the menu and the given Begin fields (e.g. preferences), then settle."""
        self.send(Begin(None, **fields))  # type: ignore[arg-type]
        self.settle()

    def say(self, text: str, settle: bool = True) -> list[Action]:
        """The user says (or types) `text`; then output plays out unless settle=False."""
        actions = self.send(Heard(Utterance(text), understand(text, self.content)))
        if settle:
            self.settle()
        return actions

    def output_done(self) -> list[Action]:
        self.agenda.queue.clear()  # played to its end
        return self.send(OutputDone())

    def settle(self, limit: int = 200) -> None:
        """Let output play until the dialog listens or ends (the exercise plays through)."""
        for _ in range(limit):
            if self.ended or self.listen:
                return
            self.output_done()
        raise AssertionError("the dialog neither listens nor ends")

    def step_once(self) -> None:
        """Play the output of one exercise step."""
        self.output_done()

    def silence(self) -> list[Action]:
        return self.send(Silence())

    def input_ended(self) -> list[Action]:
        return self.send(InputEnded())

    # --- reading what happened -------------------------------------------------------

    def said(self, actions: list[Action] | None = None) -> list[str]:
        return [
            a.text for a in (self.actions if actions is None else actions) if isinstance(a, Say)
        ]

    def last_said(self) -> str:
        return self.said()[-1]

    def saves(self) -> list[SaveAnswer]:
        return [a for a in self.actions if isinstance(a, SaveAnswer)]

    def journal_actions(self) -> list[Action]:
        kinds = (StartPractice, SaveAnswer, ContinueJournal, CloseResume)
        return [a for a in self.actions if isinstance(a, kinds)]
