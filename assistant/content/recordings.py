"""The coach's recordings of content lines, kept in the content folder beside the YAML.

    content/nl/recordings/oefening.steps.3.wav   the line as the coach said it (trimmed, as
                                                  recorded: the loudness step comes when played)
    content/nl/recordings/index.yaml             per key, the text it was recorded for

A recording is used only while its line still has the words it was recorded for (compared by
SHA-256 of the text): a line whose text changed is synthesised again, and said to be stale
until it is recorded anew. The keys are those of `assistant.dialog.lines.recordable_lines`.

Written durably (temp, fsync, rename, fsync of the folder): the recording first, then the
index, so a crash between the two leaves a recording the index does not vouch for, which is
simply recorded again. The files keep ordinary permissions: content is the coach's to share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.audio import AudioChunk, wav_bytes
from assistant.content.nodes import SharedLoader
from assistant.durable import remove_stale_temp_files, write_durably
from assistant.errors import UserError
from assistant.i18n import _

FOLDER = "recordings"
INDEX = "index.yaml"
SHARED_MODE = 0o644  # content files are meant to be copied and shared, like the YAML
INDEX_HEADER = (
    "# Made by 'hartsverbinding opnemen'. For each recording (KEY.wav beside this file): the\n"
    "# text it was recorded for. A recording whose line now says something else is not used.\n"
)


class RecordingsError(UserError):
    """The index of the recordings cannot be read."""


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IndexEntry:
    """What the index says of one recording: the text it was made for."""

    sha256: str
    text: str


@dataclass(frozen=True)
class Stale:
    """A recording that is not used: its line says other words now, or no longer exists."""

    key: str
    recorded: str  # the words it was recorded for
    now: str | None  # the line's words now; None when there is no such line any more


@dataclass(frozen=True)
class Survey:
    """Which lines have a current recording, which recordings are stale, which lines lack one."""

    current: dict[str, Path] = field(default_factory=dict)  # key -> its recording
    stale: tuple[Stale, ...] = ()
    missing: tuple[str, ...] = ()  # keys without a current recording (stale ones included)
    lost: tuple[str, ...] = ()  # in the index, but the recording's file is gone

    def by_text(self, lines: Mapping[str, str]) -> dict[str, Path]:
        """Text as said -> its recording, for the lines (key -> text) that have one."""
        return {lines[key]: path for key, path in self.current.items() if key in lines}


class RecordingFolder:
    """`recordings/` in a content folder (the folder with assistant.yaml)."""

    def __init__(self, content_dir: Path) -> None:
        self.folder = content_dir / FOLDER
        self.index_path = self.folder / INDEX

    def wav(self, key: str) -> Path:
        return self.folder / f"{key}.wav"

    def index(self) -> dict[str, IndexEntry]:
        """The index; empty when nothing was recorded yet. RecordingsError when it is broken."""
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as error:
            raise self._broken(str(error)) from None
        try:
            data = yaml.load(text, Loader=SharedLoader)  # shared: no aliases, bounded nesting
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            raise self._broken(f"{where}{getattr(error, 'problem', None) or error}") from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise self._broken(_("it is not a list of keys"))
        entries = {}
        for key, value in data.items():
            if (
                not isinstance(value, dict)
                or not isinstance(value.get("sha256"), str)
                or not isinstance(value.get("text"), str)
            ):
                raise self._broken(_("{key} needs a sha256 and a text").format(key=key))
            entries[str(key)] = IndexEntry(value["sha256"], value["text"])
        return entries

    def check_writable(self) -> None:
        """UserError now, before a coach records a line that could not be kept."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            remove_stale_temp_files(self.folder)
            write_durably(self.folder / ".write-test", b"", SHARED_MODE)
            (self.folder / ".write-test").unlink()
        except OSError as error:
            raise self._unwritable(error) from None

    def save(self, key: str, text: str, audio: AudioChunk) -> None:
        """Keep `audio` as the recording of line `key`, which says `text` now."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_durably(self.wav(key), wav_bytes(audio), SHARED_MODE)
            entries = self.index()
            entries[key] = IndexEntry(text_sha256(text), text)
            self._write_index(entries)
        except OSError as error:
            raise self._unwritable(error) from None

    def _unwritable(self, error: OSError) -> UserError:
        return UserError(
            _(
                "{folder}: recordings cannot be written there ({error}). Copy the content "
                "folder to a place you can write to and give it with --content."
            ).format(folder=self.folder, error=error.strerror or error)
        )

    def survey(self, lines: Mapping[str, str]) -> Survey:
        """`lines` (key -> text as said) against what was recorded."""
        entries = self.index()
        current: dict[str, Path] = {}
        stale: list[Stale] = []
        lost: list[str] = []
        for key, entry in entries.items():
            now = lines.get(key)
            if now is None or entry.sha256 != text_sha256(now):
                stale.append(Stale(key, entry.text, now))
            elif not self.wav(key).is_file():
                lost.append(key)
            else:
                current[key] = self.wav(key)
        missing = tuple(key for key in lines if key not in current)
        return Survey(current, tuple(stale), missing, tuple(lost))

    def adopt(self, lines: Mapping[str, str]) -> list[tuple[str, str]]:
        """Lines without a recording of their words take one made for those words under
        another key (a step inserted before them moved their keys on). Copied, durably, so
        a recording can serve a line and its old key both. Returns (from, to) key pairs."""
        try:
            entries = self.index()
            survey = self.survey(lines)
            made_for = {
                entry.sha256: key
                for key, entry in entries.items()
                if self.wav(key).is_file() and key not in survey.lost
            }
            moves = [
                (made_for[text_sha256(lines[key])], key)
                for key in survey.missing
                if text_sha256(lines[key]) in made_for
            ]
            # All read before any is written: a key can be one move's source and another's target.
            audio = {old: (self.wav(old).read_bytes(), entries[old]) for old, _ in moves}
            for old, new in moves:
                write_durably(self.wav(new), audio[old][0], SHARED_MODE)
                entries[new] = audio[old][1]
            if moves:
                self._write_index(entries)
        except OSError as error:
            raise self._unwritable(error) from None
        return moves

    def _write_index(self, entries: dict[str, IndexEntry]) -> None:
        data = {key: {"sha256": e.sha256, "text": e.text} for key, e in entries.items()}
        body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        write_durably(self.index_path, (INDEX_HEADER + body).encode("utf-8"), SHARED_MODE)

    def _broken(self, what: str) -> RecordingsError:
        return RecordingsError(
            _(
                "{path}: cannot be read ({what}). Repair it, or delete it and record the lines "
                "again with 'hartsverbinding opnemen'."
            ).format(path=self.index_path, what=what)
        )


def problems(survey: Survey, folder: RecordingFolder) -> list[str]:
    """One line per recording that is not used, and why (for the session's start, `opnemen`
    and the doctor)."""
    said = []
    for stale in survey.stale:
        if stale.now is None:
            said.append(
                _(
                    "recording {key} belongs to no line of the content any more; it is not used."
                ).format(key=stale.key)
            )
        else:
            said.append(
                _(
                    'recording {key} is stale: it was made for "{recorded}", the line now says '
                    '"{now}". It is synthesised until it is recorded again '
                    "('hartsverbinding opnemen', which also finds a recording of its words "
                    "under another key)."
                ).format(key=stale.key, recorded=_short(stale.recorded), now=_short(stale.now))
            )
    for key in survey.lost:
        said.append(
            _(
                "recording {key} is listed in {index}, but {path} is missing; it is synthesised."
            ).format(key=key, index=folder.index_path.name, path=folder.wav(key))
        )
    return said


def _short(text: str, most: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"
