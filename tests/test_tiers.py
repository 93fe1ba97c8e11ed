"""The tiers (tests/tiers.py): every test has one, and a test marked pure that starts a process
is caught."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.helpers import ROOT
from tests.tiers import TIERS, pure_guard

pytestmark = pytest.mark.files  # it runs pytest, and a program


def test_every_test_has_a_tier():
    untiered = "not (" + " or ".join(TIERS) + ")"
    options = ["--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *options, "-m", untiered],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 5, done.stdout[-3000:] + done.stderr[-3000:]  # 5: none selected
    assert "no tests collected" in done.stdout and " deselected" in done.stdout, done.stdout


class _Marked:
    """Stands in for a collected test with these marks."""

    def __init__(self, *names: str) -> None:
        self.marks = [getattr(pytest.mark, name).mark for name in names]

    def iter_markers(self) -> Iterator[pytest.Mark]:
        return iter(self.marks)


def test_a_pure_test_that_starts_a_process_fails():
    caught = pytest.raises(pytest.fail.Exception, match="a pure test must not do this")
    with caught, pure_guard(_Marked("pure")):  # type: ignore[arg-type]
        subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_a_test_in_another_tier_may():
    with pure_guard(_Marked("files")):  # type: ignore[arg-type]
        subprocess.run([sys.executable, "-c", "pass"], check=True)
