"""The journal on disk: one Markdown file per session in a private folder, written durably.

Encrypted journals (see crypt.py) keep the same Markdown sealed in `<id>.md.age`, recordings in
`<name>.wav.age`, and beside each session its front matter alone in `<id>.progress.yaml`, which
holds no words of the user: so the next start can offer to resume without the passphrase.

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

import yaml

from assistant.audio import AudioChunk, wav_bytes
from assistant.content.model import Content, QuestionList
from assistant.dialog.messages import ResumePoint
from assistant.durable import is_regular_file, make_folder, write_durably
from assistant.errors import UserError
from assistant.i18n import _
from assistant.journal.crypt import RECIPIENT_FILE, SEALED, Sealer
from assistant.journal.lock import Lock, held_elsewhere, open_folder, take_session
from assistant.journal.markdown import (
    Entry,
    JournalFormatError,
    Labels,
    SessionRecord,
    front_matter,
    parse,
    parse_front_matter,
    render,
    session_order,
    storable,
)

log = logging.getLogger(__name__)

PROGRESS = ".progress.yaml"
_ENDINGS = (".md", ".md" + SEALED, PROGRESS)  # a session's files, plain or encrypted


class JournalWriteError(Exception):
    """A write failed (disk full, folder gone, no permission); the record is still in memory."""


class Journal:
    """The journal folder: the current session's record, written durably on every change."""

    def __init__(self, folder: Path, labels: Labels, keep_audio: bool = True) -> None:
        self.folder = folder
        self.labels = labels
        self.keep_audio = keep_audio
        self.record: SessionRecord | None = None
        self.continued_elsewhere = False  # the session to go on with was open in another process
        self._dirty = False  # the record holds something not yet on disk
        self._pending_audio: dict[str, AudioChunk] = {}  # recordings not yet on disk, by name
        self._unwritten: set[tuple[str, int]] = set()  # confirmed answers not yet on disk
        self._lock: Lock | None = None  # on the session this process writes
        self.last_error = ""  # why the last write failed
        try:
            make_folder(folder)  # an existing one is left as the person made it
        except OSError as error:
            raise UserError(
                _(
                    "The journal folder {folder} cannot be used ({reason}). "
                    "Choose another one with --journal DIR."
                ).format(folder=folder, reason=error.strerror)
            ) from None
        self._folder_lock: Lock | None = None
        try:
            self._folder_lock = open_folder(folder)
        except OSError as error:  # a read-only journal can still be read
            log.warning("the journal folder cannot be locked (%s); reading only", error)
        self.sealer = Sealer.load(folder)

    @property
    def path(self) -> Path | None:
        return self._session_path(self.record.id) if self.record else None

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
        self._notice_encryption()
        lock = _take(self.folder, record_id)
        if lock is None:
            log.warning("session %s is open in another process; continuing in a new one", record_id)
            self.continued_elsewhere = True
            self._continue_in_new_file(record_id, now)
            return
        if self.sealer is None and self._session_path(record_id).exists():
            try:
                self.record = self._read(self._session_path(record_id))
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
            entry.recording = f"{record.id}-{entry.practice_id}-{entry.number:02d}.wav"
            self._pending_audio[entry.recording] = recording
        record.put(entry)
        key = (entry.practice_id, entry.number)
        if entry.confirmed:
            self._unwritten.add(key)
        else:
            self._unwritten.discard(key)
        self._flush()

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
        for lock in (self._lock, self._folder_lock):
            if lock is not None:
                lock.release()

    def close_resume(self, record_id: str) -> None:
        """The user chose not to go on with that session: do not offer it again."""
        self._notice_encryption()
        lock = _take(self.folder, record_id)
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

    def session_ids(self) -> list[str]:
        """Every session that has a file here, oldest first (in the order they began)."""
        ids = set()
        for ending in _ENDINGS:
            for path in self.folder.glob(f"*{ending}"):
                if is_regular_file(path):
                    ids.add(path.name.removesuffix(ending))
        return sorted(ids, key=session_order)

    def sessions(self) -> list[SessionRecord]:
        """Every session, oldest first (encrypted ones without the words of the answers; one
        not sealed yet is read from its plaintext)."""
        records = []
        for record_id in self.session_ids():
            progress, plain = self._progress_path(record_id), self._session_path(record_id)
            try:
                if self.sealer is not None and progress.exists():
                    records.append(self._read_progress(record_id))
                elif plain.exists():
                    records.append(self._read(plain))
                else:
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
                if done and open_numbers and not _held(self.folder, record.id):
                    return ResumePoint(record.id, practice_id, open_numbers[0] - 1)
        return None

    # --- files --------------------------------------------------------------------------

    def _session_path(self, record_id: str) -> Path:
        return self.folder / f"{record_id}.md"

    def _progress_path(self, record_id: str) -> Path:
        return self.folder / f"{record_id}{PROGRESS}"

    def _claim_new_id(self, now: datetime) -> str:
        """A new session id, locked for this process: two sessions started in the same second
        (or after the clock went back) get ids that sort in the order they began."""
        base = now.strftime("%Y-%m-%d_%H%M%S")
        counter = 1
        while True:
            candidate = base if counter == 1 else f"{base}-{counter}"
            counter += 1
            if self._taken(candidate):
                continue
            try:
                lock = take_session(self.folder, candidate)
            except OSError:  # an unwritable folder: no lock, and the writes will say so
                return candidate
            if lock is None:
                continue
            if self._taken(candidate):  # made and let go of while we looked
                lock.release()
                continue
            self._lock = lock
            return candidate

    def _taken(self, candidate: str) -> bool:
        if any((self.folder / f"{candidate}{end}").exists() for end in _ENDINGS):
            return True
        # A later one of the same second is there: this one would sort before it.
        return any(self.folder.glob(f"{candidate}-*.md*")) or any(
            self.folder.glob(f".{candidate}-*.lock")
        )

    def _continue_in_new_file(self, record_id: str, now: datetime) -> None:
        try:
            earlier = self._read_front(record_id)
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
            old = self._read_front(record_id)
            old.resumable = False
            if self.sealer is None:
                self.write_file(self._session_path(record_id), self._markdown(old))
            else:
                self.write_progress(old)

    def _read_front(self, record_id: str) -> SessionRecord:
        """What is known of a session without its words: its progress file, or its plaintext."""
        if self.sealer is not None and self._progress_path(record_id).exists():
            return self._read_progress(record_id)
        return self._read(self._session_path(record_id))

    def _read(self, path: Path) -> SessionRecord:
        return parse(path.read_text(encoding="utf-8"), path.name.removesuffix(".md"))

    def _read_progress(self, record_id: str) -> SessionRecord:
        text = self._progress_path(record_id).read_text(encoding="utf-8")
        return parse_front_matter(text, record_id)

    def _markdown(self, record: SessionRecord) -> bytes:
        return render(record, self.labels).encode("utf-8")

    def _notice_encryption(self) -> None:
        """The journal was encrypted since this process opened it: seal from now on."""
        if self.sealer is None and (self.folder / RECIPIENT_FILE).exists():
            try:
                self.sealer = Sealer.load(self.folder)
            except UserError as error:
                raise JournalWriteError(error.message) from None

    def _flush(self) -> None:
        record = self.record
        assert record is not None
        self._dirty = True
        try:
            self._notice_encryption()
            for name, audio in list(self._pending_audio.items()):
                self.write_file(self.folder / name, wav_bytes(audio))
                del self._pending_audio[name]
            self.write_file(self._session_path(record.id), self._markdown(record))
            if self.sealer is not None:
                self.write_progress(record)
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
        """This session's plaintext from before the journal was encrypted: sealed, then gone."""
        for entry in record.answers:
            plain = self.folder / (entry.recording or "")
            if entry.recording and is_regular_file(plain):
                self.write_file(plain, plain.read_bytes())
                plain.unlink()
        with contextlib.suppress(FileNotFoundError):
            self._session_path(record.id).unlink()

    def write_progress(self, record: SessionRecord) -> None:
        """A session's front matter alone, beside its sealed file (no words in it)."""
        text = yaml.safe_dump(front_matter(record), allow_unicode=True, sort_keys=False)
        path = self._progress_path(record.id)
        try:
            write_durably(path, text.encode("utf-8"))
        except OSError as error:
            raise JournalWriteError(f"{path}: {error.strerror or error}") from error

    def write_file(self, path: Path, data: bytes) -> None:
        """Durably, and sealed (as `<name>.age`) when the journal is encrypted."""
        if self.sealer is not None:
            path, data = path.with_name(path.name + SEALED), self.sealer.seal(data)
        try:
            make_folder(self.folder)  # a folder that went away (a removed drive) comes back
            write_durably(path, data)
        except OSError as error:
            raise JournalWriteError(f"{path}: {error.strerror or error}") from error


def _take(folder: Path, record_id: str) -> Lock | None:
    """The session's lock, or None when another process holds it (an unwritable folder has
    no locks: nobody else can write there either)."""
    try:
        return take_session(folder, record_id)
    except OSError:
        return Lock.unheld(folder)


def _held(folder: Path, record_id: str) -> bool:
    try:
        return held_elsewhere(folder, record_id)
    except OSError:
        return False
