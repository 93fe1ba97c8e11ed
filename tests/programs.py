"""The programs the tests run, listed in scripts/test-programs, and what a test run does when
one is missing.

`scripts/test` (and so CI) sets HARTSVERBINDING_REQUIRE_PROGRAMS=1: a missing program is then
one line naming it, before any test runs, never sixteen tracebacks of FileNotFoundError halfway
through the run. A plain `pytest tests/test_x.py` on a machine without, say, Chromium runs
every test that does not need it, and skips each one that does with a reason naming the program
(`need_program`, called where the tests run one).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE = "HARTSVERBINDING_REQUIRE_PROGRAMS"  # "1": every listed program, or no test runs
PROGRAM_LIST = Path(__file__).resolve().parents[1] / "scripts" / "test-programs"


@dataclass(frozen=True)
class Program:
    name: str  # as it is called, found on PATH
    package: str  # the Debian package that provides it


def listed_programs(path: Path = PROGRAM_LIST) -> list[Program]:
    """The programs of the list, in its order. Lines are `program package`; # starts a comment."""
    programs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2:
            raise ValueError(f"{path}:{number}: expected 'program package', found {line!r}")
        programs.append(Program(*words))
    return programs


def missing_programs(search_path: str | None = None, path: Path = PROGRAM_LIST) -> list[str]:
    """One line for each listed program that is not on `search_path` (default: $PATH)."""
    return [
        f"scripts/setup --dev does not install {program.name}"
        for program in listed_programs(path)
        if shutil.which(program.name, path=search_path) is None
    ]


def programs_required() -> bool:
    return os.environ.get(REQUIRE) == "1"


def need_program(*names: str) -> None:
    """Before a test runs these programs: skipped, naming the missing ones, unless every
    program is required (then the run did not start without them, and this fails)."""
    packages = {program.name: program.package for program in listed_programs()}
    assert set(names) <= set(packages), f"{names}: not all listed in {PROGRAM_LIST}"
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    reason = "needs " + ", ".join(
        f"{name} (Debian package {packages[name]}, installed by scripts/setup --dev)"
        for name in missing
    )
    if programs_required():
        pytest.fail(reason)
    pytest.skip(reason)
