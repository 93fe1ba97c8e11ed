"""The programs the tests run, listed in scripts/test-programs, and the check at the start of
a test run that each one is on PATH.

A missing program is one line naming it, before any test runs: never sixteen tracebacks of
FileNotFoundError halfway through the run.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

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
