"""The coach's pack through the real command line, in fresh homes (XDG folders in tmp): two
lines recorded with `opnemen --mic FILE.wav`, `pack key`, `pack build`, `pack install` with the
coach's public key, and a rendered session (`--speaker`) that plays exactly those recordings;
tampered packs refused with one line and exit 2, nothing written; an update that rewords
question 4, killed while it unpacks (the old version keeps working), then installed and
reported, after which an earlier answer to question 4 still shows the words it answered."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from assistant.appliance import setup_checks
from assistant.audio import AudioChunk, read_wav, silence, write_wav
from assistant.content import load_content
from assistant.dialog.lines import recordable_lines
from assistant.packs import pack_folder, verify_installed
from assistant.voice.cache import finish_line
from tests.helpers import (
    RATE,
    ROOT,
    answers_script,
    coach_content,
    http_server,
    human_clips,
    record_lines,
    run_cli,
)

pytestmark = [pytest.mark.files, pytest.mark.voice, pytest.mark.slow]

RECORDED = ["oefening.intro", "oefening.steps.1"]
WAV = f"recordings/{RECORDED[0]}.wav"
PRACTICE = "practices/20-vragen-zelfcompassie.yaml"
OUTSIDE = "hartsverbinding-outside.yaml"
OLD_4, NEW_4 = "Mag het er zijn?", "Mag het er zijn, zoals het is?"


def home_env(home: Path) -> dict[str, str]:
    """A person of their own: data, config and cache folders in `home`, no model, no
    content chosen from outside."""
    return {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "HARTSVERBINDING_CONTENT": "",
        "HARTSVERBINDING_MODEL": "",
    }


def cli(home: Path, *args: str, stdin: str = "", timeout: float = 120):
    return run_cli(*args, stdin=stdin, env=home_env(home), timeout=timeout)


def packs_of(home: Path) -> Path:
    return home / "data" / "hartsverbinding" / "packs"


@dataclass(frozen=True)
class Coach:
    root: Path
    content: Path  # her content folder, two lines recorded
    key: Path
    pack: Path  # version 1.0, built by `pack build`
    built: subprocess.CompletedProcess[str]

    @property
    def public(self) -> Path:
        return self.key.with_name(self.key.name + ".pub")

    def installed_home(self, home: Path) -> Path:
        """A fresh home with version 1.0 installed through the command line."""
        done = cli(home, "pack", "install", str(self.pack), "--trust", str(self.public))
        assert done.returncode == 0, done.stderr
        return home


@pytest.fixture(scope="module")
def coach(tmp_path_factory: pytest.TempPathFactory) -> Coach:
    root = tmp_path_factory.mktemp("coach")
    studio = root / "studio"
    content = coach_content(root / "folder")
    # Her microphone: two readings by a real voice, each followed by the silence that ends it.
    clips = human_clips()
    audio = silence(0.5, RATE)
    for clip in clips[:2]:
        audio = audio + clip.audio() + silence(3.0, RATE)
    write_wav(root / "mic.wav", audio)
    recorded = cli(
        studio,
        "opnemen",
        "oefening",
        "--content",
        str(content),
        "--mic",
        str(root / "mic.wav"),
        "--speaker",
        str(root / "studio.wav"),
        stdin="ja\nja\nstop\n",
        timeout=300,
    )
    assert recorded.returncode == 0, recorded.stderr
    index = (content / "recordings" / "index.yaml").read_text("utf-8")
    assert all(key in index for key in RECORDED), index

    key = root / "keys" / "coach.key"
    made = cli(studio, "pack", "key", str(key))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "fingerprint" in made.stdout
    built = cli(
        studio, "pack", "build", str(content), "--key", str(key), "--out", str(root / "1.0.zip")
    )
    assert built.returncode == 0, built.stderr
    return Coach(root, content, key, root / "1.0.zip", built)


def test_build_says_what_is_recorded_and_refuses_broken_content_with_file_and_line(coach, tmp_path):
    lines = len(recordable_lines(load_content(coach.content)))
    assert f"2 of {lines} lines recorded" in coach.built.stdout
    assert "  recorded: oefening.intro, oefening.steps.1\n" in coach.built.stdout
    assert "not recorded: " in coach.built.stderr and "oefening.steps.2" in coach.built.stderr
    with zipfile.ZipFile(coach.pack) as archive:
        names = archive.namelist()
    assert WAV in names and "pack.yaml" not in names and not any(".key" in n for n in names)

    broken = tmp_path / "broken"
    shutil.copytree(coach.content, broken)
    practice = broken / PRACTICE
    practice.write_text(practice.read_text("utf-8").replace("kind: questions", "kind: vragen"))
    done = cli(
        tmp_path,
        "pack",
        "build",
        str(broken),
        "--key",
        str(coach.key),
        "--out",
        str(tmp_path / "b.zip"),
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and f"{practice}, line 3:" in done.stderr
    assert not (tmp_path / "b.zip").exists()


def test_installed_in_a_fresh_home_the_pack_plays_its_two_recordings(coach, tmp_path):
    home = tmp_path / "client"
    asked = cli(home, "pack", "install", str(coach.pack))  # no terminal to ask at
    assert asked.returncode == 2 and asked.stderr.count("\n") == 1
    assert "Jacqueline Verhaegh" in asked.stderr and "--trust" in asked.stderr
    assert not (home / "data").exists()

    done = cli(home, "pack", "install", str(coach.pack), "--trust", str(coach.public))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("jacqueline 1.0 installed, signed by Jacqueline Verhaegh")
    listed = cli(home, "pack", "list")
    assert listed.stdout.startswith("jacqueline 1.0 (nl) by Jacqueline Verhaegh")

    out = tmp_path / "render"
    rendered = cli(
        home,
        "oefening",
        "--pace",
        "0",
        "--speaker",
        str(out.with_suffix(".wav")),
        "--timeline",
        str(out.with_suffix(".json")),
        timeout=300,
    )
    assert rendered.returncode == 0, rendered.stderr
    audio = read_wav(out.with_suffix(".wav"))
    timeline = json.loads(out.with_suffix(".json").read_text())
    folder = pack_folder(packs_of(home), "jacqueline")
    content = load_content(folder)
    texts = {
        RECORDED[0]: content.practices[0].intro,
        RECORDED[1]: content.practices[0].steps[0].say,
    }
    for key, text in texts.items():
        [said] = [s for s in timeline if s["kind"] == "speech" and s["text"] == text]
        first, last = round(said["start"] * audio.rate), round(said["end"] * audio.rate)
        played = AudioChunk(audio.samples[first * 2 : last * 2], audio.rate)
        made = read_wav(coach.content / "recordings" / f"{key}.wav")
        assert played == finish_line(read_wav(folder / "recordings" / f"{key}.wav")), key
        assert played == finish_line(made), key  # what opnemen kept, sample for sample


# --- tampered packs -------------------------------------------------------------------------------


def _info(name: str, mode: int = stat.S_IFREG | 0o644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _rewritten(coach: Coach, out: Path, change=None, extra=()) -> Path:
    with zipfile.ZipFile(coach.pack) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    if change is not None:
        change(entries)
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(_info(name), data)
        for info, data in extra:
            archive.writestr(info, data)
    return out


def _changed_byte(coach: Coach, out: Path) -> Path:
    def change(entries: dict[str, bytes]) -> None:
        wav = bytearray(entries[WAV])
        wav[len(wav) // 2] ^= 0x01
        entries[WAV] = bytes(wav)

    return _rewritten(coach, out, change)


def _changed_line(coach: Coach, out: Path) -> Path:
    def change(entries: dict[str, bytes]) -> None:
        entries[PRACTICE] = entries[PRACTICE].replace(OLD_4.encode(), b"Moet het weg?")

    return _rewritten(coach, out, change)


def _another_signer(coach: Coach, out: Path) -> Path:
    other = out.parent / "other.key"
    assert cli(out.parent, "pack", "key", str(other)).returncode == 0
    meta = coach.content / "pack.yaml"
    folder = out.parent / "copy"
    shutil.copytree(coach.content, folder)
    (folder / "pack.yaml").write_text(meta.read_text("utf-8").replace("1.0", "1.1"), "utf-8")
    done = cli(out.parent, "pack", "build", str(folder), "--key", str(other), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _parent_entry(coach: Coach, out: Path) -> Path:
    return _rewritten(coach, out, extra=[(_info(f"../../{OUTSIDE}"), b"say: gotcha\n")])


def _symlink_entry(coach: Coach, out: Path) -> Path:
    link = _info("recordings/vragen.questions.5.wav", stat.S_IFLNK | 0o777)
    return _rewritten(coach, out, extra=[(link, str(out.parent / OUTSIDE).encode())])


def _size_bomb(coach: Coach, out: Path) -> Path:
    _rewritten(coach, out)
    with zipfile.ZipFile(out, "a") as archive:
        info = _info("recordings/vragen.questions.5.wav")
        with archive.open(info, "w") as entry:
            for _ in range(256):
                entry.write(bytes(1 << 20))
    assert out.stat().st_size < 1 << 20
    return out


TAMPERED = {
    "a changed byte in a recording": (_changed_byte, f"'{WAV}' differs from what was signed"),
    "a changed line": (_changed_line, f"'{PRACTICE}' differs from what was signed"),
    "another signer": (_another_signer, "but 'jacqueline' was signed with the key"),
    "a ../ entry": (_parent_entry, "leads out of the pack's folder"),
    "a symlink entry": (_symlink_entry, "is a link"),
    "a size bomb": (_size_bomb, "more than the 67.1 MB a file may be"),
}


def _snapshot(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = "-> " + str(path.readlink())
        elif path.is_dir():
            found[name] = "folder"
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_pack_is_refused_with_one_line_exit_2_and_nothing_written(coach, tmp_path, case):
    make, reason = TAMPERED[case]
    work = tmp_path / "work"
    work.mkdir()
    tampered = make(coach, work / "tampered.zip")
    home = coach.installed_home(tmp_path / "client")
    before = _snapshot(home)
    # The other coach's key given too: a name her key signed stays hers.
    trusted = work / "other.key.pub" if case == "another signer" else coach.public
    done = cli(home, "pack", "install", str(tampered), "--trust", str(trusted))
    assert done.returncode == 2, done.stdout
    assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("hartsverbinding: tampered.zip was not installed: ")
    assert reason in done.stderr
    assert _snapshot(home) == before
    assert not any(path.name == OUTSIDE for path in tmp_path.rglob("*"))
    if case != "another signer":  # a first install refused writes nothing at all
        fresh = tmp_path / "fresh"
        again = cli(fresh, "pack", "install", str(tampered), "--trust", str(coach.public))
        assert again.returncode == 2 and again.stderr.count("\n") == 1
        assert not (fresh / "data").exists()


# --- an update that rewords question 4 ------------------------------------------------------------


def _reworded(coach: Coach, folder: Path) -> Path:
    """Version 1.1: question 4 reworded and recorded again, with many lines recorded (so its
    install takes long enough to be killed in the middle)."""
    shutil.copytree(coach.content, folder)
    practice = folder / PRACTICE
    text = practice.read_text("utf-8")
    assert f"  - {OLD_4}\n" in text
    practice.write_text(text.replace(f"  - {OLD_4}\n", f"  - {NEW_4}\n"), "utf-8")
    meta = folder / "pack.yaml"
    meta.write_text(meta.read_text("utf-8").replace("version: 1.0", "version: 1.1"), "utf-8")
    keys = [line.key for line in recordable_lines(load_content(folder))]
    record_lines(folder, [key for key in keys if key not in RECORDED][:40])
    return folder


def _killed_while_unpacking(home: Path, pack: Path, public: Path) -> None:
    """`pack install` killed with SIGKILL as soon as its staging folder is there."""
    packs = packs_of(home)
    env = dict(os.environ, **home_env(home))
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "pack", "install", str(pack), "--trust", str(public)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while not any(packs.glob(".partial-jacqueline-*")):
        assert process.poll() is None, "the install ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.0005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL


def test_an_update_rewording_question_4_survives_a_kill_and_old_answers_keep_their_words(
    coach, tmp_path
):
    home = coach.installed_home(tmp_path / "client")
    journal = home / "data" / "hartsverbinding" / "journal"
    first = cli(home, "vragen", "--text", stdin=answers_script(10) + "nee\n")
    assert first.returncode == 0, first.stderr
    assert f"Vraag 4 van 10. {OLD_4}" in first.stdout

    folder = _reworded(coach, tmp_path / "coach-1.1")
    new = tmp_path / "1.1.zip"
    built = cli(home, "pack", "build", str(folder), "--key", str(coach.key), "--out", str(new))
    assert built.returncode == 0, built.stderr

    _killed_while_unpacking(home, new, coach.public)
    assert verify_installed(packs_of(home), "jacqueline").version == "1.0"  # whole, as signed
    listed = cli(home, "pack", "list")
    assert listed.stdout.startswith("jacqueline 1.0 (nl)"), listed.stdout
    still = cli(home, "vragen", "--text", stdin="volgende\n" * 3 + "stop\n")
    assert still.returncode == 0 and f"Vraag 4 van 10. {OLD_4}" in still.stdout

    updated = cli(home, "pack", "install", str(new), "--trust", str(coach.public))
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.splitlines()[:2] == [
        "jacqueline updated from 1.0 to 1.1, signed by Jacqueline Verhaegh.",
        f'reworded vragen.questions.4: "Vraag 4 van 10. {OLD_4}" is now "Vraag 4 van 10. {NEW_4}"',
    ]
    assert "new recordings: " in updated.stdout
    assert [p.name for p in packs_of(home).iterdir() if p.name.startswith(".partial")] == []

    # The earlier answer keeps the words it answered: in the journal, its page, the look-back.
    question = cli(home, "journal", "question", "4")
    assert question.stdout.splitlines()[0] == f"Question 4 of vragen: {NEW_4}"
    assert f"  asked as: {OLD_4}" in question.stdout
    assert "Mijn antwoord op vraag 4" in question.stdout
    read = cli(home, "journal", "read")
    assert f"## 4. {OLD_4}\n\nMijn antwoord op vraag 4" in read.stdout
    exported = cli(home, "journal", "export", str(tmp_path / "export"), "--html")
    assert exported.returncode == 0, exported.stderr
    page = (tmp_path / "export" / "journal.html").read_text("utf-8")
    assert OLD_4 in page and NEW_4 not in page
    looked = cli(
        home, "vragen", "--text", stdin="volgende\n" * 3 + "wat zei ik de vorige keer\nstop\n"
    )
    assert looked.returncode == 0, looked.stderr
    assert f"was de vraag: {OLD_4} Je zei: Mijn antwoord op vraag 4" in looked.stdout
    assert f"Vraag 4 van 10. {NEW_4}" in looked.stdout
    sessions = sorted(journal.glob("*.md"))
    assert "pack:\n  name: jacqueline\n  version: '1.0'\n" in sessions[0].read_text("utf-8")
    assert "pack:\n  name: jacqueline\n  version: '1.1'\n" in sessions[-1].read_text("utf-8")


# --- two packs: chosen by voice in the menu -------------------------------------------------------


def test_with_two_packs_the_menu_offers_the_other_by_name_and_it_speaks_from_then_on(
    coach, tmp_path
):
    home = coach.installed_home(tmp_path / "client")
    other = coach_content(tmp_path / "kort", name="jacqueline-kort")
    welcome = other / "assistant.yaml"
    text = welcome.read_text("utf-8")
    assert "  welcome: " in text
    welcome.write_text(text.replace("  welcome: ", "  welcome: Dit is de korte versie. ", 1))
    built = cli(
        home,
        "pack",
        "build",
        str(other),
        "--key",
        str(coach.key),
        "--out",
        str(tmp_path / "kort.zip"),
    )
    assert built.returncode == 0, built.stderr
    assert cli(home, "pack", "install", str(tmp_path / "kort.zip")).returncode == 0  # key known
    assert cli(home, "pack", "use", "jacqueline").returncode == 0

    done = cli(home, "--text", stdin="kies jacqueline kort\nstop\n")
    assert done.returncode == 0, done.stderr
    said = done.stdout
    offer = (
        "Je kunt ook een andere coach kiezen: zeg kies jacqueline kort. Er zijn: jacqueline kort."
    )
    assert offer in said
    assert "Dit is de korte versie." not in said[: said.index(offer)]
    switched = said.index("Goed, vanaf nu spreekt jacqueline kort.")
    assert "Dit is de korte versie." in said[switched:]
    listed = cli(home, "pack", "list").stdout.splitlines()
    assert next(line for line in listed if "[speaks]" in line).startswith("jacqueline-kort 1.0")
    alone = cli(tmp_path / "one", "pack", "install", str(coach.pack), "--trust", str(coach.public))
    assert alone.returncode == 0
    one = cli(tmp_path / "one", "--text", stdin="stop\n")
    assert "andere coach" not in one.stdout  # one pack: nothing else changes


# --- from an address ------------------------------------------------------------------------------


class Serving(BaseHTTPRequestHandler):
    """The coach's web site: her pack at /jacqueline-1.0.zip."""

    pack: ClassVar[bytes] = b""

    def do_GET(self) -> None:
        if self.path != "/jacqueline-1.0.zip":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(Serving.pack)))
        self.end_headers()
        self.wfile.write(Serving.pack)

    def log_message(self, *_args: object) -> None:
        pass


