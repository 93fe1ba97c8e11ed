"""What the program writes cannot be redirected or spill over (issue 17, item 4): temporary
files that never follow a symlink, exports that overwrite nothing and change no folder's mode,
folders inside the journal passed over, the spoken output files private.

Real symlinks, real folders and modes, the real command line.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from assistant import durable
from assistant.audio import silence
from assistant.journal.crypt import create_key
from assistant.journal.markdown import Entry, Labels
from assistant.journal.page import PAGE_NAME
from assistant.journal.store import Journal
from tests.helpers import ROOT, run_cli

LABELS = Labels(title="Sessie {date} {time}", unconfirmed="(x)", recording="opname", page_title="D")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def make_journal(folder: Path) -> Path:
    journal = Journal(folder, LABELS)
    journal.start("vragen", datetime(2026, 11, 3, 14, 5))
    journal.save_answer(Entry("vragen", 1, "Vraag?", "mijn eigen woorden", True), silence(1, 16000))
    journal.finish(True, 60)
    return folder


def test_a_symlink_planted_at_the_temporary_name_is_not_followed(tmp_path, monkeypatch):
    """Whoever guesses the temporary name and puts a symlink there gains nothing: the open
    refuses it, another name is taken, and the file it points to is untouched. (Planted at
    the random name drawn first, and at the name the writer used before: `.<name>.tmp-<pid>`.)"""
    victim = tmp_path / "victim.txt"
    victim.write_text("van iemand anders")
    folder = tmp_path / "shared"
    folder.mkdir()
    planted = [folder / f".page.html{durable.TEMP_MARK}{tail}" for tail in ("a" * 12, os.getpid())]
    for path in planted:
        path.symlink_to(victim)
    names = iter(["a" * 12, "b" * 12])
    monkeypatch.setattr(secrets, "token_hex", lambda _n: next(names))
    durable.write_durably(folder / "page.html", b"de woorden van de persoon")
    assert victim.read_text() == "van iemand anders"
    assert (folder / "page.html").read_bytes() == b"de woorden van de persoon"
    assert all(path.is_symlink() for path in planted)


def test_a_symlink_at_the_file_itself_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("van iemand anders")
    (tmp_path / "page.html").symlink_to(victim)
    durable.write_durably(tmp_path / "page.html", b"nieuw")
    assert victim.read_text() == "van iemand anders"
    assert not (tmp_path / "page.html").is_symlink() and mode(tmp_path / "page.html") == 0o600


def test_export_into_a_shared_folder_with_planted_symlinks_overwrites_nothing(tmp_path):
    """The attack of the issue, with the names the writer used before (`.<name>.tmp-<pid>`):
    symlinks planted in a shared export folder the moment the export starts."""
    journal = make_journal(tmp_path / "journal")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("van iemand anders")
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "journal", "export", str(shared), "--html",
         "--journal", str(journal)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    names = [PAGE_NAME, *(p.name for p in journal.glob("*.wav"))]
    for name in names:
        (shared / f".{name}{durable.TEMP_MARK}{process.pid}").symlink_to(victim)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert victim.read_text() == "van iemand anders"
    assert mode(shared) == 0o1777  # the sticky bit stays


def test_export_into_a_folder_that_exists_writes_a_new_folder_inside_it(tmp_path):
    journal = make_journal(tmp_path / "journal")
    target = tmp_path / "Documenten"
    target.mkdir()
    target.chmod(0o755)
    (target / PAGE_NAME).write_text("mijn eigen pagina")
    (target / "boodschappen.txt").write_text("brood")
    done = run_cli("journal", "export", str(target), "--html", "--journal", str(journal))
    assert done.returncode == 0, done.stderr
    assert (target / PAGE_NAME).read_text() == "mijn eigen pagina"
    assert mode(target) == 0o755  # not made private behind the person's back
    made = [p for p in target.iterdir() if p.is_dir()]
    assert len(made) == 1 and made[0].name.startswith("hartsverbinding-")
    assert mode(made[0]) == 0o700
    assert "mijn eigen woorden" in (made[0] / PAGE_NAME).read_text(encoding="utf-8")
    assert done.stderr.startswith(f"hartsverbinding: Wrote {made[0] / PAGE_NAME}:")
    again = run_cli("journal", "export", str(target), "--journal", str(journal))
    assert again.returncode == 0, again.stderr
    assert len([p for p in target.iterdir() if p.is_dir()]) == 2  # never the same one
    assert sorted(p.name for p in target.iterdir() if p.is_file()) == [
        "boodschappen.txt",
        PAGE_NAME,
    ]


def test_export_to_a_new_folder_makes_it_private(tmp_path):
    journal = make_journal(tmp_path / "journal")
    done = run_cli("journal", "export", str(tmp_path / "nieuw"), "--journal", str(journal))
    assert done.returncode == 0, done.stderr
    assert mode(tmp_path / "nieuw") == 0o700
    assert all(mode(p) == 0o600 for p in (tmp_path / "nieuw").iterdir())


def test_a_journal_folder_that_exists_keeps_its_mode_and_is_said(tmp_path):
    folder = tmp_path / "dagboek"
    folder.mkdir()
    folder.chmod(0o755)
    (folder / "notities.txt").write_text("van mij")
    done = run_cli(
        "vragen", "--text", "--pace", "0", "--journal", str(folder), stdin="antwoord\nja\nstop\n"
    )
    assert done.returncode == 0, done.stderr
    assert mode(folder) == 0o755
    assert done.stderr == (
        f"hartsverbinding: {folder} can be read by others (mode 755). "
        f"Make it private: chmod 700 {folder}\n"
    )
    assert all(mode(p) == 0o600 for p in folder.glob("*.md"))


def test_export_into_the_journal_or_a_folder_inside_it_is_refused(tmp_path):
    journal = make_journal(tmp_path / "journal")
    for target in (journal, journal / "sub"):
        done = run_cli("journal", "export", str(target), "--journal", str(journal))
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == (
            f"hartsverbinding: Export to a folder outside the journal {journal}.\n"
        )
    assert not (journal / "sub").exists()


def test_folders_and_symlinks_inside_the_journal_are_passed_over(tmp_path):
    journal = make_journal(tmp_path / "journal")
    (journal / "sub").mkdir()
    (journal / "sub" / "oud.md").write_text("iets")
    (journal / "geheim.md").symlink_to(tmp_path / "elders.md")
    (tmp_path / "elders.md").write_text("niet uit het dagboek")
    for extra in ([], ["--html"]):
        target = tmp_path / f"out{len(extra)}"
        done = run_cli("journal", "export", str(target), *extra, "--journal", str(journal))
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert not (target / "sub").exists() and not (target / "geheim.md").exists()
    listed = run_cli("journal", "list", "--journal", str(journal))
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_spoken_output_file_and_its_timeline_are_private(tmp_path):
    """--speaker FILE.wav and --timeline FILE.json hold the read-back of the answer."""
    wav, timeline = tmp_path / "out.wav", tmp_path / "out.json"
    wav.write_bytes(b"")
    wav.chmod(0o644)  # from an earlier run, under another umask
    done = run_cli(
        "vragen", "--pace", "0", "--speaker", str(wav), "--timeline", str(timeline),
        "--journal", str(tmp_path / "journal"), "--model", str(tmp_path / "geen-model"),
        stdin="mijn geheim\nja\nstop\n", timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr  # no model: typed answers, spoken lines
    spoken = json.loads(timeline.read_text(encoding="utf-8"))
    assert any("mijn geheim" in entry.get("text", "") for entry in spoken)
    assert mode(wav) == 0o600 and mode(timeline) == 0o600


def test_an_export_leaves_out_the_keys_and_nothing_named_like_them(tmp_path):
    """The keys stay behind by their own names: a practice whose id holds `journal-` (as their
    names do) has its recording copied like any other."""
    folder = tmp_path / "journal"
    folder.mkdir()
    create_key(folder, "wachtzin van test")
    journal = Journal(folder, LABELS)
    journal.start("mijn-journal-vragen", datetime(2026, 11, 3, 14, 5))
    answer = Entry("mijn-journal-vragen", 1, "Vraag?", "mijn eigen woorden", True)
    journal.save_answer(answer, silence(1, 16000))
    journal.finish(True, 60)
    target = tmp_path / "out"
    done = run_cli(
        "journal", "export", str(target), "--journal", str(folder), stdin="wachtzin van test\n"
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in target.iterdir()) == [
        "2026-11-03_140500-mijn-journal-vragen-01.wav",
        "2026-11-03_140500.md",
    ]
