"""What `journal list`, `journal search` and `journal question` print: pure functions from
sessions to lines, in the person's language (every word through `_`)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from assistant.i18n import _
from assistant.journal.lookup import Found
from assistant.journal.markdown import Entry, SessionRecord

WIDTH = 78
INDENT = "  "


def when(record: SessionRecord) -> str:
    """The moment a session started, as the clock on the wall showed it."""
    return record.started.strftime("%Y-%m-%d %H:%M")


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if seconds < 60:
        return _("{seconds} s").format(seconds=round(seconds))
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    return _("{hours} h {minutes} min").format(hours=minutes // 60, minutes=minutes % 60)


def list_lines(records: Iterable[SessionRecord]) -> list[str]:
    """A table of sessions, one a line, under a header: date, practices, answers kept
    (confirmed), duration, finished, and the id that `journal read ID` takes."""
    header = (_("Date"), _("Practices"), _("Answers"), _("Duration"), _("Finished"), _("ID"))
    rows = [
        (
            when(record),
            ", ".join(record.practices) or "-",
            str(sum(1 for entry in record.answers if entry.confirmed)),
            duration(record.duration_seconds),
            _("yes") if record.finished else _("no"),
            record.id,
        )
        for record in records
    ]
    return _table([header, *rows], right_aligned={2})


def search_lines(
    found: Sequence[Found], width: int = WIDTH, marks: tuple[str, str] = ("", "")
) -> list[str]:
    """Each answer found under its date and question, the words searched for between `marks`
    (bold on a terminal), one blank line between answers."""
    several = len({hit.entry.practice_id for hit in found}) > 1
    lines: list[str] = []
    for hit in found:
        if lines:
            lines.append("")
        lines.append(f"{when(hit.record)}  {_heading(hit.entry, several)}")
        lines.extend(_answer(_marked(hit.entry.best, hit.spans, marks), hit.entry, width))
    return lines


def question_lines(
    practice_id: str,
    number: int,
    question: str,
    answers: Sequence[tuple[SessionRecord, Entry]],
    width: int = WIDTH,
) -> list[str]:
    """One question, then every answer to it through time, each under its date."""
    lines = [
        _("Question {number} of {practice}: {question}").format(
            number=number, practice=practice_id, question=question
        )
    ]
    for record, entry in answers:
        lines.extend(["", when(record)])
        # A coach's pack may reword a question in a later version: an answer given from a
        # pack says the words it answered, where they differ from today's.
        if record.pack is not None and entry.question and entry.question != question:
            lines.append(INDENT + _("asked as: {question}").format(question=entry.question))
        lines.extend(_answer(entry.best, entry, width))
    return lines


def _heading(entry: Entry, with_practice: bool) -> str:
    if with_practice:
        return _("question {number} of {practice}: {question}").format(
            number=entry.number, practice=entry.practice_id, question=entry.question
        )
    return _("question {number}: {question}").format(number=entry.number, question=entry.question)


def _answer(text: str, entry: Entry, width: int) -> list[str]:
    lines = textwrap.wrap(
        text,
        width=max(width, 20),
        initial_indent=INDENT,
        subsequent_indent=INDENT,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [INDENT]
    if not entry.confirmed:
        lines.append(INDENT + _("(not confirmed)"))
    if entry.improved is not None:
        lines.append(
            INDENT
            + _("(improved by {recognizer}; the text you confirmed is kept too)").format(
                recognizer=entry.improved.recognizer
            )
        )
    return lines


def _marked(text: str, spans: Iterable[tuple[int, int]], marks: tuple[str, str]) -> str:
    if marks == ("", ""):
        return text
    parts, done = [], 0
    for start, end in spans:
        parts += [text[done:start], marks[0], text[start:end], marks[1]]
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _table(rows: Sequence[Sequence[str]], right_aligned: set[int]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(widths[c]) if c in right_aligned else cell.ljust(widths[c])
            for c, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]
