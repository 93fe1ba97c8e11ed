"""Tiers: what a test needs, as pytest markers, so a part of the suite can be run alone
(`pytest -m pure`, `pytest -m "not pulse and not browser"`), and the guard that keeps timed
tests right when the suite runs on every core (pytest-xdist).

Every test has at least one tier. A module says what its tests need with `pytestmark`; a
fixture that brings a resource adds its tier itself (FROM_FIXTURES), so using `pulse` is enough
to be in the `pulse` tier. `pure` means nothing else: a test in another tier is not pure, and a
pure test that starts a process or opens a socket fails, saying so.

The `slow` tests are put first, so that with several workers the longest ones start at once,
side by side, and the short ones fill in around them; the `timed` ones last, when what runs
beside them (and so what they wait for) is short.

A `timed` test asserts how long something took, or gives the machine a time limit (a voice
worker's one second, how often standby says it waits). Under xdist it runs while no other test does:
every test holds a shared lock on one file for its run, a timed test an exclusive one (a
turnstile lock in front lets a waiting timed test in before the next shared holder).
"""

from __future__ import annotations

import fcntl
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# Registered, each with what it means, in pyproject.toml's [tool.pytest.ini_options] markers.
TIERS = ("pure", "files", "voice", "pulse", "vosk", "whisper", "browser", "servers")
FROM_FIXTURES = {
    "tmp_path": "files",
    "tmpdir": "files",
    "pulse": "pulse",
    "portaudio_on_pulse": "pulse",
    "ko_model_dir": "vosk",
    "whisper_model_dir": "whisper",
    "stt_server": "servers",
    "tts_server": "servers",
}
TIMED = "timed"
# What a pure test must not do (audit events, sys.addaudithook).
NOT_PURE = (
    "subprocess.Popen",
    "os.system",
    "os.posix_spawn",
    "os.fork",
    "socket.connect",
    "socket.bind",
)


def tiers_of(item: pytest.Item) -> set[str]:
    return {mark.name for mark in item.iter_markers() if mark.name in TIERS}


def add_tiers(items: list[pytest.Item]) -> None:
    """Tiers from the fixtures each test uses; then every test must have one, and a pure test
    no other. Raises a usage error naming the tests that break this."""
    wrong = []
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for fixture, tier in FROM_FIXTURES.items():
            if fixture in fixtures:
                item.add_marker(tier)
        tiers = tiers_of(item)
        if not tiers:
            wrong.append(f"{item.nodeid}: no tier (mark it with one of {', '.join(TIERS)})")
        elif "pure" in tiers and len(tiers) > 1:
            others = ", ".join(sorted(tiers - {"pure"}))
            wrong.append(f"{item.nodeid}: marked pure, but needs {others}")
    if wrong:
        raise pytest.UsageError("Tiers (tests/tiers.py):\n" + "\n".join(wrong))


def slow_first_timed_last(items: list[pytest.Item]) -> None:
    def place(item: pytest.Item) -> int:
        if item.get_closest_marker(TIMED):
            return 2
        return 0 if item.get_closest_marker("slow") else 1

    items.sort(key=place)  # stable: in collection order otherwise


class _PureGuard:
    """Records what a running pure test does that a pure test must not."""

    def __init__(self) -> None:
        self.watching = False
        self.seen: list[str] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.watching and event in NOT_PURE:
            self.seen.append(f"{event}{args[:2]!r}")


_guard = _PureGuard()
sys.addaudithook(_guard)  # audit hooks cannot be removed: it watches only while told to


@contextmanager
def pure_guard(item: pytest.Item) -> Iterator[None]:
    if "pure" not in tiers_of(item):
        yield
        return
    _guard.watching, _guard.seen = True, []
    try:
        yield
    finally:
        _guard.watching = False
    if _guard.seen:
        pytest.fail(f"a pure test must not do this (give it its tier): {_guard.seen[0]}")


@contextmanager
def timed_guard(item: pytest.Item) -> Iterator[None]:
    """Under xdist: a timed test runs alone, the others share (see the module's docstring)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        yield
        return
    # The run's own temporary folder, shared by its workers (each has a folder in it).
    factory = getattr(item.config, "_tmp_path_factory", None)
    folder = factory.getbasetemp().parent if factory else Path(tempfile.gettempdir())
    exclusive = item.get_closest_marker(TIMED) is not None
    with (
        open(folder / f"hartsverbinding-tests-{run}.turnstile", "a") as turnstile,
        open(folder / f"hartsverbinding-tests-{run}.lock", "a") as lock,
    ):
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        if exclusive:
            fcntl.flock(lock, fcntl.LOCK_EX)
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        else:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
            fcntl.flock(lock, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
