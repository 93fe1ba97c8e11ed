"""`journal list | read | search | question` on real journals, plain and encrypted, through the
real command line; reading the journal back (journal/reading.py) as every reader does."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from assistant.audio import silence
from assistant.journal.crypt import Opener
from assistant.journal.markdown import Entry, Labels
from assistant.journal.reading import Locked, read_recording, read_sessions
from assistant.journal.store import Journal
from tests.helpers import copy_journal_key, run_cli

pytestmark = pytest.mark.files

LABELS = Labels(
    title="Hartsverbinding, {date} om {time}",
    unconfirmed="(x)",
    recording="opname",
    page_title="Dagboek",
)
SECRET = "wachtzin van test"


def make_journal(folder: Path, encrypted: bool) -> Path:
    """Two sessions a week apart: the first finished with two answers (one kept as audio), the
    second stopped after one confirmed and one unconfirmed answer."""
    folder.mkdir(parents=True, exist_ok=True)
    if encrypted:
        copy_journal_key(folder, SECRET)
    first = Journal(folder, LABELS)
    first.start("vragen", datetime(2026, 11, 3, 14, 5))
    first.save_answer(
        Entry("vragen", 1, "Waardoor lijd je?", "Ik was boos op mezelf.", True), silence(1, 16000)
    )
    first.save_answer(Entry("vragen", 2, "Accepteer je je lot?", "Soms wel.", True), None)
    first.finish(True, 754)
    second = Journal(folder, LABELS)
    second.start("vragen", datetime(2026, 11, 10, 9, 30))
    second.save_answer(
        Entry("vragen", 1, "Waardoor lijd je?", "Minder boosheid, meer ruimte.", True), None
    )
    second.save_answer(Entry("vragen", 3, "Wat heb je nodig?", "Één naïeve wens", False), None)
    second.finish(False, 45)
    return folder


def journal_cli(folder: Path, *words: str, stdin: str = ""):
    return run_cli("journal", *words, "--journal", str(folder), stdin=stdin)


@pytest.fixture(params=["plain", "encrypted"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    """A journal, and what to type on standard input to open it (the passphrase, once)."""
    encrypted = request.param == "encrypted"
    return make_journal(tmp_path / "journal", encrypted), SECRET + "\n" if encrypted else ""


def test_list_shows_each_session_and_asks_no_passphrase(journal):
    folder, _ = journal
    done = journal_cli(folder, "list")  # nothing on stdin: a passphrase prompt would fail
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["Date", "Practices", "Answers", "Duration", "Finished", "ID"]
    assert lines[1].split() == [
        "2026-11-03", "14:05", "vragen", "2", "13", "min", "yes", "2026-11-03_140500"
    ]  # fmt: skip
    assert lines[2].split() == [
        "2026-11-10", "09:30", "vragen", "1", "45", "s", "no", "2026-11-10_093000"
    ]  # fmt: skip


def test_search_finds_answers_with_all_words_ignoring_case_and_accents(journal):
    folder, passphrase = journal
    done = journal_cli(folder, "search", "BOOS", stdin=passphrase)  # the passphrase once
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "2026-11-10 09:30  question 1: Waardoor lijd je?",
        "  Minder boosheid, meer ruimte.",
        "",
        "2026-11-03 14:05  question 1: Waardoor lijd je?",
        "  Ik was boos op mezelf.",
    ]
    accents = journal_cli(folder, "search", "een", "NAIEVE", stdin=passphrase)
    assert accents.returncode == 0, accents.stderr
    assert "  Één naïeve wens\n  (not confirmed)\n" in accents.stdout
    none = journal_cli(folder, "search", "boos", "blij", stdin=passphrase)
    assert (none.returncode, none.stdout) == (1, "")
    assert none.stderr == "hartsverbinding: No answer holds all of: boos blij.\n"


def test_question_shows_every_answer_to_it_through_time(journal):
    folder, passphrase = journal
    done = journal_cli(folder, "question", "1", stdin=passphrase)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Question 1 of vragen: ")
    assert lines[1:] == [
        "", "2026-11-03 14:05", "  Ik was boos op mezelf.",
        "", "2026-11-10 09:30", "  Minder boosheid, meer ruimte.",
    ]  # fmt: skip
    same = journal_cli(folder, "question", "vragen", "1", stdin=passphrase)
    assert same.stdout == done.stdout
    unanswered = journal_cli(folder, "question", "10", stdin=passphrase)
    assert unanswered.returncode == 1
    assert unanswered.stderr == "hartsverbinding: Question 10 of vragen has no answers yet.\n"


def test_read_prints_one_session_or_all(journal):
    folder, passphrase = journal
    one = journal_cli(folder, "read", "2026-11-10_093000", stdin=passphrase)
    assert one.returncode == 0, one.stderr
    assert "Minder boosheid" in one.stdout and "Ik was boos" not in one.stdout
    every = journal_cli(folder, "read", stdin=passphrase)
    assert every.stdout.index("Ik was boos") < every.stdout.index("Minder boosheid")


@pytest.fixture(scope="module")
def sealed_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_journal(tmp_path_factory.mktemp("sealed") / "journal", encrypted=True)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["read", "2020-01-01_000000"], "There is no session '2020-01-01_000000' in {folder}; "
         "'journal list' shows them."),
        (["question", "11"], "'11' is not a question of vragen: give a number from 1 to 10."),
        (["question", "twee"], "'twee' is not a question of vragen: give a number from 1 to 10."),
        (["question", "oefening", "1"], "There is no practice with questions called 'oefening' "
         "(known: vragen)."),
        (["search", ""], "Give one or more words to search for."),
        (["export", ""], "Give the folder to export to."),
        (["list", "--html"], "--html goes with 'journal export DIR'."),
        (["lees"], "Use 'journal list', 'journal read [ID]', 'journal search WORDS', 'journal "
         "question [PRACTICE] N', 'journal improve', 'journal restore ID [PRACTICE] N', "
         "'journal export DIR [--html]' or 'journal encrypt'."),
    ],
)  # fmt: skip
def test_unknown_ids_and_bad_words_give_one_line_before_any_passphrase(
    sealed_journal, words, message
):
    folder = sealed_journal
    done = journal_cli(folder, *words)  # no passphrase given: none may be asked first
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"hartsverbinding: {message.format(folder=folder)}\n"


@pytest.mark.parametrize(
    "words",
    [["list"], ["read"], ["search", "boos"], ["question", "1"], ["export", "OUT"],
     ["export", "OUT", "--html"]],
)  # fmt: skip
def test_an_empty_journal_gives_one_line_and_exit_2(tmp_path, words):
    folder = tmp_path / "journal"
    words = [str(tmp_path / "out") if word == "OUT" else word for word in words]
    done = journal_cli(folder, *words)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"hartsverbinding: The journal in {folder} holds no sessions yet.\n"
    assert not (tmp_path / "out").exists()


def test_a_wrong_passphrase_for_search_is_one_line(tmp_path):
    folder = make_journal(tmp_path / "journal", encrypted=True)
    done = journal_cli(folder, "search", "boos", stdin="verkeerd\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "hartsverbinding: That passphrase does not open this journal.\n"


def test_reading_an_encrypted_journal_without_opener_is_locked_not_an_error(tmp_path):
    """What the spoken look-back gets: dates and counts, and plainly no words."""
    folder = make_journal(tmp_path / "journal", encrypted=True)
    journal = Journal(folder, LABELS)
    locked = read_sessions(journal)
    assert isinstance(locked, Locked)
    assert [len(r.answers) for r in locked.sessions] == [2, 2]
    assert all(a.text == "" for r in locked.sessions for a in r.answers)
    opened = read_sessions(journal, Opener.unlock(folder, SECRET))
    assert not isinstance(opened, Locked)
    assert [a.text for a in opened[0].answers] == ["Ik was boos op mezelf.", "Soms wel."]
    name = opened[0].answers[0].recording
    assert name is not None and read_recording(journal, name, None) is None
    audio = read_recording(journal, name, Opener.unlock(folder, SECRET))
    assert audio is not None and audio.startswith(b"RIFF")


def test_reading_a_plain_journal_needs_no_opener(tmp_path):
    folder = make_journal(tmp_path / "journal", encrypted=False)
    journal = Journal(folder, LABELS)
    records = read_sessions(journal)
    assert not isinstance(records, Locked)
    texts = [a.text for a in records[1].answers]
    assert texts == ["Minder boosheid, meer ruimte.", "Één naïeve wens"]
    (tmp_path / "outside.wav").write_bytes(b"RIFF")
    assert read_recording(journal, "../outside.wav", None) is None  # only files beside it
