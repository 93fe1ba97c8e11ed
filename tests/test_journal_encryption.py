"""Optional encryption of the journal at rest (age format, pyrage), and reading it back."""

from __future__ import annotations

import stat
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant.audio import read_wav, silence
from assistant.errors import UserError
from assistant.journal.crypt import KEY_FILE, RECIPIENT_FILE, Opener, create_key
from assistant.journal.markdown import Entry, Labels
from assistant.journal.store import Journal
from tests.helpers import answers_script, run_cli

pytestmark = pytest.mark.files

LABELS = Labels(
    title="Hartsverbinding, {date} om {time}",
    unconfirmed="(x)",
    recording="opname",
    page_title="Dagboek",
)
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
SECRET = "wachtzin van test"
AGE_HEADER = b"age-encryption.org/v1\n"


def _typed_session(folder: Path, stdin: str, *args: str):
    done = run_cli(*args, "--text", "--pace", "0", "--journal", str(folder), stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done


def test_encrypting_seals_what_is_there_and_everything_after(tmp_path):
    folder = tmp_path / "journal"
    _typed_session(folder, "mijn geheime antwoord\nja\nstop\n", "vragen")
    done = run_cli("journal", "encrypt", "--journal", str(folder), stdin=SECRET + "\n")
    assert done.returncode == 0, done.stderr
    assert not list(folder.glob("*.md")), "plaintext left behind"
    sealed = list(folder.glob("*.md.age"))
    assert len(sealed) == 1 and sealed[0].read_bytes().startswith(AGE_HEADER)
    assert b"geheime" not in sealed[0].read_bytes()
    # the next session is written sealed, with no passphrase asked
    _typed_session(folder, "nee\nvragen\nnog een antwoord\nja\nstop\n")
    for path in folder.iterdir():
        assert b"antwoord" not in path.read_bytes(), f"{path.name} holds the user's words"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    read = run_cli("journal", "read", "--journal", str(folder), stdin=SECRET + "\n")
    assert read.returncode == 0, read.stderr
    assert "mijn geheime antwoord" in read.stdout and "nog een antwoord" in read.stdout


def test_encrypting_removes_spoken_answers_an_older_version_cached(tmp_path):
    """Format 1 kept every rendered line, read-backs of answers included, flat in the cache
    folder: encryption must not leave them behind, even before the next session."""
    folder, cache = tmp_path / "journal", tmp_path / "cache"
    _typed_session(folder, "antwoord\nja\nstop\n", "vragen")
    old = cache / "hartsverbinding" / "voice" / ("ab" * 32 + ".wav")
    old.parent.mkdir(parents=True)
    old.write_bytes(b"RIFF an old read-back of an answer")
    done = run_cli(
        "journal",
        "encrypt",
        "--journal",
        str(folder),
        stdin=SECRET + "\n",
        env={"XDG_CACHE_HOME": str(cache)},
    )
    assert done.returncode == 0, done.stderr
    assert not old.exists()


def test_a_wrong_passphrase_is_refused_in_one_line(tmp_path):
    folder = tmp_path / "journal"
    _typed_session(folder, "antwoord\nja\nstop\n", "vragen")
    run_cli("journal", "encrypt", "--journal", str(folder), stdin=SECRET + "\n")
    done = run_cli("journal", "read", "--journal", str(folder), stdin="verkeerd\n")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == "hartsverbinding: That passphrase does not open this journal."


def test_resuming_an_encrypted_journal_needs_no_passphrase(tmp_path):
    folder = tmp_path / "journal"
    run_cli("journal", "encrypt", "--journal", str(folder), stdin=SECRET + "\n")
    _typed_session(folder, answers_script(3), "vragen")
    again = _typed_session(folder, "ja\nvier\nja\nstop\n")
    assert "gestopt bij vraag 4" in again.stdout and "Vraag 4 van 10." in again.stdout
    third = _typed_session(folder, "ja\nvijf\nja\nstop\n")
    assert "gestopt bij vraag 5" in third.stdout  # the continuation counts the earlier answers
    read = run_cli("journal", "read", "--journal", str(folder), stdin=SECRET + "\n")
    for text in ("Mijn antwoord op vraag 3", "vier", "vijf", "continues:"):
        assert text in read.stdout


def test_recordings_are_sealed_and_exported_readable(tmp_path):
    folder = tmp_path / "journal"
    folder.mkdir()
    create_key(folder, SECRET)
    journal = Journal(folder, LABELS)
    journal.start("vragen", NOW)
    journal.save_answer(Entry("vragen", 1, "Vraag?", "gezegd", True), silence(1.0, 16000))
    recordings = list(folder.glob("*.wav.age"))
    assert len(recordings) == 1 and not list(folder.glob("*.wav"))
    assert recordings[0].read_bytes().startswith(AGE_HEADER)
    target = tmp_path / "export"
    done = run_cli("journal", "export", str(target), "--journal", str(folder), stdin=SECRET + "\n")
    assert done.returncode == 0, done.stderr
    exported = sorted(p.name for p in target.iterdir())
    assert [n for n in exported if n.endswith(".wav")] and [
        n for n in exported if n.endswith(".md")
    ]
    wav = next(target.glob("*.wav"))
    assert read_wav(wav).seconds == pytest.approx(1.0)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert "gezegd" in next(target.glob("*.md")).read_text(encoding="utf-8")


def test_only_the_passphrase_opens_the_key(tmp_path):
    create_key(tmp_path, SECRET)
    assert (tmp_path / KEY_FILE).read_bytes().startswith(AGE_HEADER)
    assert (tmp_path / RECIPIENT_FILE).read_text().startswith("age1")
    Opener.unlock(tmp_path, SECRET)
    with pytest.raises(UserError, match="does not open"):
        Opener.unlock(tmp_path, SECRET + "!")
    with pytest.raises(UserError, match="already encrypted"):
        create_key(tmp_path, "ander")


def test_an_unencrypted_journal_reads_back_plainly(tmp_path):
    _typed_session(tmp_path, "open antwoord\nja\nstop\n", "vragen")
    done = run_cli("journal", "read", "--journal", str(tmp_path))
    assert done.returncode == 0 and "open antwoord" in done.stdout


def test_without_pyrage_encryption_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyrage", None)  # as if it were not installed
    with pytest.raises(UserError, match=r"hartsverbinding\[encryption\]"):
        create_key(tmp_path, SECRET)
