"""Jobs for the worker: which answers to transcribe better, in order, one at a time, from a
thread of the practice's process that only waits (the worker process does the work).

Every job is on the pending list on disk (journal/pending.py) before it is queued, and leaves
it only once its version is in the journal (or its answer is gone): a kill at any moment loses
none, and the next start (`resume`) queues what is left. A recogniser that fails for now (the
speech server is down) is tried again after growing delays (RETRY_SECONDS doubling up to
MOST_RETRY_SECONDS: a standby that runs for weeks with the server gone asks it a few times an
hour, not every few seconds); one that cannot work here at all (the whisper extra missing) stops
the improving for this run, said once in the log. A worker that dies GIVE_UP_AFTER times on one
answer (out of memory on a small Pi, say) leaves that answer as it is until the next start,
said once in the log: one bad recording must not restart a worker forever.

The owner of the journal applies the results (`take_done`), in its own thread: the session
through its Journal, everyone else through journal/versions.py.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.backoff import Backoff
from assistant.config import Settings
from assistant.content.model import Command, Content
from assistant.improve.worker import WorkerGone, WorkerProcess
from assistant.journal.crypt import NotDecrypted, Opener
from assistant.journal.markdown import Entry, JournalFormatError, SessionRecord, Version
from assistant.journal.pending import AnswerKey, PendingList
from assistant.journal.reading import read_recording
from assistant.journal.store import Journal, JournalWriteError
from assistant.journal.versions import SessionBusy, change_answer

if TYPE_CHECKING:  # only named here: a typed session never imports numpy
    from assistant.audio import AudioChunk

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0
MOST_RETRY_SECONDS = 600.0
GIVE_UP_AFTER = 3  # worker deaths on one answer, in one run
FIRST_RESTART_SECONDS = 1.0  # after a worker died: doubling up to RETRY_SECONDS


@dataclass(frozen=True)
class Job:
    key: AnswerKey
    heard: str | None = None  # the text the person confirmed, for an answer of the session
    audio: AudioChunk | None = None  # None: its kept recording is read from the journal


@dataclass(frozen=True)
class Done:
    job: Job
    version: Version


class Improver:
    def __init__(
        self,
        spec: str,
        journal: Journal,
        *,
        vosk_model: Path | None = None,
        stop_phrases: tuple[str, ...] = (),
        opener: Opener | None = None,
        retry: Backoff | None = None,
    ) -> None:
        self.journal = journal
        self.opener = opener
        self.pending = PendingList(journal.files.pending_improvements)
        self.worker = WorkerProcess(spec, vosk_model, stop_phrases)
        self.failing = False  # the last try failed (a server down): waiting adds nothing now
        self.unusable = ""  # why this recogniser cannot work here at all
        self.worker_ended = False  # the last try ended with the worker process (not the server)
        self.retry_delays = retry or Backoff(first=RETRY_SECONDS, most=MOST_RETRY_SECONDS)
        self.restart_delays = Backoff(first=FIRST_RESTART_SECONDS, most=RETRY_SECONDS)
        self.given_up: set[AnswerKey] = set()  # the worker died on each too often, this run
        self._deaths: Counter[AnswerKey] = Counter()  # worker deaths per answer, this run
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._done: queue.Queue[Done] = queue.Queue()
        self._open: Counter[AnswerKey] = Counter()  # jobs queued or running, per answer
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="improver", daemon=True)
        self._thread.start()

    # --- the owner's side ---------------------------------------------------------------------

    def submit(self, job: Job) -> None:
        """On the pending list (durably) before it is queued."""
        self.pending.add(job.key)
        with self._lock:
            self._open[job.key] += 1
        self._jobs.put(job)

    def resume(self, skip: str | None = None) -> int:
        """Queue what the pending list holds (a run cut off before it was done); `skip`: a
        session whose answers are queued by their own session. Returns how many."""
        keys = [key for key in self.pending.load() if key.record_id != skip]
        for key in keys:
            self.submit(Job(key))
        return len(keys)

    def take_done(self) -> list[Done]:
        done = []
        while True:
            try:
                done.append(self._done.get_nowait())
            except queue.Empty:
                return done

    def applied(self, job: Job) -> None:
        """The job's version is in the journal, or its answer is gone: off the pending list
        unless another job for the same answer is still open (it was answered again)."""
        with self._lock:
            self._open[job.key] -= 1
            last = self._open[job.key] <= 0
            if last:
                del self._open[job.key]
        if last:
            self.pending.remove(job.key)

    def retry(self, job: Job) -> None:
        """Queue a finished job again, for later (its session was busy)."""
        threading.Thread(target=self._later, args=(job, RETRY_SECONDS), daemon=True).start()

    def outstanding_key(self, key: AnswerKey) -> bool:
        with self._lock:
            return self._open[key] > 0

    def outstanding(self, record_id: str | None = None) -> int:
        with self._lock:
            return sum(n for k, n in self._open.items() if record_id in (None, k.record_id))

    def close(self) -> None:
        self._stop.set()
        self._jobs.put(None)
        self._thread.join(timeout=5)
        self.worker.close()
        self.journal.close()

    # --- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            job = self._jobs.get()
            if job is None:
                return
            if self.unusable:
                continue  # stays on the pending list for a run that can do it
            audio = job.audio or self._recording(job.key)
            if audio is None:
                self._forget(job)
                continue
            try:
                reply = self.worker.transcribe(audio)
            except WorkerGone:
                self._worker_died(job)
                continue
            self.worker_ended = False
            if not reply.ok:
                if reply.lasting:
                    self.unusable = reply.why
                    log.warning("answers cannot be improved here: %s", reply.why)
                else:
                    log.info("no better transcript now (%s); trying again later", reply.why)
                    self._later(job, self.retry_delays.delay())
                continue
            self.failing = False
            self.retry_delays.reset()
            self.restart_delays.reset()
            made = datetime.now().astimezone()
            self._done.put(Done(job, Version(reply.text, reply.recognizer, made)))

    def _worker_died(self, job: Job) -> None:
        self.worker_ended = True
        self._deaths[job.key] += 1
        if self._deaths[job.key] < GIVE_UP_AFTER:
            log.warning("the improving worker ended; starting another")
            # Not `failing`: the other answers go on (a `journal improve` too); a session's
            # end does not wait for it (`wait_until_done` looks at `worker_ended`).
            self._later(job, self.restart_delays.delay(), failing=False)
            return
        self.given_up.add(job.key)
        if self._deaths[job.key] == GIVE_UP_AFTER:
            log.warning(
                "the improving worker ended %d times on answer %d of session %s: "
                "it keeps its text until the next start",
                GIVE_UP_AFTER,
                job.key.number,
                job.key.record_id,
            )
        self._leave(job)

    def _later(self, job: Job, delay: float, failing: bool = True) -> None:
        if failing:
            self.failing = True
        if not self._stop.wait(delay):
            self._jobs.put(job)

    def _forget(self, job: Job) -> None:
        """No recording to transcribe (gone, not kept, or sealed without an opener)."""
        if self.journal.files.encrypted and self.opener is None:
            self._leave(job)  # for `journal improve`, which has the passphrase
            return
        self.applied(job)

    def _leave(self, job: Job) -> None:
        """Not done in this run, but left on the pending list for a later one."""
        with self._lock:
            self._open[job.key] -= 1
            if self._open[job.key] <= 0:
                del self._open[job.key]

    def _recording(self, key: AnswerKey) -> AudioChunk | None:
        name = self.journal.files.recording_name(key.record_id, key.practice_id, key.number)
        try:
            data = read_recording(self.journal, name, self.opener)
            from assistant.audio import wav_audio

            return wav_audio(data) if data is not None else None
        except (OSError, ValueError) as error:
            log.warning("recording %s not readable: %s", name, error)
            return None


def apply_done(improver: Improver, session: Journal | None = None) -> int:
    """Put the versions made so far into the journal: through `session` (the Journal of the
    session this process writes) for its own answers, else in the session's file. Returns how
    many were taken. JournalWriteError from `session` leaves the rest for the next call."""
    done = improver.take_done()
    for finished in done:
        try:
            _apply(improver, finished, session)
        except JournalWriteError as error:
            # The version is in the session's record, written with its next write; the
            # answer stays on the pending list until then (a kill now: it is made again).
            log.warning("a better transcript waits to be written: %s", error)
    return len(done)


def _apply(improver: Improver, done: Done, session: Journal | None) -> None:
    key, job, version = done.job.key, done.job, done.version
    if not version.text.strip():
        improver.applied(job)  # nothing heard: the confirmed text stays the best
        return
    record = session.record if session is not None else None
    if session is not None and record is not None and record.id == key.record_id:
        entry = next(
            (
                a
                for a in record.answers
                if (a.practice_id, a.number) == (key.practice_id, key.number)
            ),
            None,
        )
        heard = job.heard if job.heard is not None else (entry.text if entry else "")
        session.add_version(key.practice_id, key.number, heard, version)
        improver.applied(job)
        return

    def add(entry: Entry) -> bool:
        if job.heard is not None and entry.text != job.heard:
            return False  # answered again since: its own job comes
        entry.versions.append(version)
        return True

    try:
        change_answer(
            improver.journal, key.record_id, key.practice_id, key.number, add, improver.opener
        )
    except SessionBusy:
        improver.retry(job)  # a practice goes on with that session now
        return
    except (OSError, UnicodeDecodeError, JournalFormatError, NotDecrypted) as error:
        log.warning("session %s cannot take a better transcript: %s", key.record_id, error)
    improver.applied(job)


def wait_until_done(
    improver: Improver, record_id: str | None = None, session: Journal | None = None
) -> None:
    """Apply versions until no job (of `record_id`) is open, or the recogniser fails for now
    (a server down, or its worker ended: the pending list keeps the rest) or cannot work here."""
    while (
        improver.outstanding(record_id)
        and not improver.failing
        and not improver.worker_ended
        and not improver.unusable
    ):
        if not apply_done(improver, session):
            time.sleep(0.1)
    apply_done(improver, session)


def recognizer_name(spec: str) -> str | None:
    """The `recognizer` the versions that `spec` makes carry; None when it cannot be had here."""
    from assistant.errors import UserError
    from assistant.recognizer.transcribers import make_transcriber

    try:
        return make_transcriber(spec, vosk_model=Path("vosk")).name
    except UserError:
        return None


def queue_unimproved(improver: Improver, records: list[SessionRecord], name: str) -> int:
    """Queue every answer with a kept recording that has no version by `name` yet (and is not
    queued already); returns how many were queued."""
    queued = 0
    for record in records:
        for entry in record.answers:
            key = AnswerKey(record.id, entry.practice_id, entry.number)
            made = [entry.heard_by, *(v.recognizer for v in entry.versions)]
            if not entry.recording or name in made:
                continue
            if improver.outstanding_key(key):
                continue
            improver.submit(Job(key))
            queued += 1
    return queued


def open_improver(content: Content, settings: Settings, journal: Journal) -> Improver | None:
    """The improver the config asks for (`transcriber:` other than vosk), with the stop words
    its transcripts lose; the answers a run cut off left are queued again."""
    spec = settings.listen.transcriber
    if spec.strip() == "vosk":
        return None
    stops = stop_phrases(content)
    # Its own hold on the folder: it edits closed sessions after the practice let go of it.
    improver = Improver(spec, Journal(journal.folder, journal.labels), stop_phrases=stops)
    improver.resume()
    return improver


def stop_phrases(content: Content) -> tuple[str, ...]:
    """The words that end an answer: in its recording, so a transcript of it loses them."""
    return tuple(phrase for phrase, c in content.commands.items() if c is Command.KLAAR)
