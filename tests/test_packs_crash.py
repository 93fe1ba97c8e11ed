"""An update killed with SIGKILL at many moments: a child process installs version 1.1 over
1.0 and is killed after a random delay. Whatever the moment, the pack folder then holds one
complete version exactly as signed (the old one until the switch, the new one after it), it
loads, and the next install finishes the update and clears what the killed one left.

What the killed install left on disk tells the moment the kill landed (still unpacking,
unpacked but not switched, switched but the old version not yet removed...); the test proves
the kills landed at several different ones.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.content import load_content
from assistant.dialog.lines import recordable_lines
from assistant.packs import TrustStore, build_pack, install_pack, make_key, verify_installed
from assistant.packs.installed import CURRENT, pack_folder
from tests.helpers import ROOT, coach_content, record_lines

KILLS = 30
NAME = "jacqueline"
CHILD = """
import sys, time
from pathlib import Path
from assistant.packs import TrustStore, install_pack
pack, packs, trust = (Path(arg) for arg in sys.argv[1:4])
print("ready", flush=True)
start = time.monotonic()
install_pack(pack, packs, TrustStore(trust), lambda signer: False)
print(f"done {time.monotonic() - start:.3f}", flush=True)
"""


class Update:
    """Version 1.0 installed in `template` (packs/ and trust.yaml), and the 1.1 pack file."""

    def __init__(self, root: Path) -> None:
        folder = coach_content(root / "coach")
        lines = [line.key for line in recordable_lines(load_content(folder))]
        record_lines(folder, lines[:40])  # enough recordings for the install to take a while
        key = root / "coach.key"
        make_key(key)
        self.template = root / "template"
        old = build_pack(folder, key, root / "1.0.zip").path
        install_pack(old, self.template / "packs", self.trust(self.template), lambda s: True)
        practice = folder / "practices" / "20-vragen-zelfcompassie.yaml"
        practice.write_text(
            practice.read_text("utf-8").replace(
                "Mag het er zijn?", "Mag het er zijn, zoals het is?"
            )
        )
        meta = folder / "pack.yaml"
        meta.write_text(meta.read_text("utf-8").replace("version: 1.0", "version: 1.1"))
        self.pack = build_pack(folder, key, root / "1.1.zip").path

    @staticmethod
    def trust(home: Path) -> TrustStore:
        return TrustStore(home / "trust.yaml")

    def fresh_home(self, home: Path) -> Path:
        shutil.copytree(self.template, home, symlinks=True)
        return home

    def start(self, home: Path) -> subprocess.Popen[str]:
        """The child installing 1.1 into `home`, once it is ready to begin."""
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                str(self.pack),
                str(home / "packs"),
                str(home / "trust.yaml"),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert process.stdout and process.stdout.readline() == "ready\n"
        return process


def _moment(packs: Path) -> str:
    """Where the killed install had got to, read from what it left."""
    home = packs / NAME
    if os.readlink(home / CURRENT).startswith("1.0-"):
        if any(packs.glob(".partial-*")):
            return "unpacking"
        return "unpacked, not switched" if any(home.glob("1.1-*")) else "not started"
    return "switched, old not removed" if any(home.glob("1.0-*")) else "finished"


def _killed_update(update: Update, home: Path, delay: float) -> tuple[str, str]:
    """Kill the child `delay` s into its install; return the moment and the version in use."""
    process = update.start(update.fresh_home(home))
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    packs = home / "packs"
    moment = _moment(packs)
    manifest = verify_installed(packs, NAME)  # every file of the version in use, as signed
    content = load_content(pack_folder(packs, NAME))
    question = content.practices[1].questions[3]
    expected = "Mag het er zijn?" if manifest.version == "1.0" else "Mag het er zijn, zoals het is?"
    assert question == expected, (home, moment)
    # The next install finishes the update and clears what the killed one left.
    install_pack(update.pack, packs, update.trust(home), lambda signer: False)
    assert sorted(path.name for path in packs.iterdir()) == [NAME], home
    [version, link] = sorted(path.name for path in (packs / NAME).iterdir())
    assert version.startswith("1.1-") and link == CURRENT, home
    return moment, manifest.version


@pytest.fixture(scope="module")
def update(tmp_path_factory: pytest.TempPathFactory) -> Update:
    return Update(tmp_path_factory.mktemp("update"))


def test_an_update_killed_at_many_moments_leaves_a_whole_version_that_loads(update, tmp_path):
    calibration = update.start(update.fresh_home(tmp_path / "calibration"))
    out, _ = calibration.communicate(timeout=60)
    assert calibration.returncode == 0 and out.startswith("done "), out
    seconds = float(out.split()[1])

    chooser = random.Random(20261202)
    # Spread evenly over the install and half as long again after it, each at a random point of
    # its share: every stretch of the install is hit, whatever its pace on this machine.
    span = seconds * 1.5
    delays = [(index + chooser.random()) * span / KILLS for index in range(KILLS)]
    homes = [tmp_path / f"run{index:02d}" for index in range(KILLS)]
    # One at a time, as the calibration ran: the install's pace is then the one measured.
    results = [
        _killed_update(update, home, delay) for home, delay in zip(homes, delays, strict=True)
    ]

    moments = {moment for moment, _ in results}
    versions = {version for _, version in results}
    assert versions == {"1.0", "1.1"}, results  # killed before the switch and after it
    assert len(moments) >= 3, sorted(moments)
