"""A journal session as Markdown with YAML front matter, and back. Pure text functions.

The front matter holds what a program needs (date, practices, duration, finished, and per answer
its practice, number, confirmation and recording); the body holds the questions and answers for
the person reading. Each `## ` heading in the body belongs to the answer listed at the same place
in the front matter.

An answer can have later versions of its text, made by a better recogniser from its recording:
the text the person heard read back and confirmed stays the answer's paragraph, never changed;
each version follows it as a quoted block (a label line, then the text), oldest first, and the
front matter lists the versions' recognisers and times in the same order. The words go in the
body, not the front matter, because the front matter alone is kept unencrypted (the progress
file of an encrypted journal) and must hold none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HEADING = re.compile(r"^## ", re.MULTILINE)
_RECORDING = re.compile(r"^\[[^\]]*\]\(([^)]+)\)$")
_QUOTED = ">"
# libyaml's loader where PyYAML was built with it: it reads the same YAML about ten times faster,
# which is what reading back a journal of years takes most of its time on.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Version:
    """A later text of an answer, made from its recording by a (better) recogniser."""

    text: str
    recognizer: str  # as Transcript.recognizer: "whisper:base", "wyoming:tcp://host:10300"
    made: datetime


@dataclass
class Entry:
    """One answer as the journal keeps it: the question, the words, and whether the person
    confirmed them. `text` is what the person heard read back (and confirmed): it is never
    replaced by a version; `best` is what every reader shows."""

    practice_id: str
    number: int
    question: str
    text: str
    confirmed: bool
    recording: str | None = None  # file name of the kept audio, beside the journal file
    versions: list[Version] = field(default_factory=list)  # oldest first
    use_confirmed: bool = False  # the person went back to the text they confirmed
    heard_by: str | None = None  # who made `text`, when not the listening Vosk (a server)

    @property
    def improved(self) -> Version | None:
        """The version shown instead of `text`: the newest, unless the person went back."""
        return None if self.use_confirmed or not self.versions else self.versions[-1]

    @property
    def best(self) -> str:
        improved = self.improved
        return self.text if improved is None else improved.text


@dataclass(frozen=True)
class PackSource:
    """The coach's pack a session's questions came from (its answers keep the words asked)."""

    name: str
    version: str


@dataclass
class SessionRecord:
    id: str
    started: datetime
    practices: list[str] = field(default_factory=list)
    answers: list[Entry] = field(default_factory=list)
    duration_seconds: float = 0.0
    finished: bool = False
    resumable: bool = True
    continues: str | None = None  # an earlier session this one goes on from
    answered_before: dict[str, list[int]] = field(default_factory=dict)  # confirmed there
    pack: PackSource | None = None  # None: the content that comes with the program, or a folder

    def confirmed(self, practice_id: str) -> set[int]:
        """Numbers confirmed for a practice, here and in the session this one continues."""
        here = {a.number for a in self.answers if a.practice_id == practice_id and a.confirmed}
        return here | set(self.answered_before.get(practice_id, []))

    def put(self, answer: Entry) -> None:
        """Add an answer, replacing an earlier one to the same question."""
        for index, old in enumerate(self.answers):
            if (old.practice_id, old.number) == (answer.practice_id, answer.number):
                self.answers[index] = answer
                return
        self.answers.append(answer)
        self.answers.sort(key=lambda a: (self._order(a.practice_id), a.number))

    def _order(self, practice_id: str) -> int:
        return self.practices.index(practice_id) if practice_id in self.practices else 99


@dataclass(frozen=True)
class Labels:
    """The journal's own words, from content (in the content's language)."""

    title: str  # a session's title; may use {date} and {time}
    unconfirmed: str
    recording: str
    page_title: str  # the exported HTML page's title
    # The label of a later version of an answer; may use {recognizer} and {date}.
    improved: str = "{recognizer}, {date}"


class JournalFormatError(ValueError):
    pass


def front_matter(record: SessionRecord) -> dict[str, object]:
    """Everything about a session except what was said: safe to keep unencrypted."""
    front: dict[str, object] = {
        "date": record.started.strftime("%Y-%m-%d"),
        "time": record.started.strftime("%H:%M"),
        "started": record.started.isoformat(timespec="seconds"),
        "practices": record.practices,
        "duration_seconds": round(record.duration_seconds),
        "finished": record.finished,
        "resumable": record.resumable,
        "answers": [
            {
                "practice": a.practice_id,
                "number": a.number,
                "confirmed": a.confirmed,
                **({"recording": a.recording} if a.recording else {}),
                **versions_front(a),
            }
            for a in record.answers
        ],
    }
    if record.continues:
        front["continues"] = record.continues
        front["answered_before"] = record.answered_before
    front.update(pack_front(record.pack))
    return front


def versions_front(entry: Entry) -> dict[str, object]:
    """Who made an answer's text (when not Vosk) and its versions, and when: never the words."""
    front: dict[str, object] = {"heard_by": entry.heard_by} if entry.heard_by else {}
    if entry.versions:
        front["versions"] = [
            {"recognizer": v.recognizer, "made": v.made.isoformat(timespec="seconds")}
            for v in entry.versions
        ]
    if entry.use_confirmed:
        front["shown"] = "confirmed"
    return front


def pack_front(pack: PackSource | None) -> dict[str, object]:
    """The front matter's `pack:`, which names the pack and version the questions came from;
    nothing for content from no pack (so older entries and those read the same)."""
    return {} if pack is None else {"pack": {"name": pack.name, "version": pack.version}}


