"""Every program the tests run is in scripts/test-programs (which scripts/setup --dev installs);
where every program is required (scripts/test, CI) a test run with one of them missing stops at
once with one line naming it, elsewhere the tests that need it are skipped, naming it."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.programs import PROGRAM_LIST, REQUIRE, listed_programs, missing_programs

pytestmark = pytest.mark.files

RUNNERS = {"run", "Popen", "call", "check_call", "check_output"}


def programs_called(source: str) -> set[str]:
    """The programs a module runs: the first word of every literal command list given to
    subprocess (directly, or through a variable holding the list), and every shutil.which."""
    tree = ast.parse(source)
    commands: dict[str, set[str]] = {}  # variable -> first words of the lists assigned to it
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            words = _first_words(node.value, commands)
            if words:
                commands.setdefault(node.targets[0].id, set()).update(words)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if not node.args:
            continue
        owner = node.func.value
        module = owner.id if isinstance(owner, ast.Name) else ""
        if module == "subprocess" and node.func.attr in RUNNERS:
            found |= _first_words(node.args[0], commands)
        if module == "shutil" and node.func.attr == "which":
            found |= _first_words(ast.List([node.args[0]]), commands)
    return found


def _first_words(node: ast.expr, commands: dict[str, set[str]]) -> set[str]:
    if isinstance(node, ast.Name):
        return commands.get(node.id, set())
    if not isinstance(node, ast.List) or not node.elts:
        return set()
    first = node.elts[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return {first.value}
    if isinstance(first, ast.Starred):
        return _first_words(first.value, commands)
    return set()


def test_every_program_the_code_runs_is_listed() -> None:
    called: dict[str, set[str]] = {}
    for folder in ("tests", "bench", "assistant"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for program in programs_called(path.read_text(encoding="utf-8")):
                called.setdefault(program, set()).add(str(path.relative_to(ROOT)))
    # The scan sees what is known to be there: were it blind, the next assertion would pass.
    assert {"sox", "espeak-ng", "pulseaudio", "pactl", "paplay", "parec", "strace"} <= set(called)
    listed = {program.name for program in listed_programs()}
    unlisted = {program: files for program, files in called.items() if program not in listed}
    assert not unlisted, f"run by the code but missing from {PROGRAM_LIST}: {unlisted}"


def test_the_list_names_a_package_for_each_program_once() -> None:
    names = [program.name for program in listed_programs()]
    assert len(names) == len(set(names))
    assert {"systemd-analyze", "chromium", "cpulimit"} <= set(names)  # for the work to come


def _path_without(tmp_path: Path, hidden: str) -> str:
    """A PATH holding every listed program but `hidden` (links to the real ones)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for program in listed_programs():
        real = shutil.which(program.name)
        assert real, f"{program.name} is missing here: the run should have stopped at once"
        if program.name != hidden:
            (folder / program.name).symlink_to(real)
    return str(folder)


def _pytest_with_path(
    search_path: str,
    *tests: str,
    required: bool = True,
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=search_path)
    env.pop(REQUIRE, None)
    if required:
        env[REQUIRE] = "1"
    tests = tests or (
        "tests/test_programs.py::test_the_list_names_a_package_for_each_program_once",
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_run_without_sox_stops_at_once_with_one_line(tmp_path: Path) -> None:
    without_sox = _path_without(tmp_path, "sox")
    assert missing_programs(without_sox) == ["scripts/setup --dev does not install sox"]

    done = _pytest_with_path(without_sox)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines == ["ERROR: scripts/setup --dev does not install sox"], output
    assert "passed" not in output  # no test ran

    # The same run with sox back on the PATH gets past the check and runs its test.
    (tmp_path / "bin" / "sox").symlink_to(shutil.which("sox") or "sox")
    done = _pytest_with_path(without_sox)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_without_the_demand_a_missing_program_skips_the_tests_that_run_it(tmp_path: Path) -> None:
    """A contributor's plain `pytest tests/test_x.py`: the tests that need the missing program
    are skipped with a reason naming it; the others run."""
    without_sox = _path_without(tmp_path, "sox")
    done = _pytest_with_path(
        without_sox,
        "tests/test_audio_input_formats.py",
        "-k",
        "test_a_variant_reads_as_the_same and 24-bit",
        required=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "1 passed, 2 skipped" in output
    assert "needs sox (Debian package sox, installed by scripts/setup --dev)" in output


def test_two_missing_programs_are_two_lines(tmp_path: Path) -> None:
    listing = tmp_path / "programs"
    listing.write_text("# a comment\nsox sox\n\nno-such-program-a pkg-a\nno-such-program-b pkg-b\n")
    assert missing_programs(path=listing) == [
        "scripts/setup --dev does not install no-such-program-a",
        "scripts/setup --dev does not install no-such-program-b",
    ]