def test_a_pack_is_installed_from_an_address_with_progress_and_only_from_https(coach, tmp_path):
    Serving.pack = coach.pack.read_bytes()
    home = tmp_path / "client"
    with http_server(Serving) as url:  # on this machine: http is allowed there, for previews
        done = cli(
            home, "pack", "install", f"{url}/jacqueline-1.0.zip", "--trust", str(coach.public)
        )
        missing = cli(home, "pack", "install", f"{url}/other.zip", "--trust", str(coach.public))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("jacqueline 1.0 installed, signed by Jacqueline Verhaegh")
    assert "100%" in done.stderr  # the progress bar
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "404" in missing.stderr
    assert [p.name for p in packs_of(home).iterdir()] == ["jacqueline"]  # no download left
    plain = cli(tmp_path / "other", "pack", "install", "http://example.org/jacqueline-1.0.zip")
    assert plain.returncode == 2
    assert plain.stderr == (
        "hartsverbinding: http://example.org/jacqueline-1.0.zip: a pack is installed from a "
        "file or an https:// address.\n"
    )
    assert not (tmp_path / "other" / "data").exists()


# --- doctor and pack list -------------------------------------------------------------------------


def test_doctor_and_list_show_versions_signers_stale_recordings_and_damage(
    coach, tmp_path, monkeypatch
):
    home = tmp_path / "client"
    stale = tmp_path / "stale"
    shutil.copytree(coach.content, stale)
    practice = stale / "practices" / "10-oefening-hartsverbinding.yaml"
    text = practice.read_text("utf-8")
    assert "  We beginnen met de oefening" in text
    practice.write_text(text.replace("We beginnen met", "We beginnen nu met", 1), "utf-8")
    built = cli(
        home, "pack", "build", str(stale), "--key", str(coach.key), "--out", str(tmp_path / "s.zip")
    )
    assert built.returncode == 0, built.stderr
    assert "stale: oefening.intro" in built.stderr
    assert (
        cli(
            home, "pack", "install", str(tmp_path / "s.zip"), "--trust", str(coach.public)
        ).returncode
        == 0
    )
    listed = cli(home, "pack", "list")
    assert "oefening.intro is stale" in listed.stdout

    for name, value in home_env(home).items():
        monkeypatch.setenv(name, value)
    check = setup_checks.packs()
    assert not check.ok and "jacqueline 1.0 (nl) by Jacqueline Verhaegh" in check.detail
    assert "oefening.intro is stale" in check.detail
    texts = pack_folder(packs_of(home), "jacqueline") / "texts.yaml"
    texts.write_text(texts.read_text("utf-8") + "\n", "utf-8")
    damaged = setup_checks.packs()
    assert "'texts.yaml' differs from what was signed" in damaged.detail
    assert damaged.fix.startswith("Install the pack again")


