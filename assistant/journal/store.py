"""The journal on disk: one Markdown file per session in a private folder, written durably.

Encrypted journals (see crypt.py) keep the same Markdown sealed in `<id>.md.age`, recordings in
`<name>.wav.age`, and beside each session its front matter alone in `<id>.progress.yaml`, which
holds no words of the user: so the next start can offer to resume without the passphrase.
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
from assistant.durable import (
    ensure_private_folder,
    remove_stale_temp_files,
    write_durably,
)
from assistant.errors import UserError
from assistant.i18n import _
from assistant.journal.crypt import SEALED, Sealer
from assistant.journal.markdown import (
    Entry,
    JournalFormatError,
    Labels,
    SessionRecord,
    front_matter,
    parse,
    parse_front_matter,
    render,
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
        self._dirty = False  # the record holds something not yet on disk
        self._pending_audio: dict[str, AudioChunk] = {}  # recordings not yet on disk, by name
        try:
            ensure_private_folder(folder)
            remove_stale_temp_files(folder)
        except OSError as error:
            raise UserError(
                _(
                    "The journal folder {folder} cannot be used ({reason}). "
                    "Choose another one with --journal DIR."
                ).format(folder=folder, reason=error.strerror)
            ) from None
        self.sealer = Sealer.load(folder)

    @property
    def path(self) -> Path | None:
        return self._session_path(self.record.id) if self.record else None

    # --- what the dialog asks for ------------------------------------------------------

    def start(self, practice_id: str, now: datetime) -> None:
        if self.record is None:
            self.record = SessionRecord(id=self._new_id(now), started=now)
        if practice_id not in self.record.practices:
            self.record.practices.append(practice_id)
        self._flush()

    def continue_session(self, record_id: str, now: datetime) -> None:
        """Go on with an earlier session: in its own file, or (encrypted, where its words
        cannot be read without the passphrase) in a new file that says which one it continues."""
        if self.sealer is None:
            try:
                self.record = self._read(self._session_path(record_id))
            except (OSError, JournalFormatError) as error:
                # Gone or damaged since it was offered: the answers go into a new session.
                log.warning("cannot continue session %s (%s); starting a new one", record_id, error)
                self.record = SessionRecord(id=self._new_id(now), started=now)
                return
            self.record.resumable = True
            return
        earlier = self._read_progress(record_id)
        before = {p: sorted(earlier.confirmed(p)) for p in earlier.practices}
        self.record = SessionRecord(
            id=self._new_id(now),
            started=now,
            practices=list(earlier.practices),
            continues=record_id,
            answered_before=before,
        )
        self.close_resume(record_id)
        self._flush()

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
        self._flush()

    def finish(self, finished: bool, duration_seconds: float) -> None:
        if self.record is None:
            return
        self.record.finished = finished
        self.record.duration_seconds = duration_seconds
        self._flush()

    def close_resume(self, record_id: str) -> None:
        """The user chose not to go on with that session: do not offer it again."""
        with contextlib.suppress(OSError, JournalFormatError, JournalWriteError):
            if self.sealer is None:
                old = self._read(self._session_path(record_id))
                old.resumable = False
                self._write(self._session_path(record_id), self._markdown(old))
            else:
                old = self._read_progress(record_id)
                old.resumable = False
                self._write_progress(old)

    def seal_everything(self, sealer: Sealer) -> int:
        """Encrypt the sessions and recordings already here; from now on write sealed. The
        plaintext files go only once every sealed copy is on disk. Returns the session count."""
        records = self.sessions()
        plaintext = sorted([*self.folder.glob("*.md"), *self.folder.glob("*.wav")])
        self.sealer = sealer
        for path in plaintext:
            self._write(path, path.read_bytes())
        for record in records:
            self._write_progress(record)
        for path in plaintext:
            path.unlink()
        return len(records)

    def retry(self) -> bool:
        """Write what is pending after an earlier failure; True when nothing is pending."""
        if self._dirty:
            with contextlib.suppress(JournalWriteError):
                self._flush()
        return not self._dirty

    # --- reading back -------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        """Every session, oldest first (encrypted ones without the words of the answers)."""
        records = []
        paths = (
            self.folder.glob("*.md") if self.sealer is None else self.folder.glob(f"*{PROGRESS}")
        )
        for path in sorted(paths):
            try:
                if self.sealer is None:
                    records.append(self._read(path))
                else:
                    records.append(self._read_progress(path.name.removesuffix(PROGRESS)))
            except (OSError, JournalFormatError) as error:
                log.warning("skipping unreadable journal file %s: %s", path, error)
        return records

    def resume_point(self, content: Content) -> ResumePoint | None:
        """The newest unfinished session with a confirmed answer and questions still open."""
        for record in reversed(self.sessions()):
            if record.finished or not record.resumable:
                continue
            for practice_id in record.practices:
                practice = content.practice(practice_id)
                if not isinstance(practice, QuestionList):
                    continue
                done = record.confirmed(practice_id)
                open_numbers = [n for n in range(1, len(practice.questions) + 1) if n not in done]
                if done and open_numbers:
                    return ResumePoint(record.id, practice_id, open_numbers[0] - 1)
        return None

    # --- files --------------------------------------------------------------------------

    def _session_path(self, record_id: str) -> Path:
        return self.folder / f"{record_id}.md"

    def _new_id(self, now: datetime) -> str:
        base = now.strftime("%Y-%m-%d_%H%M%S")
        candidate, counter = base, 1
        while any((self.folder / f"{candidate}{end}").exists() for end in _ENDINGS):
            counter += 1
            candidate = f"{base}-{counter}"
        return candidate

    def _read(self, path: Path) -> SessionRecord:
        return parse(path.read_text(encoding="utf-8"), path.stem)

    def _read_progress(self, record_id: str) -> SessionRecord:
        path = self.folder / f"{record_id}{PROGRESS}"
        return parse_front_matter(path.read_text(encoding="utf-8"), record_id)

    def _markdown(self, record: SessionRecord) -> bytes:
        return render(record, self.labels).encode("utf-8")

    def _flush(self) -> None:
        record = self.record
        assert record is not None
        self._dirty = True
        try:
            for name, audio in list(self._pending_audio.items()):
                self._write(self.folder / name, wav_bytes(audio))
                del self._pending_audio[name]
            self._write(self._session_path(record.id), self._markdown(record))
            if self.sealer is not None:
                self._write_progress(record)
        except JournalWriteError:
            raise
        except Exception as error:
            # Whatever goes wrong in writing (a bug included) must not end the session: the
            # record stays in memory and the next write tries again.
            log.exception("writing the journal")
            raise JournalWriteError(f"{self.folder}: {error}") from error
        self._dirty = False

    def _write_progress(self, record: SessionRecord) -> None:
        text = yaml.safe_dump(front_matter(record), allow_unicode=True, sort_keys=False)
        path = self.folder / f"{record.id}{PROGRESS}"
        try:
            write_durably(path, text.encode("utf-8"))
        except OSError as error:
            raise JournalWriteError(f"{path}: {error.strerror or error}") from error

    def _write(self, path: Path, data: bytes) -> None:
        """Durably, and sealed (as `<name>.age`) when the journal is encrypted."""
        if self.sealer is not None:
            path, data = path.with_name(path.name + SEALED), self.sealer.seal(data)
        try:
            ensure_private_folder(self.folder)
            write_durably(path, data)
        except OSError as error:
            raise JournalWriteError(f"{path}: {error.strerror or error}") from error
