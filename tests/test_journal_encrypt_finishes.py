"""Encryption that always finishes (issue 17, item 2): beside a session that runs (two real
processes), cut off by a real kill -9 or a real write error and run again, and reading on past
one file that will not decrypt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from assistant.audio import silence
from assistant.journal.crypt import KEY_FILE, RECIPIENT_FILE, create_key
from assistant.journal.markdown import Entry, Labels
from assistant.journal.sealing import seal_plaintext
from assistant.journal.store import Journal
from tests.helpers import ROOT, Captions, run_cli, start_session

LABELS = Labels(title="Sessie {date} {time}", unconfirmed="(x)", recording="opname", page_title="D")
SECRET = "wachtzin van test"
SESSIONS = 150  # enough that sealing them takes well over the moment a kill needs to land


def journal_cli(folder: Path, *words: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli("journal", *words, "--journal", str(folder), stdin=stdin)


def plaintext(folder: Path) -> list[str]:
    return sorted(p.name for p in [*folder.glob("*.md"), *folder.glob("*.wav")])


def many_sessions(folder: Path, count: int = SESSIONS) -> None:
    """`count` finished sessions a day apart (every tenth with a recording), then one that
    stopped after three answers."""
    start = datetime(2026, 1, 1, 9, 30)
    for day in range(count):
        journal = Journal(folder, LABELS)
        journal.start("vragen", start + timedelta(days=day))
        audio = silence(0.2, 16000) if day % 10 == 0 else None
        journal.save_answer(Entry("vragen", 1, "Vraag?", f"antwoord van dag {day}", True), audio)
        journal.finish(True, 60)
    last = Journal(folder, LABELS)
    last.start("vragen", start + timedelta(days=count))
    for number in (1, 2, 3):
        last.save_answer(Entry("vragen", number, "Vraag?", f"laatste {number}", True), None)
    last.finish(False, 60)


def test_a_session_running_while_the_journal_is_encrypted_seals_its_own_files(tmp_path):
    folder = tmp_path / "journal"
    process = start_session("vragen", "--text", "--pace", "0", "--journal", str(folder))
    said = Captions(process)
    assert process.stdin
    try:
        process.stdin.write("eerste geheim\nja\n")
        process.stdin.flush()
        assert said.wait_for(r"Vraag 2 van 10\.", 30)
        done = journal_cli(folder, "encrypt", stdin=SECRET + "\n")
        assert done.returncode == 0, done.stderr
        process.stdin.write("tweede geheim\nja\n")
        process.stdin.flush()
        assert said.wait_for(r"Vraag 3 van 10\.", 30)
        assert plaintext(folder) == [], "the session wrote plaintext after the encryption"
        assert "1 session is running now" in done.stderr
        assert "Copies made earlier with 'journal export' are not encrypted" in done.stderr
        process.stdin.write("stop\n")
        process.stdin.close()
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    for path in folder.iterdir():
        assert b"geheim" not in path.read_bytes(), path.name
    read = journal_cli(folder, "read", stdin=SECRET + "\n")
    assert read.returncode == 0, read.stderr
    assert "eerste geheim" in read.stdout and "tweede geheim" in read.stdout
    listed = journal_cli(folder, "list")
    assert len(listed.stdout.splitlines()) == 2


def test_a_running_session_seals_its_recordings_at_its_next_write(tmp_path):
    folder = tmp_path / "journal"
    running = Journal(folder, LABELS)
    running.start("vragen", datetime(2026, 11, 25, 9, 30))
    running.save_answer(Entry("vragen", 1, "Vraag?", "een", True), silence(0.5, 16000))
    Journal(folder, LABELS).finish(True, 1)  # an older, finished session beside it
    encrypting = Journal(folder, LABELS)
    encrypting.files.make_key(SECRET)
    sealed = seal_plaintext(encrypting)
    assert (sealed.sessions, sealed.running) == (1, 1)
    assert len(plaintext(folder)) == 2  # the running one's Markdown and recording
    running.save_answer(Entry("vragen", 2, "Vraag?", "twee", True), silence(0.5, 16000))
    assert plaintext(folder) == []
    assert len(list(folder.glob("*.wav.age"))) == 2


def test_an_encryption_killed_halfway_hides_nothing_and_finishes_when_run_again(tmp_path, content):
    folder = tmp_path / "journal"
    many_sessions(folder)
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "journal", "encrypt", "--journal", str(folder)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert process.stdin
    process.stdin.write(f"{SECRET}\n".encode())
    process.stdin.close()
    deadline = time.monotonic() + 120
    while not (folder / RECIPIENT_FILE).exists() and process.poll() is None:
        assert time.monotonic() < deadline, "encrypt never wrote its key"
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    assert (folder / KEY_FILE).exists()
    left = plaintext(folder)
    assert len(left) > SESSIONS // 2, f"the kill came too late to test anything: {len(left)} left"

    listed = journal_cli(folder, "list")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 1 + SESSIONS + 1
    assert "not encrypted yet: 'journal encrypt' finishes the job" in listed.stderr
    offered = run_cli("--text", "--pace", "0", "--journal", str(folder), stdin="stop\n")
    assert "gestopt bij vraag 4" in offered.stdout

    again = journal_cli(folder, "encrypt", stdin=SECRET + "\n")
    assert again.returncode == 0, again.stderr
    assert plaintext(folder) == []
    assert [p.name for p in folder.iterdir() if ".tmp-" in p.name] == []
    read = journal_cli(folder, "read", stdin=SECRET + "\n")
    assert read.returncode == 0, read.stderr
    for day in range(SESSIONS):
        assert f"antwoord van dag {day}\n" in read.stdout
    assert "laatste 3" in read.stdout
    once_more = journal_cli(folder, "encrypt")  # nothing left: says so, asks nothing
    assert (once_more.returncode, once_more.stderr) == (
        0,
        f"hartsverbinding: The journal in {folder} is already encrypted.\n",
    )


def test_an_encryption_stopped_by_a_write_error_says_so_in_one_line_and_finishes_later(
    tmp_path,
):
    folder = tmp_path / "journal"
    many_sessions(folder, count=3)
    blocked = sorted(folder.glob("*.md"))[1].name + ".age"
    (folder / blocked).mkdir()  # a real obstacle: the sealed file cannot be put there
    done = journal_cli(folder, "encrypt", stdin=SECRET + "\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert "Run 'journal encrypt' again to finish." in done.stderr
    listed = journal_cli(folder, "list")
    assert len(listed.stdout.splitlines()) == 1 + 4, listed.stderr
    (folder / blocked).rmdir()
    again = journal_cli(folder, "encrypt")  # the key is there: sealing needs no passphrase
    assert again.returncode == 0, again.stderr
    assert plaintext(folder) == []


def test_an_encryption_cut_off_between_its_two_keys_is_finished_with_the_passphrase(tmp_path):
    """What a kill between writing the private key and the public one leaves."""
    folder = tmp_path / "journal"
    many_sessions(folder, count=2)
    create_key(folder, SECRET)
    (folder / RECIPIENT_FILE).unlink()
    wrong = journal_cli(folder, "encrypt", stdin="verkeerd\n")
    assert wrong.returncode == 2
    assert wrong.stderr == "hartsverbinding: That passphrase does not open this journal.\n"
    done = journal_cli(folder, "encrypt", stdin=SECRET + "\n")
    assert done.returncode == 0, done.stderr
    assert plaintext(folder) == [] and (folder / RECIPIENT_FILE).exists()
    read = journal_cli(folder, "read", stdin=SECRET + "\n")
    assert "laatste 3" in read.stdout and "antwoord van dag 1" in read.stdout


def test_one_file_that_will_not_decrypt_hides_only_itself(tmp_path):
    folder = tmp_path / "journal"
    many_sessions(folder, count=4)
    assert journal_cli(folder, "encrypt", stdin=SECRET + "\n").returncode == 0
    sealed = sorted(folder.glob("*.md.age"))
    broken = sealed[1].name.removesuffix(".md.age")
    sealed[1].write_bytes(b"age-encryption.org/v1\n-> X25519 kapot\n" + os.urandom(64))
    damaged = sealed[2].name.removesuffix(".md.age")
    (folder / f"{damaged}.progress.yaml").write_bytes(b"\xff\xfe\x00 geen yaml")

    read = journal_cli(folder, "read", stdin=SECRET + "\n")
    assert read.returncode == 0, read.stderr
    assert "antwoord van dag 0" in read.stdout and "laatste 3" in read.stdout
    assert "antwoord van dag 1" not in read.stdout
    assert "antwoord van dag 2" in read.stdout  # its progress file is damaged, not its words
    assert broken in read.stderr and "Traceback" not in read.stderr
    search = journal_cli(folder, "search", "antwoord", stdin=SECRET + "\n")
    assert search.returncode == 0, search.stderr
    assert "antwoord van dag 0" in search.stdout and "antwoord van dag 3" in search.stdout
    page = journal_cli(folder, "export", str(tmp_path / "out"), "--html", stdin=SECRET + "\n")
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "out" / "journal.html").read_text(encoding="utf-8")
    assert "antwoord van dag 0" in html and "laatste 3" in html
    listed = journal_cli(folder, "list")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 1 + 5 - 1  # the damaged progress file is skipped
    assert damaged in listed.stderr
