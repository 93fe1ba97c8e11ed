"""The journal on disk: one Markdown file per session in a private folder, written durably
(what each file is called, and how it is sealed, read and written: folder.py).

Encrypted journals (see crypt.py) keep the same Markdown and recordings sealed, and beside each
session its front matter alone in a progress file, which holds no words of the user: so the next
start can offer to resume without the passphrase.

One process writes a session (see lock.py): a second one that wants to go on with the same
session writes a new one that says which it continues. A journal encrypted while a session
runs is noticed before that session's next write, which seals its files from then on. Until
every file is sealed (an encryption cut off, a session killed before its next write) the
plaintext ones are read, listed and offered like the rest, and sealed by the next
`journal encrypt` (see sealing.py).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.content.model import Content, QuestionList
from assistant.dialog.messages import ResumePoint
from assistant.durable import is_regular_file
from assistant.journal.folder import JournalFolder
from assistant.journal.folder import JournalWriteError as JournalWriteError  # the journal's own
from assistant.journal.lock import Lock
from assistant.journal.markdown import (
    Entry,
    JournalFormatError,
    Labels,
    PackSource,
    SessionRecord,
    Version,
    render,
    storable,
)

if TYPE_CHECKING:  # numpy only where a recording is written: a typed session never needs it
    from assistant.audio import AudioChunk

log = logging.getLogger(__name__)


class Journal:
    """The journal folder: the current session's record, written durably on every change."""

    def __init__(
        self,
        folder: Path,
        labels: Labels,
        keep_audio: bool = True,
        pack: PackSource | None = None,
    ) -> None:
        self.files = JournalFolder(folder)  # made when it is not there; UserError if unusable
        self.labels = labels
        self.keep_audio = keep_audio
        self.pack = pack  # where this session's questions come from, named in its entry
        self.record: SessionRecord | None = None
        self.continued_elsewhere = False  # the session to go on with was open in another process
        self._dirty = False  # the record holds something not yet on disk
        self._pending_audio: dict[str, AudioChunk] = {}  # recordings not yet on disk, by name
        self._unwritten: set[tuple[str, int]] = set()  # confirmed answers not yet on disk
        self._lock: Lock | None = None  # on the session this process writes
        self.last_error = ""  # why the last write failed

    @property
    def folder(self) -> Path:
        return self.files.path

    @property
    def path(self) -> Path | None:
        """The current session's Markdown (by its plain name)."""
        return self.files.markdown(self.record.id) if self.record else None

    @property
    def pending(self) -> bool:
        """Something in the record is not on disk yet (see `retry`)."""
        return self._dirty

    @property
    def unwritten_answers(self) -> int:
        """Confirmed answers of this session not on disk yet."""
        return len(self._unwritten) if self._dirty else 0

    # --- what the dialog asks for ------------------------------------------------------

    def start(self, practice_id: str, now: datetime) -> None:
        if self.record is None:
            self.record = SessionRecord(id=self._claim_new_id(now), started=now)
        if practice_id not in self.record.practices:
            self.record.practices.append(practice_id)
        self._flush()

    def continue_session(self, record_id: str, now: datetime) -> None:
        """Go on with an earlier session: in its own file, or in a new file that says which one
        it continues when its words cannot be read without the passphrase (encrypted) or when
        another process is writing it right now (`continued_elsewhere`)."""
        self.files.notice_key()
        lock = self._take(record_id)
        if lock is None:
            log.warning("session %s is open in another process; continuing in a new one", record_id)
            self.continued_elsewhere = True
            self._continue_in_new_file(record_id, now)
            return
        if not self.files.encrypted and self.files.markdown(record_id).exists():
            try:
                self.record = self.files.front(record_id)
            except (OSError, ValueError, JournalFormatError) as error:
                # Gone or damaged since it was offered: the answers go into a new session.
                log.warning("cannot continue session %s (%s); starting a new one", record_id, error)
                lock.release()
                self.record = SessionRecord(id=self._claim_new_id(now), started=now)
                return
            self._lock = lock
            self.record.resumable = True
            return
        try:
            self._continue_in_new_file(record_id, now)
            self._close_resume_held(record_id)
        finally:
            lock.release()

    def save_answer(self, entry: Entry, recording: AudioChunk | None) -> None:
        """On disk (audio first, then the Markdown) before this returns, or JournalWriteError.
        The entry is in the record before anything is written, so a failed write loses
        nothing: `retry` (or the next write) puts it and its audio on disk."""
        record = self.record
        assert record is not None, "an answer before any practice started"
        entry.text = storable(entry.text)
        if entry.practice_id not in record.practices:
            record.practices.append(entry.practice_id)
        if recording is not None and self.keep_audio:
            entry.recording = self.files.recording_name(record.id, entry.practice_id, entry.number)
            self._pending_audio[entry.recording] = recording
        record.put(entry)
        key = (entry.practice_id, entry.number)
        if entry.confirmed:
            self._unwritten.add(key)
        else:
            self._unwritten.discard(key)
        self._flush()

    def add_version(self, practice_id: str, number: int, heard: str, version: Version) -> bool:
        """A better text of an answer of the session this process writes, on disk (sealed
        when the journal is encrypted) before this returns; False when that answer is gone or
        was answered again since its text was `heard` (the version belongs to older words)."""
        entry = self._entry(practice_id, number)
        if entry is None or entry.text != heard:
            return False
        entry.versions.append(version)
        self._flush()
        return True

    def _entry(self, practice_id: str, number: int) -> Entry | None:
        answers = self.record.answers if self.record is not None else []
        return next(
            (a for a in answers if (a.practice_id, a.number) == (practice_id, number)), None
        )

    def finish(self, finished: bool, duration_seconds: float) -> None:
        """The session's last write; once it is on disk the session is free for others."""
        if self.record is None:
            return
        self.record.finished = finished
        self.record.duration_seconds = duration_seconds
        self._flush()
        if self._lock is not None:
            self._lock.release()

    def close(self) -> None:
        """Let go of the folder (what is still pending is lost now)."""
        if self._lock is not None:
            self._lock.release()
        self.files.close()

    def close_resume(self, record_id: str) -> None:
        """The user chose not to go on with that session: do not offer it again."""
        self.files.notice_key()
        lock = self._take(record_id)
        if lock is None:  # another process goes on with it: it is not ours to close
            return
        try:
            self._close_resume_held(record_id)
        finally:
            lock.release()

    def retry(self) -> bool:
        """Write what is pending after an earlier failure; True when nothing is pending."""
        if self._dirty:
            with contextlib.suppress(JournalWriteError):
                self._flush()
        return not self._dirty

    # --- reading back -------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        """Every session, oldest first (encrypted ones without the words of the answers; one
        not sealed yet is read from its plaintext)."""
        records = []
        for record_id in self.files.session_ids():
            try:
                records.append(self.files.front(record_id))
            except FileNotFoundError:
                log.warning("skipping session %s: only its sealed file is left", record_id)
            except (OSError, ValueError, JournalFormatError) as error:
                log.warning("skipping unreadable journal file of %s: %s", record_id, error)
        return records

    def resume_point(self, content: Content) -> ResumePoint | None:
        """The newest unfinished session with a confirmed answer and questions still open,
        that no other process is writing now."""
        for record in reversed(self.sessions()):
            if record.finished or not record.resumable:
                continue
            for practice_id in record.practices:
                practice = content.practice(practice_id)
                if not isinstance(practice, QuestionList):
                    continue
                done = record.confirmed(practice_id)
                open_numbers = [n for n in range(1, len(practice.questions) + 1) if n not in done]
                if done and open_numbers and not self._held(record.id):
                    return ResumePoint(record.id, practice_id, open_numbers[0] - 1)
        return None

    # --- files --------------------------------------------------------------------------

    def _claim_new_id(self, now: datetime) -> str:
        """A new session id, locked for this process (see JournalFolder.claim_id)."""
        record_id, self._lock = self.files.claim_id(now)
        return record_id

    def _take(self, record_id: str) -> Lock | None:
        """The session's lock, or None when another process holds it (an unwritable folder has
        no locks: nobody else can write there either)."""
        try:
            return self.files.take(record_id)
        except OSError:
            return Lock.unheld(self.folder)

    def _held(self, record_id: str) -> bool:
        try:
            return self.files.held_elsewhere(record_id)
        except OSError:
            return False

    def _continue_in_new_file(self, record_id: str, now: datetime) -> None:
        try:
            earlier = self.files.front(record_id)
        except (OSError, ValueError, JournalFormatError) as error:
            log.warning("cannot read session %s (%s); starting a new one", record_id, error)
            earlier = SessionRecord(id=record_id, started=now)
        before = {p: sorted(earlier.confirmed(p)) for p in earlier.practices}
        self.record = SessionRecord(
            id=self._claim_new_id(now),
            started=now,
            practices=list(earlier.practices),
            continues=record_id if before else None,
            answered_before=before if before else {},
        )
        self._flush()

    def _close_resume_held(self, record_id: str) -> None:
        """Mark session `record_id` (whose lock this process holds) as not to be offered."""
        with contextlib.suppress(OSError, ValueError, JournalFormatError, JournalWriteError):
            old = self.files.front(record_id)
            old.resumable = False
            if not self.files.encrypted:
                self.files.write(self.files.markdown(record_id), self._markdown(old))
            else:
                self.files.write_progress(old)

    def _markdown(self, record: SessionRecord) -> bytes:
        return render(record, self.labels).encode("utf-8")

    def _flush(self) -> None:
        record = self.record
        assert record is not None
        record.pack = record.pack or self.pack  # a session continued keeps the pack it began with
        self._dirty = True
        try:
            self.files.notice_key()
            if self._pending_audio:
                from assistant.audio import wav_bytes
            for name, audio in list(self._pending_audio.items()):
                self.files.write(self.folder / name, wav_bytes(audio))
                del self._pending_audio[name]
            self.files.write(self.files.markdown(record.id), self._markdown(record))
            if self.files.encrypted:
                self.files.write_progress(record)
                self._drop_plaintext(record)
        except JournalWriteError as error:
            self.last_error = str(error)
            raise
        except Exception as error:
            # Whatever goes wrong in writing (a bug included) must not end the session: the
            # record stays in memory and the next write tries again.
            log.exception("writing the journal")
            self.last_error = f"{self.folder}: {error}"
            raise JournalWriteError(self.last_error) from error
        self._dirty = False
        self._unwritten.clear()

    def _drop_plaintext(self, record: SessionRecord) -> None:
        """This session's plaintext from before the journal was encrypted: its recordings
        sealed, its Markdown (just written sealed from the record) gone."""
        names = [entry.recording for entry in record.answers if entry.recording]
        plain = [self.files.recording(name) for name in names]
        self.files.seal([path for path in plain if path is not None and is_regular_file(path)])
        self.files.remove([self.files.markdown(record.id)])
