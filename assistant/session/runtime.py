"""The runtime: feeds events to the dialog and carries out its actions with real devices.

One loop, one thread. Output plays item by item; while a timed pause runs, and whenever the
dialog listens, input is taken and handed to the dialog. Input is never taken while a line or
a cue plays (half-duplex: the assistant must not hear itself).

What the journal could not write (a full disk, a folder gone) stays in memory and is tried
again every few seconds while the session runs, whatever else happens or does not, and before
every event the dialog gets, so that what it says it kept is what is on disk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from assistant.content.model import Content
from assistant.dialog.machine import Dialog
from assistant.dialog.messages import (
    Action,
    Adjust,
    Begin,
    ButtonPressed,
    CloseResume,
    ContinueJournal,
    Event,
    FetchRecording,
    Heard,
    InputEnded,
    JournalWritten,
    Listen,
    Notice,
    NoticeKind,
    OutputDone,
    OutputItem,
    Pause,
    RecordingFetched,
    SaveAnswer,
    Silence,
    StartPractice,
    StopOutput,
)
from assistant.dialog.understand import understand
from assistant.hearing import ListenMode, Utterance
from assistant.i18n import _
from assistant.improve.improver import Improver, Job, apply_done, wait_until_done
from assistant.journal.markdown import Entry
from assistant.journal.pending import AnswerKey
from assistant.journal.reading import read_recording
from assistant.journal.store import Journal, JournalWriteError
from assistant.preferences import Preferences
from assistant.session.agenda import Agenda
from assistant.session.ports import Input, Output

if TYPE_CHECKING:  # numpy only when a recording is played back: a typed session never needs it
    from assistant.audio import AudioChunk
    from assistant.improve.quick import QuickServer

log = logging.getLogger(__name__)

_POLL = 0.05  # seconds between looks at the input while output plays
RETRY_SECONDS = 2.0  # between tries to write what the journal could not write


class Session:
    """One practice session: plays the dialog's actions on the devices and feeds it what
    happened, until the dialog ends."""

    def __init__(
        self,
        content: Content,
        output: Output,
        input_: Input,
        journal: Journal,
        patience: float,
        warn: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
        remember: Callable[[Preferences], None] = lambda _preferences: None,
        close_devices: bool = True,
        improver: Improver | None = None,
        quick: QuickServer | None = None,
    ) -> None:
        self.content = content
        self.dialog = Dialog(content)
        self.output = output
        self.input = input_
        self.journal = journal
        self.patience = patience
        self.warn = warn
        self.clock = clock
        self.remember = remember  # keeps the person's volume and pace for the next sessions
        self.close_devices = close_devices  # False: the devices serve more sessions (standby)
        self.improver = improver  # better transcripts of the answers, made in the background
        self.quick = quick  # the speech server's transcript for the read-back, when in time
        self._quick_heard: tuple[str, str] | None = None  # (text, recognizer) it last made
        self._agenda = Agenda()
        self._interrupted = False
        self._notices: list[NoticeKind] = []
        self._started = clock()
        self._earlier_duration = 0.0  # of a resumed session, before this run
        self._next_retry = 0.0  # when to try again to write what the journal could not
        self._closed = False

    def run(self, begin: Begin) -> bool:
        """Run the dialog to its end; True when every chosen practice was finished."""
        try:
            self.output.adjust(begin.preferences)
            self._dispatch(begin)
            agenda = self._agenda
            while True:
                if agenda.queue:
                    self._play(agenda.queue.popleft())
                    if not agenda.queue and agenda.listen is None and agenda.ended is None:
                        self._dispatch(OutputDone())
                elif agenda.ended is not None or agenda.listen is None:
                    break
                else:
                    self._wait_for_input(agenda.listen)
        finally:
            self.close()
        return self._agenda.ended is not None and self._agenda.ended.finished

    @property
    def switch_to(self) -> str | None:
        """The pack the person chose in the menu, for the next session; None when none was."""
        return self._agenda.ended.switch_to if self._agenda.ended is not None else None

    def close(self) -> None:
        """Write what is known so far, whatever happened; safe to call more than once."""
        if self._closed:
            return  # the journal has let go of the session: no more writes to it
        self._closed = True
        finished = self._agenda.ended is not None and self._agenda.ended.finished
        duration = self._earlier_duration + self.clock() - self._started
        try:
            self._last_improvements()
        finally:
            self._finish_journal(finished, duration)

    def _last_improvements(self) -> None:
        """This session's answers improved before its last write (in an encrypted journal the
        words are only in memory now), unless the recogniser fails for now: then the pending
        list keeps them for the next run."""
        record = self.journal.record
        if self.improver is not None and record is not None:
            wait_until_done(self.improver, record.id, session=self.journal)

    def _finish_journal(self, finished: bool, duration: float) -> None:
        try:
            self.journal.finish(finished, duration)
        except JournalWriteError as error:
            self.warn(_("The journal could not be written: {error}").format(error=error))
        self.journal.close()
        if self.close_devices:
            self.output.close()
            self.input.close()

    @property
    def input_ended(self) -> bool:
        """No more input will ever come (the recording used as the microphone ran out)."""
        return self.dialog.input_ended

    # --- playing and listening ----------------------------------------------------------

    def _play(self, item: OutputItem) -> None:
        # Commands are heard during a pause (a user may say "pauze" into the silence).
        hearing = isinstance(item, Pause) and self._agenda.ended is None
        mode = ListenMode.COMMAND if hearing else ListenMode.OFF
        self.input.listen(mode)
        self._interrupted = False
        self.output.start(item)
        self._notices += self.output.take_notices()
        while True:
            self._catch_up()
            # Input is looked at before the end is checked, so that even a pause of zero
            # seconds (--pace 0) hears a command that is already waiting.
            if hearing:
                got = self.input.get(0)
                if got is not None:
                    self._dispatch(self._event(got))
                    if self._interrupted:
                        return
                    self.input.listen(mode)  # a recording waits after each thing it said
            if self.output.wait(_POLL if hearing else 0.5):
                self._notices += self.output.take_notices()
                if self._notices:
                    self._dispatch_notices()
                return

    def _wait_for_input(self, listen: Listen) -> None:
        self.input.listen(ListenMode.ANSWER if listen.answer else ListenMode.COMMAND)
        deadline = self.clock() + self.patience if listen.patient else None
        while True:
            if self._catch_up():
                return
            got = self.input.get(_POLL * 10)
            if got is not None:
                self._dispatch(self._event(got, answer=listen.answer))
                return
            if notices := self.output.take_notices():  # e.g. the sound came back meanwhile
                self._notices += notices
                self._dispatch_notices()
                return
            if deadline is not None and self.clock() >= deadline:
                self._dispatch(Silence())
                return

    def _event(
        self, got: Utterance | Notice | InputEnded | ButtonPressed, answer: bool = False
    ) -> Event:
        if isinstance(got, InputEnded | Notice | ButtonPressed):
            return got
        meaning = understand(got.text, self.content)  # commands are Vosk's to hear
        text = got.text
        if answer and self.quick is not None and got.recording is not None and meaning is None:
            made = self.quick.transcript(got.recording)
            if made is not None and made.text.strip():
                text, self._quick_heard = made.text, (made.text, made.recognizer)
        return Heard(replace(got, text=text), meaning)

    # --- the dialog's actions -----------------------------------------------------------

    def _dispatch(self, event: Event) -> None:
        if not isinstance(event, JournalWritten):
            self._catch_up(now=True)  # so the dialog knows what is on disk when it speaks
        for action in self.dialog.handle(event):
            self._do(action)
        self._dispatch_notices()  # told after the actions that caused them, never in between

    def _dispatch_notices(self) -> None:
        while self._notices:
            self._dispatch(Notice(self._notices.pop(0)))

    def _do(self, action: Action) -> None:
        left = self._agenda.take(action)
        if isinstance(left, StopOutput):
            self.output.stop()
            self._interrupted = True
        elif isinstance(left, Adjust):
            self._adjust(left.preferences)
        elif isinstance(left, StartPractice | SaveAnswer | ContinueJournal | CloseResume):
            self._journal(left)
        elif isinstance(left, FetchRecording):
            self._dispatch(RecordingFetched(self._recording(left)))
        elif left is not None:
            raise TypeError(f"the runtime has no way to carry out {left!r}")

    def _adjust(self, preferences: Preferences) -> None:
        self.output.adjust(preferences)
        try:
            self.remember(preferences)
        except OSError as error:  # only costs the setting next time, never this session
            log.warning("the voice preferences could not be kept: %s", error)

    def _recording(self, action: FetchRecording) -> AudioChunk | None:
        """A kept recording from the journal (an encrypted one cannot be read: None)."""
        try:
            data = read_recording(self.journal, action.name, opener=None)
        except Exception:  # looking back must never end a session
            log.exception("reading recording %s", action.name)
            return None
        if data is None:
            return None
        from assistant.audio import wav_audio

        try:
            return wav_audio(data)
        except ValueError as error:
            log.warning("recording %s not readable: %s", action.name, error)
            return None

    def _improve(self, answer: Entry, recording: AudioChunk | None) -> None:
        record = self.journal.record
        if self.improver is None or recording is None or not answer.confirmed or record is None:
            return
        if answer.heard_by is not None:
            return
        key = AnswerKey(record.id, answer.practice_id, answer.number)
        try:
            self.improver.submit(Job(key, heard=answer.text, audio=recording))
        except OSError as error:  # the pending list: only costs the better transcript
            log.warning("no better transcript for this answer: %s", error)

    def _catch_up(self, now: bool = False) -> bool:
        """Write what the journal could not write before (every RETRY_SECONDS, or `now`); True
        when that has just succeeded, and the dialog has been told."""
        if self.improver is not None:
            apply_done(self.improver, self.journal)  # a few ms of writing, between events
        if not self.journal.pending or (not now and self.clock() < self._next_retry):
            return False
        self._next_retry = self.clock() + RETRY_SECONDS
        if not self.journal.retry():
            return False
        self.warn(_("The journal can be written again: everything is on disk now."))
        self._dispatch(JournalWritten(ok=True))
        return True

    def _journal(self, action: StartPractice | SaveAnswer | ContinueJournal | CloseResume) -> None:
        try:
            if isinstance(action, StartPractice):
                self.journal.start(action.practice_id, datetime.now().astimezone())
            elif isinstance(action, SaveAnswer):
                answer = Entry(
                    action.practice_id,
                    action.number,
                    action.question,
                    action.answer,
                    action.confirmed,
                )
                quick = self._quick_heard
                if quick is not None and quick[0].strip() == action.answer.strip():
                    answer.heard_by = quick[1]  # the best recogniser made it: nothing to improve
                self.journal.save_answer(answer, action.recording)
                self._improve(answer, action.recording)
            elif isinstance(action, ContinueJournal):
                self.journal.continue_session(action.journal_id, datetime.now().astimezone())
                record = self.journal.record
                self._earlier_duration = record.duration_seconds if record else 0.0
            elif isinstance(action, CloseResume):
                self.journal.close_resume(action.journal_id)
        except Exception as error:
            # Nothing in the journal may end a session: the answer stays in memory and goes
            # to disk as soon as a write succeeds (see _catch_up).
            if not isinstance(error, JournalWriteError):
                log.exception("the journal failed on %s", type(action).__name__)
            self.warn(
                _(
                    "Your answer could not be written to the journal yet ({error}). It is kept "
                    "and written as soon as the journal folder can be written again."
                ).format(error=error)
            )
            self._next_retry = self.clock() + RETRY_SECONDS
            if isinstance(action, SaveAnswer):
                self._dispatch(JournalWritten(ok=False))
            else:
                self._notices.append(NoticeKind.JOURNAL_FAILED)
            return
        if isinstance(action, SaveAnswer):
            self._dispatch(JournalWritten(ok=True))
        elif isinstance(action, ContinueJournal) and self.journal.continued_elsewhere:
            self._dispatch(Notice(NoticeKind.RESUME_ELSEWHERE))  # before the question