def test_use_and_remove(coach, tmp_path):
    home = coach.installed_home(tmp_path / "client")
    unknown = cli(home, "pack", "use", "ander")
    assert unknown.returncode == 2 and "No pack named 'ander' is installed" in unknown.stderr
    used = cli(home, "pack", "use", "jacqueline")
    assert used.returncode == 0 and used.stdout.startswith("jacqueline speaks from now on")
    assert (packs_of(home) / ".in-use").read_text("utf-8") == "jacqueline\n"
    removed = cli(home, "pack", "remove", "jacqueline")
    assert removed.returncode == 0 and removed.stdout == "jacqueline is removed.\n"
    assert list(packs_of(home).iterdir()) == []
    assert "jacqueline" in (home / "data" / "hartsverbinding" / "trust.yaml").read_text("utf-8")
    listed = cli(home, "pack", "list")
    assert listed.stdout.startswith("No packs are installed")
    again = cli(home, "pack", "remove", "jacqueline")
    assert again.returncode == 2 and again.stderr.count("\n") == 1


@pytest.mark.parametrize(("answer", "status"), [("y", 0), ("n", 2)])
def test_at_a_terminal_the_first_install_of_a_key_asks_whether_to_trust_it(
    coach, tmp_path, answer, status
):
    home = tmp_path / "client"
    controller, terminal = os.openpty()
    try:
        os.write(controller, f"{answer}\n".encode())
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "pack", "install", str(coach.pack)],
            stdin=terminal,
            capture_output=True,
            text=True,
            env=dict(os.environ, **home_env(home)),
            cwd=ROOT,
            timeout=120,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == status, done.stderr
    assert "is signed by Jacqueline Verhaegh (https://jacquelineverhaegh.nl)" in done.stderr
    assert "Trust this key? [y/N]" in done.stderr
    installed = packs_of(home).is_dir() and "jacqueline" in os.listdir(packs_of(home))
    assert installed == (status == 0)
    if status:
        assert "you did not trust its signer's key" in done.stderr
        assert not (home / "data").exists()
