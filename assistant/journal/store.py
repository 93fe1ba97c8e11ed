"""The journal on disk: one Markdown file per session in a private folder, written durably."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from pathlib import Path

from assistant.audio import AudioChunk, wav_bytes
from assistant.content.model import Content, QuestionList
from assistant.dialog.messages import ResumePoint
from assistant.errors import UserError
from assistant.journal.durable import (
    ensure_private_folder,
    remove_stale_temp_files,
    write_durably,
)
from assistant.journal.markdown import (
    Answer,
    JournalFormatError,
    Labels,
    SessionRecord,
    parse,
    render,
)

log = logging.getLogger(__name__)


class JournalWriteError(Exception):
    """A write failed (disk full, folder gone, no permission); the record is still in memory."""


class Journal:
    def __init__(self, folder: Path, labels: Labels, keep_audio: bool = True) -> None:
        self.folder = folder
        self.labels = labels
        self.keep_audio = keep_audio
        self.record: SessionRecord | None = None
        self._dirty = False  # the record holds something not yet on disk
        try:
            ensure_private_folder(folder)
            remove_stale_temp_files(folder)
        except OSError as error:
            raise UserError(
                f"The journal folder {folder} cannot be used ({error.strerror}). "
                "Choose another one with --journal DIR."
            ) from None

    @property
    def path(self) -> Path | None:
        return self.folder / f"{self.record.id}.md" if self.record else None

    # --- what the dialog asks for ------------------------------------------------------

    def start(self, practice_id: str, now: datetime) -> None:
        if self.record is None:
            self.record = SessionRecord(id=self._new_id(now), started=now)
        if practice_id not in self.record.practices:
            self.record.practices.append(practice_id)
        self._flush()

    def continue_session(self, record_id: str) -> None:
        self.record = self._read(self.folder / f"{record_id}.md")
        self.record.resumable = True

    def save_answer(self, answer: Answer, recording: AudioChunk | None) -> None:
        """On disk (audio first, then the Markdown) before this returns, or JournalWriteError."""
        record = self.record
        assert record is not None, "an answer before any practice started"
        if answer.practice_id not in record.practices:
            record.practices.append(answer.practice_id)
        if recording is not None and self.keep_audio:
            answer.recording = f"{record.id}-{answer.practice_id}-{answer.number:02d}.wav"
            self._write_audio(self.folder / answer.recording, recording)
        record.put(answer)
        self._flush()

    def finish(self, finished: bool, duration_seconds: float) -> None:
        if self.record is None:
            return
        self.record.finished = finished
        self.record.duration_seconds = duration_seconds
        self._flush()

    def close_resume(self, record_id: str) -> None:
        """The user chose not to go on with that session: do not offer it again."""
        path = self.folder / f"{record_id}.md"
        with contextlib.suppress(OSError, JournalFormatError):
            old = self._read(path)
            old.resumable = False
            write_durably(path, render(old, self.labels).encode("utf-8"))

    def retry(self) -> bool:
        """Write what is pending after an earlier failure; True when nothing is pending."""
        if self._dirty:
            with contextlib.suppress(JournalWriteError):
                self._flush()
        return not self._dirty

    # --- reading back -------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        records = []
        for path in sorted(self.folder.glob("*.md")):
            try:
                records.append(self._read(path))
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
                done = {
                    a.number for a in record.answers if a.practice_id == practice_id and a.confirmed
                }
                open_numbers = [n for n in range(1, len(practice.questions) + 1) if n not in done]
                if done and open_numbers:
                    return ResumePoint(record.id, practice_id, open_numbers[0] - 1)
        return None

    # --- files --------------------------------------------------------------------------

    def _new_id(self, now: datetime) -> str:
        base = now.strftime("%Y-%m-%d_%H%M%S")
        candidate, counter = base, 1
        while (self.folder / f"{candidate}.md").exists():
            counter += 1
            candidate = f"{base}-{counter}"
        return candidate

    def _read(self, path: Path) -> SessionRecord:
        return parse(path.read_text(encoding="utf-8"), path.stem)

    def _flush(self) -> None:
        assert self.record is not None and self.path is not None
        self._dirty = True
        try:
            ensure_private_folder(self.folder)
            write_durably(self.path, render(self.record, self.labels).encode("utf-8"))
        except OSError as error:
            raise JournalWriteError(f"{self.path}: {error.strerror or error}") from error
        self._dirty = False

    def _write_audio(self, path: Path, audio: AudioChunk) -> None:
        try:
            write_durably(path, wav_bytes(audio))
        except OSError as error:
            raise JournalWriteError(f"{path}: {error.strerror or error}") from error