def _pack_of(front: dict[str, Any]) -> PackSource | None:
    found = front.get("pack")
    if not isinstance(found, dict):
        return None
    return PackSource(str(found.get("name", "")), str(found.get("version", "")))


def render_front_matter(record: SessionRecord) -> str:
    """The front matter as YAML: a progress file, and the head of a session's Markdown."""
    return yaml.safe_dump(front_matter(record), allow_unicode=True, sort_keys=False)


def render(record: SessionRecord, labels: Labels, *, reading: bool = False) -> str:
    """The session's Markdown as it is kept; `reading`: as it is read, each answer's best text
    in its place, marked as improved, and no other versions (what `journal read` prints)."""
    title = labels.title.format(
        date=record.started.strftime("%d-%m-%Y"), time=record.started.strftime("%H:%M")
    )
    parts = [f"---\n{render_front_matter(record)}---\n\n# {title}\n"]
    for answer in record.answers:
        improved = answer.improved if reading else None
        text = answer.text if improved is None else improved.text
        parts.append(f"\n## {answer.number}. {_one_line(answer.question)}\n\n{_escape(text)}\n")
        if not answer.confirmed:
            parts.append(f"\n_{labels.unconfirmed}_\n")
        if improved is not None:
            parts.append(f"\n_{_version_label(improved, labels)}_\n")
        for version in answer.versions if not reading else ():
            label = _version_label(version, labels)
            parts.append(f"\n{_QUOTED} {label}:\n{_QUOTED} {_escape(version.text)}\n")
        if answer.recording:
            parts.append(f"\n[{labels.recording}]({answer.recording})\n")
    return "".join(parts)


def _version_label(version: Version, labels: Labels) -> str:
    return _one_line(
        labels.improved.format(
            recognizer=version.recognizer, date=version.made.strftime("%d-%m-%Y %H:%M")
        )
    )


def parse(text: str, record_id: str) -> SessionRecord:
    match = _FRONT.match(text)
    if not match:
        raise JournalFormatError("no front matter")
    try:
        front = yaml.load(match.group(1), Loader=_LOADER)
        metas = list(front.get("answers") or [])
        sections = _HEADING.split(text[match.end() :])[1:]
        if len(sections) != len(metas):
            raise JournalFormatError("answers and headings do not match")
        answers = [_answer(meta, section) for meta, section in zip(metas, sections, strict=True)]
        return _record(front, record_id, answers)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise JournalFormatError(str(error)) from None


def parse_front_matter(text: str, record_id: str) -> SessionRecord:
    """A session from its front matter alone: answers known by number, not by their words."""
    try:
        front = yaml.load(text, Loader=_LOADER)
        answers = [
            Entry(str(m["practice"]), int(m["number"]), "", "", bool(m["confirmed"]))
            for m in front.get("answers") or []
        ]
        return _record(front, record_id, answers)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise JournalFormatError(str(error)) from None


def _record(front: dict[str, Any], record_id: str, answers: list[Entry]) -> SessionRecord:
    before = front.get("answered_before") or {}
    return SessionRecord(
        id=record_id,
        started=datetime.fromisoformat(str(front["started"])),
        practices=[str(p) for p in front.get("practices") or []],
        answers=answers,
        duration_seconds=float(front.get("duration_seconds") or 0),
        finished=bool(front.get("finished")),
        resumable=bool(front.get("resumable", True)),
        continues=str(front["continues"]) if front.get("continues") else None,
        answered_before={str(k): [int(n) for n in v] for k, v in dict(before).items()},
        pack=_pack_of(front),
    )


def _answer(meta: dict[str, object], section: str) -> Entry:
    heading, _, body = section.partition("\n")
    _, _, question = heading.partition(". ")
    lines = [line for line in body.strip().split("\n") if line.strip()]
    recording = None
    if lines and _RECORDING.match(lines[-1]):
        recording = _RECORDING.match(lines.pop())[1]  # type: ignore[index]
    made = list(meta.get("versions") or [])  # type: ignore[call-overload]
    texts: list[str] = []
    for _version in made:  # each a label line and a text line, quoted; read from the end
        if len(lines) < 2 or not all(line.startswith(_QUOTED) for line in lines[-2:]):
            raise JournalFormatError("a version of an answer is missing")
        texts.insert(0, _unescape(lines.pop()[len(_QUOTED) :].strip()))
        lines.pop()
    versions = [
        Version(text, str(m["recognizer"]), datetime.fromisoformat(str(m["made"])))
        for m, text in zip(made, texts, strict=True)
    ]
    confirmed = bool(meta["confirmed"])
    if not confirmed and lines and lines[-1].startswith("_"):
        lines.pop()
    return Entry(
        practice_id=str(meta["practice"]),
        number=int(str(meta["number"])),
        question=question.strip(),
        text=_unescape(" ".join(lines)),
        confirmed=confirmed,
        recording=recording or None,
        versions=versions,
        use_confirmed=meta.get("shown") == "confirmed",
        heard_by=str(meta["heard_by"]) if meta.get("heard_by") else None,
    )


def storable(text: str) -> str:
    """`text` that can be written as UTF-8: a lone surrogate (undecodable bytes smuggled in
    through surrogateescape) becomes U+FFFD instead of failing the write."""
    return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str) -> str:
    """One line, and a backslash before anything Markdown would read as structure at its start."""
    line = _one_line(text)
    return "\\" + line if re.match(r"[#_\[\\>*+-]|\d+\.", line) else line


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("\\") else text
