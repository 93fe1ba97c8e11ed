"""One writer per session (issue 17, item 1): two real sessions that both want to go on with
the same earlier session, and sessions started in the same second, in the order they began."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from assistant.journal.folder import session_order
from assistant.journal.markdown import Entry, Labels, parse
from assistant.journal.store import Journal
from tests.helpers import Captions, answers_script, run_cli, start_session

pytestmark = pytest.mark.files

LABELS = Labels(title="Sessie {date} {time}", unconfirmed="(x)", recording="opname", page_title="D")
OFFER = "gestopt bij vraag 4"


def _session(folder: Path) -> tuple[subprocess.Popen[str], Captions]:
    process = start_session("--text", "--pace", "0", "--journal", str(folder))
    return process, Captions(process)


def _type(process: subprocess.Popen[str], *lines: str) -> None:
    assert process.stdin
    process.stdin.write("".join(f"{line}\n" for line in lines))
    process.stdin.flush()


def _end(process: subprocess.Popen[str], captions: Captions) -> str:
    _type(process, "stop")
    assert process.stdin
    process.stdin.close()
    process.wait(60)
    captions.join()
    return captions.text()


def _confirmed(folder: Path) -> list[tuple[str, int, str]]:
    """Every confirmed answer in the journal: (session id, number, text)."""
    found = []
    for path in folder.glob("*.md"):
        record = parse(path.read_text(encoding="utf-8"), path.stem)
        found += [(record.id, a.number, a.text) for a in record.answers if a.confirmed]
    return sorted(found)


def test_two_sessions_that_both_go_on_with_the_same_one_lose_nothing(tmp_path, content):
    """Both are offered the same session before either says yes (the service in standby and
    a practice at the terminal); both say yes and confirm an answer to question 4."""
    folder = tmp_path / "journal"
    first = run_cli("vragen", "--text", "--pace", "0", "--journal", str(folder),
                    stdin=answers_script(3))  # fmt: skip
    assert first.returncode == 0, first.stderr
    (earlier,) = [path.stem for path in folder.glob("*.md")]
    one, one_said = _session(folder)
    two, two_said = _session(folder)
    try:
        assert one_said.wait_for(OFFER, 30) and two_said.wait_for(OFFER, 30)
        _type(one, "ja")
        assert one_said.wait_for(r"Vraag 4 van 10\.", 30)
        _type(two, "ja")
        assert two_said.wait_for(r"Vraag 4 van 10\.", 30)
        _type(one, "vier van de eerste", "ja")
        _type(two, "vier van de tweede", "ja")
        assert one_said.wait_for(r"Vraag 5 van 10\.", 30)
        assert two_said.wait_for(r"Vraag 5 van 10\.", 30)
        said = [_end(one, one_said), _end(two, two_said)]
    finally:
        for process in (one, two):
            if process.poll() is None:
                process.kill()
    for text in said:
        assert content.line("goodbye_saved", count=1) in text  # each said it kept one
    kept = _confirmed(folder)
    assert [(n, text) for _, n, text in kept if n == 4] == sorted(
        [(4, "vier van de eerste"), (4, "vier van de tweede")]
    )
    assert (earlier, 4, "vier van de eerste") in kept  # the first went on in the session itself
    assert [n for record_id, n, _ in kept if record_id == earlier] == [1, 2, 3, 4]
    # the one that came second was told, before its question, and kept its answer apart
    elsewhere = content.line("resume_elsewhere")
    assert [elsewhere in text for text in said] == [False, True]
    assert said[1].index(elsewhere) < said[1].index("Vraag 4 van 10.")
    # the next start offers the newest: the one kept apart, which counts the earlier answers
    again = run_cli("--text", "--pace", "0", "--journal", str(folder), stdin="stop\n")
    assert "gestopt bij vraag 5" in again.stdout


def test_a_session_another_process_is_writing_is_not_offered(tmp_path):
    folder = tmp_path / "journal"
    run_cli("vragen", "--text", "--pace", "0", "--journal", str(folder), stdin=answers_script(3))
    one, one_said = _session(folder)
    try:
        assert one_said.wait_for(OFFER, 30)
        _type(one, "ja")
        assert one_said.wait_for(r"Vraag 4 van 10\.", 30)
        other = run_cli("--text", "--pace", "0", "--journal", str(folder), stdin="stop\n")
        assert other.returncode == 0, other.stderr
        assert "gestopt bij" not in other.stdout and "Wat wil je doen?" in other.stdout
        _end(one, one_said)
    finally:
        if one.poll() is None:
            one.kill()
    later = run_cli("--text", "--pace", "0", "--journal", str(folder), stdin="stop\n")
    assert OFFER in later.stdout  # free again once that session ended


def test_sessions_started_in_the_same_second_sort_in_the_order_they_began(tmp_path, content):
    folder = tmp_path / "journal"
    same_second = datetime(2026, 11, 25, 9, 30)
    ids = []
    for index in range(11):
        journal = Journal(folder, LABELS)
        journal.start("vragen", same_second)
        for number in range(1, index % 9 + 2):  # 1 to 9 answers: each has questions open
            journal.save_answer(Entry("vragen", number, "Vraag?", f"antwoord {number}", True), None)
        journal.finish(False, 10)
        assert journal.record is not None
        ids.append(journal.record.id)
    assert ids[:3] == ["2026-11-25_093000", "2026-11-25_093000-2", "2026-11-25_093000-3"]
    assert ids[-1] == "2026-11-25_093000-11"
    listed = run_cli("journal", "list", "--journal", str(folder))
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[-1] for line in listed.stdout.splitlines()[1:]] == ids
    point = Journal(folder, LABELS).resume_point(content)
    assert point is not None and point.journal_id == ids[-1] and point.next_question == 2
    offered = run_cli("--text", "--pace", "0", "--journal", str(folder), stdin="stop\n")
    assert "gestopt bij vraag 3" in offered.stdout


def test_session_order_puts_the_later_ones_of_a_second_after_it():
    ids = ["2026-11-25_093001", "2026-11-25_093000-10", "2026-11-25_093000-2", "2026-11-25_093000"]
    assert sorted(ids, key=session_order) == [
        "2026-11-25_093000",
        "2026-11-25_093000-2",
        "2026-11-25_093000-10",
        "2026-11-25_093001",
    ]
