"""Versions of an answer in the journal (issue 15, item 2): the text the person confirmed is never
overwritten; a better recogniser's text is kept beside it with who made it and when; every
reader (journal read, search, question, the page, the look-back) shows the best version, marked
as improved; `journal restore` goes back to the confirmed one. On real journal folders, plain and
encrypted, through the real command line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from assistant.audio import silence
from assistant.journal.crypt import Opener
from assistant.journal.look_back import history
from assistant.journal.markdown import (
    Entry,
    Labels,
    SessionRecord,
    Version,
    parse,
    render,
    render_front_matter,
)
from assistant.journal.page import render_page
from assistant.journal.reading import read_sessions
from assistant.journal.store import Journal
from assistant.journal.versions import SessionBusy, change_answer
from tests.helpers import copy_journal_key, run_cli

pytestmark = pytest.mark.files

LABELS = Labels(
    title="Hartsverbinding, {date} om {time}",
    unconfirmed="(x)",
    recording="opname",
    page_title="Dagboek",
    improved="Verbeterd door {recognizer}, {date}",
)
SECRET = "wachtzin van test"
HEARD = "ik was boos op me zelf"  # what Vosk heard, read back, and the person confirmed
BETTER = "Ik was boos op mezelf, en moe."  # what Whisper made of the recording later
MADE = datetime(2026, 11, 3, 14, 20)
ID = "2026-11-03_140500"


def _journal(folder: Path, encrypted: bool) -> Journal:
    """A session with one confirmed answer, its recording kept; improved while it is open."""
    folder.mkdir(parents=True, exist_ok=True)
    if encrypted:
        copy_journal_key(folder, SECRET)
    journal = Journal(folder, LABELS)
    journal.start("vragen", datetime(2026, 11, 3, 14, 5))
    journal.save_answer(Entry("vragen", 1, "Waardoor lijd je?", HEARD, True), silence(1, 16000))
    journal.save_answer(Entry("vragen", 2, "Accepteer je je lot?", "soms", True), None)
    assert journal.add_version("vragen", 1, HEARD, Version(BETTER, "whisper:base", MADE))
    journal.finish(True, 300)
    return journal


def journal_cli(folder: Path, *words: str, stdin: str = ""):
    return run_cli("journal", *words, "--journal", str(folder), stdin=stdin)


def test_the_markdown_keeps_the_confirmed_text_and_each_version() -> None:
    entry = Entry("vragen", 1, "Waardoor lijd je?", HEARD, True, "a.wav")
    entry.versions += [
        Version("> Eerst dit.", "wyoming:tcp://pc:10300", MADE),
        Version(BETTER, "whisper:small", datetime(2026, 11, 4, 8, 0)),
    ]
    record = record_of(entry)
    text = render(record, LABELS)
    body = text.split("\n---\n", 1)[1]
    paragraphs = body.split("\n\n")
    assert HEARD in paragraphs  # the confirmed text is the answer's own paragraph
    assert "> Verbeterd door whisper:small, 04-11-2026 08:00:\n> " + BETTER in body
    assert "> \\> Eerst dit." in body  # a version's text cannot become Markdown structure
    front = render_front_matter(record)
    assert "whisper:small" in front and "2026-11-04T08:00:00" in front
    assert "boos" not in front and "Eerst" not in front  # no words in the front matter
    again = parse(text, ID).answers[0]
    assert (again.text, again.best, again.recording) == (HEARD, BETTER, "a.wav")
    assert [v.text for v in again.versions] == ["> Eerst dit.", BETTER]
    assert again.versions[0].recognizer == "wyoming:tcp://pc:10300"
    again.use_confirmed = True
    back = parse(render(record_of(again), LABELS), ID).answers[0]
    assert back.use_confirmed and back.best == HEARD and len(back.versions) == 2


def record_of(entry: Entry) -> SessionRecord:
    return SessionRecord(ID, datetime(2026, 11, 3, 14, 5), ["vragen"], [entry], 300, True)


def test_a_version_for_words_answered_again_is_dropped(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal", LABELS)
    journal.start("vragen", datetime(2026, 11, 3, 14, 5))
    journal.save_answer(Entry("vragen", 1, "Waardoor lijd je?", "eerste", True), None)
    journal.save_answer(Entry("vragen", 1, "Waardoor lijd je?", "tweede", True), None)
    assert not journal.add_version("vragen", 1, "eerste", Version("x", "whisper:base", MADE))
    assert not journal.add_version("vragen", 7, "tweede", Version("x", "whisper:base", MADE))
    assert journal.add_version("vragen", 1, "tweede", Version("Tweede.", "whisper:base", MADE))
    (record,) = journal.sessions()
    assert record.answers[0].best == "Tweede." and record.answers[0].text == "tweede"


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_readers_show_the_improved_text_and_restore_goes_back(
    tmp_path: Path, encrypted: bool
) -> None:
    folder = tmp_path / "journal"
    _journal(folder, encrypted)
    stdin = SECRET + "\n" if encrypted else ""
    if encrypted:  # nothing of the words in plaintext, the improvement included
        names = sorted(path.name for path in folder.iterdir() if path.is_file())
        assert not [n for n in names if n.endswith((".md", ".wav"))], names
        for path in folder.iterdir():
            if path.is_file():
                assert b"boos" not in path.read_bytes(), path
    read = journal_cli(folder, "read", stdin=stdin)
    assert read.returncode == 0, read.stderr
    assert f"\n{BETTER}\n\n_Verbeterd door whisper:base, 03-11-2026 14:20_\n" in read.stdout
    assert HEARD not in read.stdout
    found = journal_cli(folder, "search", "moe", stdin=stdin)  # only the improved text has it
    assert found.returncode == 0, found.stderr
    assert f"  {BETTER}\n  (improved by whisper:base;" in found.stdout
    opener = Opener.unlock(folder, SECRET) if encrypted else None
    journal = Journal(folder, LABELS)
    (record,) = read_sessions(journal, opener)  # type: ignore[misc]
    kept = record.answers[0]
    assert (kept.text, kept.best) == (HEARD, BETTER)  # the confirmed text is still in the file
    page = render_page([record], LABELS, "nl", {})
    assert BETTER in page and 'class="improved"' in page and HEARD not in page

    restored = journal_cli(folder, "restore", ID, "1", stdin=stdin)
    assert restored.returncode == 0, restored.stderr
    assert "shown again as you confirmed it" in restored.stderr
    again = journal_cli(folder, "read", stdin=stdin)
    assert f"\n{HEARD}\n" in again.stdout and "Verbeterd door" in again.stdout  # kept, quoted
    (record,) = read_sessions(journal, opener)  # type: ignore[misc]
    assert record.answers[0].best == HEARD and record.answers[0].versions[0].text == BETTER
    twice = journal_cli(folder, "restore", ID, "vragen", "1", stdin=stdin)
    assert twice.returncode == 0 and "already shown as you confirmed it" in twice.stderr
    missing = journal_cli(folder, "restore", ID, "5", stdin=stdin)
    assert missing.returncode == 2
    assert "has no answer to question 5 of vragen" in missing.stderr
    if encrypted:
        assert not [p for p in folder.iterdir() if p.name.endswith((".md", ".wav"))]


def test_the_look_back_says_the_improved_text(tmp_path: Path) -> None:
    journal = _journal(tmp_path / "journal", False)
    (kept, _other) = history(journal, date(2026, 12, 1)).answers
    assert kept.text == BETTER


def test_a_session_open_in_another_process_is_not_changed(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    _journal(folder, False)
    other = Journal(folder, LABELS)
    lock = other.files.take(ID)  # as a practice that goes on with the session holds it
    assert lock is not None
    try:
        with pytest.raises(SessionBusy):
            change_answer(Journal(folder, LABELS), ID, "vragen", 1, lambda _entry: True)
    finally:
        lock.release()
    busy = journal_cli(folder, "restore", "nope", "1")
    assert busy.returncode == 2 and "There is no session 'nope'" in busy.stderr
