"""Looking back in the journal without I/O: search (case and accents ignored), one question
through time, and the lines `journal list | search | question` print."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.cli import journal_text
from assistant.journal.lookup import answers_to, fold, search
from assistant.journal.markdown import Entry, SessionRecord

pytestmark = pytest.mark.pure


def session(when: str, *answers: Entry, seconds: float = 0, finished: bool = False):
    started = datetime.fromisoformat(when)
    record = SessionRecord(
        id=started.strftime("%Y-%m-%d_%H%M%S"),
        started=started,
        practices=sorted({a.practice_id for a in answers}) or ["oefening"],
        duration_seconds=seconds,
        finished=finished,
    )
    for entry in answers:
        record.put(entry)
    return record


def entry(number: int, text: str, confirmed: bool = True, practice: str = "vragen") -> Entry:
    return Entry(practice, number, f"Vraag {number}?", text, confirmed)


EARLY = session(
    "2026-11-03T14:05:00", entry(1, "Ik was BOOS op mezelf, daarna verdrietig."), entry(2, "rust")
)
LATE = session(
    "2026-11-10T09:30:00",
    entry(1, "Minder boosheid, meer ruimte."),
    entry(3, "Één keer naïef geweest", confirmed=False),
)


def test_folding_ignores_case_accents_and_compatibility_forms():
    assert fold("Één NAÏEF") == fold("een naief") == "een naief"
    assert fold("ﬁjn") == "fijn"
    assert fold("Straße") == "strasse"
    assert fold("e\u0301en") == "een"  # an accent typed as a separate mark


def test_search_needs_every_word_and_marks_where_they_stand():
    found = search([EARLY, LATE], ["boos", "VERDRIETIG"])
    assert [(f.record.id, f.entry.number) for f in found] == [("2026-11-03_140500", 1)]
    text = found[0].entry.text
    assert [text[a:b] for a, b in found[0].spans] == ["BOOS", "verdrietig"]


def test_a_word_is_found_inside_longer_words_and_with_accents_left_out():
    found = search([EARLY, LATE], ["boos"])
    assert [f.entry.text for f in found] == [EARLY.answers[0].text, LATE.answers[0].text]
    naive = search([LATE], ["een", "naief"])[0]
    assert [naive.entry.text[a:b] for a, b in naive.spans] == ["Één", "naïef"]


def test_nothing_is_found_without_words_or_when_one_word_is_missing():
    assert search([EARLY, LATE], []) == []
    assert search([EARLY, LATE], ["  "]) == []
    assert search([EARLY, LATE], ["boos", "blij"]) == []


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40), st.integers(0, 40), st.integers(1, 6))
def test_any_piece_of_an_answer_finds_it_and_the_span_covers_that_piece(text, start, length):
    piece = text[start : start + length]
    if not fold(piece).strip():
        return
    found = search([session("2026-11-03T14:05:00", entry(1, text))], [piece.upper()])
    assert found, f"{piece!r} not found in {text!r}"
    covered = "".join(text[a:b] for a, b in found[0].spans)
    assert fold(piece) in fold(covered)


def test_one_question_through_time_in_order():
    pairs = answers_to([EARLY, LATE], "vragen", 1)
    assert [(r.id, e.text) for r, e in pairs] == [
        ("2026-11-03_140500", EARLY.answers[0].text),
        ("2026-11-10_093000", LATE.answers[0].text),
    ]
    assert answers_to([EARLY, LATE], "andere", 1) == []


def test_list_lines_give_date_practices_answers_kept_duration_finished_and_id():
    lines = journal_text.list_lines(
        [
            session("2026-11-03T14:05:00", seconds=754, finished=True),
            session("2026-11-10T09:30:00", *LATE.answers, seconds=45),
            session("2026-11-11T07:00:00", seconds=3725),
        ]
    )
    assert lines[0].split() == ["Date", "Practices", "Answers", "Duration", "Finished", "ID"]
    assert lines[1].split() == ["2026-11-03", "14:05", "oefening", "0", "13", "min", "yes",
                                "2026-11-03_140500"]  # fmt: skip
    assert lines[2].split()[2:5] == ["vragen", "1", "45"]  # the unconfirmed one is not kept
    assert "1 h 2 min" in lines[3]
    ids = ["ID", "2026-11-03_140500", "2026-11-10_093000", "2026-11-11_070000"]
    assert len({line.index(id_) for line, id_ in zip(lines, ids, strict=True)}) == 1  # aligned


def test_search_lines_show_date_question_and_the_answer_with_the_words_marked():
    found = search([LATE, EARLY], ["boos"])
    lines = journal_text.search_lines(found, width=40, marks=("[", "]"))
    assert lines == [
        "2026-11-10 09:30  question 1: Vraag 1?",
        "  Minder [boos]heid, meer ruimte.",
        "",
        "2026-11-03 14:05  question 1: Vraag 1?",
        "  Ik was [BOOS] op mezelf, daarna",
        "  verdrietig.",
    ]


def test_search_lines_name_the_practice_when_answers_come_from_several():
    other = session("2026-11-12T10:00:00", entry(1, "boos", practice="avond"))
    lines = journal_text.search_lines(search([other, EARLY], ["boos"]))
    assert lines[0] == "2026-11-12 10:00  question 1 of avond: Vraag 1?"
    assert lines[1] == "  boos"


def test_question_lines_show_every_answer_and_mark_the_unconfirmed():
    pairs = answers_to([EARLY, LATE], "vragen", 3) + answers_to([EARLY, LATE], "vragen", 1)
    lines = journal_text.question_lines("vragen", 3, "Wat heb je nodig?", pairs)
    assert lines[0] == "Question 3 of vragen: Wat heb je nodig?"
    assert lines[1:5] == ["", "2026-11-10 09:30", "  Één keer naïef geweest", "  (not confirmed)"]
    assert lines[5:] == ["", "2026-11-03 14:05", "  Ik was BOOS op mezelf, daarna verdrietig.",
                         "", "2026-11-10 09:30", "  Minder boosheid, meer ruimte."]  # fmt: skip


def test_durations_read_as_a_person_would_say_them():
    assert [journal_text.duration(s) for s in (0, 59.4, 60, 754, 3600, 3725)] == [
        "0 s", "59 s", "1 min", "13 min", "1 h 0 min", "1 h 2 min"
    ]  # fmt: skip
