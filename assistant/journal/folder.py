"""The journal folder's layout, in one place: what each file of a session is called, whether it
is sealed, and how a file is read and written whatever its sealing.

Session `<id>` (`YYYY-MM-DD_HHMMSS`, then `-2`, `-3`, ... for later ones of the same second)
keeps `<id>.md` and its recordings `<id>-<practice>-<nn>.wav`, each as `<name>.age` once the
journal has a key (crypt.py), then also `<id>.progress.yaml` (its front matter: no words), and
`.<id>.lock` while a process writes it (lock.py).

Guarantee: a file is written whole or not at all (durable.py: temp file made O_EXCL|O_NOFOLLOW,
fsync, rename, fsync of the folder), and sealed whenever the folder has a key: once the key is
noticed, no words or audio of the person are written in plaintext here.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from assistant.durable import (
    TEMP_MARK,
    fsync_folder,
    is_regular_file,
    make_folder,
    write_durably,
)
from assistant.errors import UserError
from assistant.i18n import _
from assistant.journal.crypt import (
    KEY_FILE,
    RECIPIENT_FILE,
    Opener,
    Sealer,
    create_key,
    restore_recipient,
)
from assistant.journal.lock import Lock, open_folder
from assistant.journal.markdown import (
    SessionRecord,
    parse,
    parse_front_matter,
    render_front_matter,
)

log = logging.getLogger(__name__)

_MARKDOWN = ".md"
_RECORDING = ".wav"
_SEALED = ".age"
_PROGRESS = ".progress.yaml"
_LOCK = ".{id}.lock"
_ENDINGS = (_MARKDOWN, _MARKDOWN + _SEALED, _PROGRESS)  # a session's own files, plain or sealed
_ID = "%Y-%m-%d_%H%M%S"
_SAME_SECOND = re.compile(r"(.*_\d{6})-(\d+)")  # 2026-11-25_093000-2
# What a recording's name in the front matter may look like: a plain file name beside the
# journal, so a damaged or hand-edited journal cannot make a reader touch other files.
_RECORDING_NAME = re.compile(r"[\w][\w.-]*\.wav")


class JournalWriteError(Exception):
    """A write failed (disk full, folder gone, no permission); the record is still in memory."""


def session_order(record_id: str) -> tuple[str, int]:
    """Sort key of session ids: by the second they began, then in the order they began within
    it (`X`, `X-2`, ..., `X-10`), which plain text order gets wrong (`X-2.md` < `X.md`)."""
    match = _SAME_SECOND.fullmatch(record_id)
    return (match[1], int(match[2])) if match else (record_id, 1)


def new_id(started: datetime, counter: int = 1) -> str:
    """The id of the `counter`th session that began in the second `started`."""
    base = started.strftime(_ID)
    return base if counter == 1 else f"{base}-{counter}"


class JournalFolder:
    """The journal's folder, open in this process (made when it is not there, its leftovers
    cleaned up, its key noticed): every name in it, and every read and write of its files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            make_folder(path)  # an existing one is left as the person made it
        except OSError as error:
            raise UserError(
                _(
                    "The journal folder {folder} cannot be used ({reason}). "
                    "Choose another one with --journal DIR."
                ).format(folder=path, reason=error.strerror)
            ) from None
        self._lock: Lock | None = None
        try:
            self._lock = open_folder(path, self._remove_leftovers)
        except OSError as error:  # a read-only journal can still be read
            log.warning("the journal folder cannot be locked (%s); reading only", error)
        self._sealer = Sealer.load(path)

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()

    # --- names ------------------------------------------------------------------------------

    def markdown(self, record_id: str) -> Path:
        """A session's Markdown, by its plain name (`sealed` gives the sealed one)."""
        return self.path / f"{record_id}{_MARKDOWN}"

    def progress(self, record_id: str) -> Path:
        return self.path / f"{record_id}{_PROGRESS}"

    @property
    def pending_improvements(self) -> Path:
        """The answers still to be transcribed better (journal/pending.py): keys, no words."""
        return self.path / ".improve-pending.yaml"

    @staticmethod
    def recording_name(record_id: str, practice_id: str, number: int) -> str:
        """The name of an answer's recording, as the front matter keeps it."""
        return f"{record_id}-{practice_id}-{number:02d}{_RECORDING}"

    def recording(self, name: str) -> Path | None:
        """A recording named in the front matter, by its plain name; None when the name is not
        a plain recording name (which only a damaged or hand-edited journal holds)."""
        return self.path / name if _RECORDING_NAME.fullmatch(name) else None

    @staticmethod
    def sealed(path: Path) -> Path:
        return path.with_name(path.name + _SEALED)

    @staticmethod
    def is_markdown(path: Path) -> bool:
        return path.suffix == _MARKDOWN

    def _lock_path(self, record_id: str) -> Path:
        return self.path / _LOCK.format(id=record_id)

    # --- what is here ---------------------------------------------------------------------

    def session_ids(self) -> list[str]:
        """Every session that has a file here, oldest first (in the order they began)."""
        ids = set()
        for ending in _ENDINGS:
            for path in self.path.glob(f"*{ending}"):
                if is_regular_file(path):
                    ids.add(path.name.removesuffix(ending))
        return sorted(ids, key=session_order)

    def locked_ids(self) -> set[str]:
        """Sessions with a lock file: one may be running that has no file of its own yet."""
        prefix, suffix = _LOCK.split("{id}")
        return {
            path.name.removeprefix(prefix).removesuffix(suffix)
            for path in self.path.glob(_LOCK.format(id="*"))
        }

    def plaintext(self) -> list[Path]:
        """The plaintext sessions and recordings, which an encrypted journal has still to seal."""
        return sorted(
            path
            for pattern in (f"*{_MARKDOWN}", f"*{_RECORDING}")
            for path in self.path.glob(pattern)
            if is_regular_file(path)
        )

    def owner(self, path: Path, ids: Iterable[str]) -> str | None:
        """The session a plaintext file belongs to: `<id>.md`'s, or for a recording
        `<id>-<practice>-<nn>.wav` the longest of `ids` it starts with (`X-2-vragen-01.wav` is
        X-2's, not X's)."""
        if self.is_markdown(path):
            return path.name.removesuffix(_MARKDOWN)
        owners = [record_id for record_id in ids if path.name.startswith(record_id + "-")]
        return max(owners, key=len, default=None)

    def kept(self) -> list[Path]:
        """The files kept for the person, in name order: sessions and recordings, plain or
        sealed, and whatever else they put here; not the hidden ones (locks, writes under way),
        the progress files or the keys. A folder or symlink here is not one of them."""
        return [
            path
            for path in sorted(self.path.iterdir())
            if not path.name.startswith(".")
            and not path.name.endswith(_PROGRESS)
            and path.name not in (KEY_FILE, RECIPIENT_FILE)
            and is_regular_file(path)
        ]

    # --- new sessions and who writes them --------------------------------------------------

    def claim_id(self, now: datetime) -> tuple[str, Lock | None]:
        """A new session id and its lock, taken for this process: two sessions started in the
        same second (or after the clock went back) get ids that sort in the order they began.
        In an unwritable folder there is no lock, and the writes will say so."""
        counter = 0
        while True:
            counter += 1
            candidate = new_id(now, counter)
            if self._taken(candidate):
                continue
            try:
                lock = self.take(candidate)
            except OSError:
                return candidate, None
            if lock is None:
                continue
            if self._taken(candidate):  # made and let go of while we looked
                lock.release()
                continue
            return candidate, lock

    def _taken(self, candidate: str) -> bool:
        if any((self.path / f"{candidate}{end}").exists() for end in _ENDINGS):
            return True
        # A later one of the same second is there: this one would sort before it.
        return any(self.path.glob(f"{candidate}-*{_MARKDOWN}*")) or any(
            self.path.glob(_LOCK.format(id=f"{candidate}-*"))
        )

    def take(self, record_id: str) -> Lock | None:
        """Session `record_id` to write, or None when another process is writing it (OSError
        where no lock file can be made)."""
        return Lock.take(self._lock_path(record_id))

    def held_elsewhere(self, record_id: str) -> bool:
        """Another process is writing session `record_id` now."""
        return Lock.held_elsewhere(self._lock_path(record_id))

    def _remove_leftovers(self, older_than: float) -> None:
        """What killed processes left: temporary files of writes under way, lock files (only
        called while no other process has the folder open; see lock.py)."""
        now = time.time()
        for path in [*self.path.glob(f".*{TEMP_MARK}*"), *self.path.glob(_LOCK.format(id="*"))]:
            with contextlib.suppress(OSError):
                if now - path.lstat().st_mtime >= older_than:
                    path.unlink()

    # --- the key ------------------------------------------------------------------------------

    @property
    def encrypted(self) -> bool:
        """Files are sealed when written (the journal has a key, and this process knows it)."""
        return self._sealer is not None

    def has_key(self) -> bool:
        """The private key is here (its public half may be missing: `restore_key`)."""
        return (self.path / KEY_FILE).exists()

    def make_key(self, passphrase: str) -> None:
        """Encrypt from now on: a new key pair, the private half sealed with `passphrase`."""
        self._sealer = create_key(self.path, passphrase)

    def restore_key(self, passphrase: str) -> None:
        """The public key again, from the private one: for an encryption cut off between the
        two."""
        self._sealer = restore_recipient(self.path, passphrase)

    def notice_key(self) -> None:
        """The journal was encrypted since this process opened it: seal from now on."""
        if self._sealer is None:
            try:
                self._sealer = Sealer.load(self.path)
            except UserError as error:
                raise JournalWriteError(error.message) from None

    # --- reading ------------------------------------------------------------------------------

    def read(self, path: Path, opener: Opener | None) -> bytes:
        """The file `path` names, plain or sealed: its sealed copy decrypted when there is an
        opener and one is here, else the plaintext (in a journal being encrypted, a file not
        sealed yet)."""
        sealed = self.sealed(path)
        if opener is None or not sealed.exists():
            return path.read_bytes()
        return opener.open(sealed.read_bytes(), sealed)

    def read_text(self, path: Path, opener: Opener | None) -> str:
        return self.read(path, opener).decode("utf-8")

    def unsealed(self, path: Path, opener: Opener | None) -> tuple[str, bytes]:
        """One of the files `kept` as the person reads it: its plain name and its bytes,
        decrypted when it is sealed and there is an opener."""
        data = path.read_bytes()
        if opener is None or not path.name.endswith(_SEALED):
            return path.name, data
        return path.name.removesuffix(_SEALED), opener.open(data, path)

    def front(self, record_id: str) -> SessionRecord:
        """What is known of a session without its words: its progress file (encrypted), or its
        plaintext. FileNotFoundError when only its sealed Markdown is left."""
        progress = self.progress(record_id)
        if self._sealer is not None and progress.exists():
            return parse_front_matter(progress.read_text(encoding="utf-8"), record_id)
        return parse(self.markdown(record_id).read_text(encoding="utf-8"), record_id)

    # --- writing ------------------------------------------------------------------------------

    def write(self, path: Path, data: bytes) -> None:
        """Durably, and sealed (as `<name>.age`) when the journal is encrypted."""
        if self._sealer is not None:
            path, data = self.sealed(path), self._sealer.seal(data)
        try:
            make_folder(self.path)  # a folder that went away (a removed drive) comes back
            write_durably(path, data)
        except OSError as error:
            raise JournalWriteError(f"{path}: {error.strerror or error}") from error

    def write_progress(self, record: SessionRecord) -> None:
        """A session's front matter alone, beside its sealed file (no words in it)."""
        path = self.progress(record.id)
        try:
            write_durably(path, render_front_matter(record).encode("utf-8"))
        except OSError as error:
            raise JournalWriteError(f"{path}: {error.strerror or error}") from error

    def seal(self, plain: list[Path]) -> None:
        """Plaintext files sealed, in the order given: every sealed copy on disk before any
        plaintext goes, so a run cut off leaves plaintext to seal again, never nothing."""
        assert self._sealer is not None, "sealing needs the journal's key"
        for path in plain:
            self.write(path, path.read_bytes())
        self.remove(plain)

    def remove(self, paths: list[Path]) -> None:
        removed = False
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed = True
        if removed:
            fsync_folder(self.path)
