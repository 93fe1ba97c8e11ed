"""The practice as a pure state machine: `Dialog.handle(event)` returns the actions to take.

No I/O and no clock. The runtime plays the actions in order, tells the dialog when output has
finished (`OutputDone`) and when the user has been silent for a while (`Silence`), and writes the
journal when asked (`SaveAnswer`) and says how that went (`JournalWritten`) before anything else:
"Bewaard" is said only for what is on disk.

The dialog in four parts:
  conversation.py  the states, the line that belongs to each, and how every state says a line,
                   listens for a reply, plays a recording and ends the session
  questions.py     the question list: a question asked, the answer confirmed, one reviewed
  readout.py       looking back: answers read aloud one by one, an earlier answer said again, a
                   recording played (its own small machine, which the dialog hands over to)
  machine.py       this: the events, the menu and the texts, the exercise, the plan of practices,
                   and what can be said in any state (stop, pauze, help, harder, ...)
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.content.lines import Line
from assistant.content.model import Command, Content, Exercise, Practice, QuestionList
from assistant.dialog.conversation import HELP, LISTENING, REPROMPT, STANDBY_GIVES_UP, State
from assistant.dialog.messages import (
    Action,
    Adjust,
    Begin,
    ButtonPressed,
    ChoosePack,
    ChoosePractice,
    CloseResume,
    ContinueJournal,
    Cue,
    CueKind,
    End,
    Event,
    Heard,
    InputEnded,
    JournalWritten,
    Notice,
    NoticeKind,
    OutputDone,
    Pause,
    ReadText,
    RecordingFetched,
    ResumePoint,
    Say,
    Silence,
    StartPractice,
    StopOutput,
    Style,
)
from assistant.dialog.questions import QuestionStates
from assistant.hearing import Utterance
from assistant.preferences import Preferences

__all__ = ["NOTICE_LINES", "Dialog", "State"]

# What each voice command changes, the line that says so, and the line at its limit.
_ADJUSTMENTS: dict[Command, tuple[Callable[[Preferences], Preferences | None], Line, Line]] = {
    Command.HARDER: (lambda p: p.louder(1), Line.LOUDER, Line.LOUDEST),
    Command.ZACHTER: (lambda p: p.louder(-1), Line.SOFTER, Line.SOFTEST),
    Command.SNELLER: (lambda p: p.faster(1), Line.FASTER, Line.FASTEST),
    Command.LANGZAMER: (lambda p: p.faster(-1), Line.SLOWER, Line.SLOWEST),
}
# What the dialog says for each notice (the loader insists that every Line has a wording).
NOTICE_LINES = {
    NoticeKind.MICROPHONE_LOST: Line.MICROPHONE_LOST,
    NoticeKind.MICROPHONE_BACK: Line.MICROPHONE_BACK,
    NoticeKind.SPEAKER_LOST: Line.SPEAKER_LOST,
    NoticeKind.SPEAKER_BACK: Line.SPEAKER_BACK,
    NoticeKind.VOICE_SERVER_LOST: Line.VOICE_SERVER_LOST,
    NoticeKind.VOICE_SERVER_BACK: Line.VOICE_SERVER_BACK,
    NoticeKind.JOURNAL_FAILED: Line.JOURNAL_FAILED,
    NoticeKind.RESUME_ELSEWHERE: Line.RESUME_ELSEWHERE,
    NoticeKind.INPUT_REPLACED: Line.INPUT_REPLACED,
}


class Dialog(QuestionStates):
    """The conversation of one session: `handle` takes an event and returns the actions."""

    def __init__(self, content: Content) -> None:
        super().__init__(content)
        self.step = 0
        self.resume: ResumePoint | None = None
        self.chosen: Practice | None = None  # asked for at the start (the command line)
        self.preferences = Preferences()
        self.standby = False
        self.paused_from = State.IDLE
        # What follows the reading of answers (READING_ANSWERS is the readout's).
        self._after_readout: Callable[[], list[Action]] = self._menu

    # --- the one entry point -----------------------------------------------------------

    def handle(self, event: Event) -> list[Action]:
        if self.state is State.ENDED:
            return []
        if isinstance(event, Begin):
            return self._begin(event)
        if isinstance(event, InputEnded):
            self.input_ended = True
            return self._goodbye(finished=False) if self.state in LISTENING else []
        if isinstance(event, Silence):
            return self._silence()
        if isinstance(event, OutputDone):
            return self._output_done()
        if isinstance(event, Notice):
            return self._notice(event)
        if isinstance(event, ButtonPressed):
            return self._pressed()
        if isinstance(event, RecordingFetched):
            return self.readout.handle(event) + self._resume()
        if isinstance(event, JournalWritten):
            return self._written(event)
        return self._heard(event)

    # --- events -------------------------------------------------------------------------

    def _begin(self, event: Begin) -> list[Action]:
        self.preferences = event.preferences
        self.standby = event.standby
        self.readout.history = event.history
        out: list[Action] = []
        if event.text_input:
            out += self._say(Line.NO_MICROPHONE)
        resume = event.resume
        chosen = self.content.practice(event.practice_id) if event.practice_id else None
        self.chosen = chosen
        if resume and (chosen is None or chosen.id == resume.practice_id):
            self.resume = resume
            practice = self.content.practice(resume.practice_id)
            title = practice.title if practice else resume.practice_id
            self.state = State.RESUME_OFFER
            return out + self._prompt(
                self._say(Line.RESUME_OFFER, number=resume.next_question + 1, title=title)
            )
        if chosen is not None:
            self.plan = [chosen]
            return out + self._start_practice()
        return out + self._say(Line.WELCOME) + self._say(Line.HOW_IT_WORKS) + self._menu()

    def _silence(self) -> list[Action]:
        # A pause is the user's own quiet: it is never interrupted by a reminder.
        if self.state not in LISTENING or self.state is State.PAUSED:
            return []
        if self._reprompted:
            if self.standby and self.state in STANDBY_GIVES_UP:
                # Nobody chose anything: the assistant goes back to waiting to be called.
                return self._goodbye(finished=False, line=Line.STANDBY_TIMEOUT)
            return []
        self._reprompted = True
        return self._say(REPROMPT[self.state]) + self._resume()

    def _notice(self, event: Notice) -> list[Action]:
        # Outside the states that listen the exercise goes on: the line follows the current pause.
        return self._say(NOTICE_LINES[event.kind]) + self._resume()

    def _output_done(self) -> list[Action]:
        if self.state is State.EXERCISE:
            return self._exercise_step(self.step + 1)
        if self.state is State.READING:
            return self._menu()
        if self.state is State.READING_ANSWERS:
            return self._reading(self.readout.handle(OutputDone()))
        return []

    def _pressed(self) -> list[Action]:
        """The button: pause whatever goes on; when paused, go on."""
        if self.state is State.PAUSED:
            return self._heard(Heard(Utterance(""), Command.VERDER))
        if self.state in (State.IDLE, State.ENDED):
            return []
        return self._pause()

    def _heard(self, event: Heard) -> list[Action]:
        meaning = event.meaning
        if meaning is Command.STOP:
            return [StopOutput(), *self._goodbye(finished=False)]
        if meaning is Command.PAUZE and self.state is not State.PAUSED:
            return self._pause()
        if meaning is Command.HELP:
            return self._help()
        if isinstance(meaning, Command) and meaning in _ADJUSTMENTS:
            return self._adjust(meaning)
        handler: Callable[[Heard], list[Action]] = {
            State.RESUME_OFFER: self._heard_resume,
            State.MENU: self._heard_menu,
            State.READING: self._heard_reading,
            State.EXERCISE: self._heard_exercise,
            State.ASKING: self._heard_answer,  # these three: questions.py
            State.CONFIRMING: self._heard_confirm,
            State.REVIEWING: self._heard_review,
            State.READ_OFFER: self._heard_read_offer,
            State.READING_ANSWERS: lambda heard: self._reading(self.readout.handle(heard)),
            State.PAUSED: self._heard_paused,
        }.get(self.state, lambda _: [])
        return handler(event)

    # --- what the user said, state by state -----------------------------------------------

    def _heard_resume(self, event: Heard) -> list[Action]:
        resume = self.resume
        assert resume is not None
        practice = self.content.practice(resume.practice_id)
        if event.meaning in (Command.JA, Command.VERDER, Command.START) and practice:
            self.plan = [practice]
            out: list[Action] = [ContinueJournal(resume.journal_id)]
            return out + self._ask(min(resume.next_question, _question_count(practice) - 1))
        if event.meaning in (Command.NEE, Command.OPNIEUW) or (
            event.meaning is not None and practice is None
        ):
            out = [CloseResume(resume.journal_id), *self._say(Line.RESUME_DECLINED)]
            if self.chosen is not None:  # what was asked for at the start, not the menu
                self.plan = [self.chosen]
                return out + self._start_practice()
            return out + self._menu()
        return self._not_understood()

    def _heard_menu(self, event: Heard) -> list[Action]:
        meaning = event.meaning
        if isinstance(meaning, ChoosePractice):
            practice = self.content.practice(meaning.practice_id)
            self.plan = [practice] if practice else []
            return self._start_practice()
        if meaning in (Command.ALLES, Command.START):
            self.plan = list(self.content.practices)
            return self._start_practice()
        if isinstance(meaning, ReadText):
            return self._read_text(meaning.text_id)
        if isinstance(meaning, ChoosePack) and meaning.name in self.content.pack_titles:
            self.state = State.ENDED
            spoken = self.content.pack_titles[meaning.name]
            return [*self._say(Line.SWITCH_PACK, pack=spoken), End(False, switch_to=meaning.name)]
        if meaning is Command.VOORLEZEN:
            return self._read(self.readout.read_last(), then=self._menu)
        if meaning is Command.HERHAAL:
            return self._menu()
        return self._not_understood()

    def _heard_reading(self, event: Heard) -> list[Action]:
        if event.meaning in (Command.VOLGENDE, Command.OVERSLAAN, Command.KLAAR):
            return [StopOutput(), *self._menu()]
        return [StopOutput(), *self._heard_menu(event)]

    def _heard_exercise(self, event: Heard) -> list[Action]:
        # Unknown speech during a meditation is ignored: a calm guide does not interrupt.
        moves = {Command.VOLGENDE: 1, Command.OVERSLAAN: 1, Command.HERHAAL: 0, Command.VORIGE: -1}
        if not isinstance(event.meaning, Command) or event.meaning not in moves:
            return []
        target = self.step + moves[event.meaning]
        if target < 0:
            return [StopOutput(), *self._say(Line.FIRST_STEP), *self._exercise_step(0)]
        return [StopOutput(), *self._exercise_step(target)]

    def _heard_read_offer(self, event: Heard) -> list[Action]:
        if event.meaning in (Command.JA, Command.VOORLEZEN, Command.START):
            return self._read(self.readout.read_this_session(), then=self._continue_plan)
        if event.meaning is None:
            return self._not_understood()
        return self._continue_plan()  # nee, or on with anything else

    def _heard_paused(self, event: Heard) -> list[Action]:
        if event.meaning in (Command.VERDER, Command.START, Command.JA, Command.HERHAAL):
            self.state = self.paused_from
            self._reprompted = False
            return self._reenter()
        return []  # paused means quiet: nothing but "verder", "stop" and "help" is answered

    # --- building blocks -----------------------------------------------------------------

    def _start_practice(self) -> list[Action]:
        if not self.plan:
            return self._menu()
        practice = self.plan[0]
        out: list[Action] = [StartPractice(practice.id)]
        if isinstance(practice, Exercise):
            out += [Cue(CueKind.BELL), Say(practice.intro, Style.GUIDE)]
            return out + self._exercise_step(0)
        return [*out, Say(practice.intro), *self._ask(0)]

    def _finish_practice(self) -> list[Action]:
        practice = self.plan.pop(0)
        if isinstance(practice, Exercise):
            return [Say(practice.outro, Style.GUIDE), Cue(CueKind.BELL), *self._continue_plan()]
        out: list[Action] = [Say(practice.outro)]
        self.finished_all = not self.plan  # whatever comes after the offer
        if self.readout.offers_reading():
            # Offered once, never pushed: "nee" (or anything else) simply goes on.
            self.state = State.READ_OFFER
            return out + self._prompt(self._say(Line.READ_OFFER))
        return out + self._continue_plan()

    def _continue_plan(self) -> list[Action]:
        """The next practice of the plan, or the goodbye when it is done."""
        if self.plan:
            return self._start_practice()
        return self._goodbye(finished=True)

    def _exercise_step(self, index: int) -> list[Action]:
        practice = self.plan[0]
        assert isinstance(practice, Exercise)
        if index >= len(practice.steps):
            return self._finish_practice()
        self.state, self.step = State.EXERCISE, index
        step = practice.steps[index]
        return [Say(step.say, Style.GUIDE), Pause(step.pause)]

    def _menu(self) -> list[Action]:
        self.state = State.MENU
        choices = [
            self._line(Line.MENU_CHOICE, phrase=p.phrasings[0], title=p.title)
            for p in self.content.practices
        ]
        if len(self.content.practices) > 1:
            choices.append(self._line(Line.MENU_ALL, phrase=self._phrase_for(Command.ALLES)))
        said = self._say(Line.MENU, choices=", ".join(choices))
        titles = self.content.pack_titles
        if titles and self.content.pack_phrasings:
            example = self.content.pack_phrasings[0].format(pack=next(iter(titles.values())))
            said += self._say(Line.MENU_PACKS, phrase=example, packs=", ".join(titles.values()))
        return self._prompt(said)

    def _read_text(self, text_id: str) -> list[Action]:
        text = next((t for t in self.content.texts if t.id == text_id), None)
        if text is None:
            return self._not_understood()
        self.state = State.READING
        said: list[Action] = [Say(text.title, Style.READING)]
        return said + [Say(p, Style.READING) for p in text.paragraphs]

    def _pause(self) -> list[Action]:
        self.paused_from = self.state
        self.state = State.PAUSED
        return [StopOutput(), *self._say(Line.PAUSED), *self._listen(patient=False)]

    def _help(self) -> list[Action]:
        key = HELP.get(self.state)
        if key is None:
            return []
        if self.state is State.READING:
            self.state = State.MENU
        out: list[Action] = [StopOutput(), *self._say(key)]
        if self.state is State.PAUSED:
            return out + self._listen(patient=False)
        return out + self._reenter()

    def _adjust(self, command: Command) -> list[Action]:
        """Louder, softer, slower or faster, said in the new voice; at a limit, said so."""
        change, changed_line, limit_line = _ADJUSTMENTS[command]
        changed = change(self.preferences)
        out: list[Action] = [StopOutput()]
        if changed is None:
            out += self._say(limit_line)
        else:
            self.preferences = changed
            out += [Adjust(changed), *self._say(changed_line)]
        if self.state is State.EXERCISE:
            return out + self._exercise_step(self.step)  # the sentence again, as it sounds now
        if self.state is State.READING:
            self.state = State.MENU
        if self.state in LISTENING:
            return out + self._resume()
        return out + self._reenter()

    def _reenter(self) -> list[Action]:
        """Say again what belongs to the current state: the step, the question, the prompt."""
        if self.state is State.EXERCISE:
            return self._exercise_step(self.step)
        if self.state is State.ASKING:
            return self._ask(self.question)
        if self.state is State.CONFIRMING and self._draft is not None:
            return self._read_back(self._draft)
        if self.state is State.RESUME_OFFER and self.resume is not None:
            self.state = State.IDLE
            return self._begin(Begin(None, self.resume, history=self.readout.history))
        if self.state is State.REVIEWING:
            return self._back_to(self._review)
        if self.state is State.READ_OFFER:
            return self._prompt(self._say(Line.READ_OFFER))
        if self.state is State.READING_ANSWERS:
            return self._reading(self.readout.again())
        return self._menu()

    # --- reading answers aloud (readout.py) ------------------------------------------------

    def _read(self, said: list[Action], then: Callable[[], list[Action]]) -> list[Action]:
        """What the readout said on being asked to read; while it reads the dialog is in
        READING_ANSWERS, and `then` follows the last answer (at once when nothing is read)."""
        if not self.readout.reading:
            return said + then()
        self.state, self._after_readout = State.READING_ANSWERS, then
        return said

    def _reading(self, said: list[Action]) -> list[Action]:
        """What the readout said while reading; after the last answer, what comes next."""
        return said if self.readout.reading else said + self._after_readout()


def _question_count(practice: Practice) -> int:
    return len(practice.questions) if isinstance(practice, QuestionList) else 1
