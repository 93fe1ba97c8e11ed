"""The README's commands, from a clean clone: the two lines a newcomer runs first."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.programs import need_program

pytestmark = pytest.mark.files

IN_CLONE = "HARTSVERBINDING_CLEAN_CLONE"


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert block, "the README opens with a shell block"
    return [line.split("#")[0].strip() for line in block.group(1).strip().splitlines()]


def test_the_readme_opens_with_a_practice_command_and_a_test_command():
    practice, test = readme_commands()
    assert practice == "bash scripts/practice" and test == "bash scripts/test"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test" in ci


@pytest.mark.skipif(os.environ.get(IN_CLONE) == "1", reason="already inside the clone test")
@pytest.mark.slow
def test_the_readme_test_command_passes_from_a_clean_clone(tmp_path):
    """Clones what is committed, and runs the README's test command there (which sets up its
    own .venv and checks ruff and mypy), limited to a quick part of the suite."""
    need_program("git")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    # the clone needs ../shared beside it, as CI has it
    shared = ROOT.parent / "shared"
    if shared.exists():
        (tmp_path / "shared").symlink_to(shared)
    _, test = readme_commands()
    env = dict(os.environ, **{IN_CLONE: "1"})
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        f"{test} tests/test_content.py tests/test_clean_clone.py -q",
        shell=True,
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"\d+ passed", done.stdout), done.stdout[-2000:]
    assert Path(clone / ".venv" / "bin" / "hartsverbinding").exists()
