"""Crash safety in voice mode: `vragen --mic answers.wav` sessions killed with SIGKILL.

The same promise as tests/test_crash_safety.py (whose 100 kills of text sessions this adds to),
now with everything voice mode writes: each answer's recording beside the journal entry, the
speech model and the voice workers running. The sessions run from a recording of real Dutch
speech with the one real model installable here; `--pace 0` reads the recording as fast as the
recognizer takes it, so a whole session lasts seconds and the kills land all over it: while
the model loads, while an answer is dictated, during the read-back, between the audio and the
Markdown of one answer.

"Vraag N+1 van 10." is printed only after answer N was confirmed and written, so the captions
the killed process printed prove which answers must be in the journal. After each kill: the
journal parses, every recording is a readable private WAV, the next start (the real command
line) removes any temporary file and offers to resume where the journal says.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from assistant.audio import read_wav
from assistant.content import Content, load_content
from assistant.durable import TEMP_MARK
from assistant.journal.markdown import Labels
from assistant.journal.store import Journal
from tests.helpers import ROOT, answers_recording, korean_yes_content, require_espeak, run_cli

pytestmark = [pytest.mark.files, pytest.mark.vosk, pytest.mark.voice]

KILLS = 20  # with the 100 text-mode kills of tests/test_crash_safety.py: 120 in the run
STARTUP_KILLS = 3  # of them, while the model loads
PARALLEL = 2
# An answer ends after this much silence (2.5 s by default): with the shortest clips and silences
# just long enough, the recording lasts about 60 s instead of 95, and each of the 21 sessions
# decodes that much less (as bench/soak.py does).
ANSWER_SILENCE = 1.0
QUESTION = re.compile(r"^Vraag (\d+) van 10\.")
ALL_ANSWERED = "Dat waren de tien vragen."  # the outro: said once answer 10 is on disk


@dataclass(frozen=True)
class Setup:
    recording: Path
    content_dir: Path
    content: Content
    model: Path
    config: Path  # sets answer_silence
    cache: Path  # the voice cache, warmed by the first (unkilled) session
    lines: int  # how many lines that session printed from its first question on


def _command(setup: Setup, folder: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "assistant",
        "vragen",
        "--mic",
        str(setup.recording),
        "--pace",
        "0",
        "--model",
        str(setup.model),
        "--config",
        str(setup.config),
        "--content",
        str(setup.content_dir),
        "--journal",
        str(folder / "journal"),
        "--speaker",
        str(folder / "out.wav"),
    ]


def _start(setup: Setup, folder: Path) -> subprocess.Popen[str]:
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        _command(setup, folder),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONUNBUFFERED="1", XDG_CACHE_HOME=str(setup.cache)),
        start_new_session=True,  # its own process group: the voice workers go down with it
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory, ko_model_dir) -> Setup:
    """The recording, the content in which the Korean word means "ja", and one whole session
    that is not killed: it proves the recording answers all ten questions, warms the voice
    cache, and says how long a session lasts, so the kills can be spread over all of it."""
    require_espeak()
    folder = tmp_path_factory.mktemp("voice-kill")
    recording = answers_recording(folder, answer_silence=ANSWER_SILENCE)
    content_dir = korean_yes_content(folder)
    config = folder / "config.yaml"
    config.write_text(f"answer_silence: {ANSWER_SILENCE}\n", encoding="utf-8")
    setup = Setup(
        recording, content_dir, load_content(content_dir), ko_model_dir, config, folder / "cache", 0
    )
    process = _start(setup, folder / "whole")
    assert process.stdout
    printed = process.stdout.readlines()
    assert process.wait(300) == 0
    first = next(i for i, line in enumerate(printed) if QUESTION.match(line))
    records = Journal(folder / "whole" / "journal", _labels(setup.content)).sessions()
    assert len(records) == 1 and records[0].finished
    assert [a.number for a in records[0].answers if a.confirmed] == list(range(1, 11))
    return replace(setup, lines=len(printed) - first)


def _labels(content: Content) -> Labels:
    return Labels(**content.journal)


@dataclass(frozen=True)
class Killed:
    folder: Path
    asked: int  # the highest question number printed before the kill
    all_answered: bool  # the outro was printed: all ten answers were confirmed
    printed: str


@dataclass(frozen=True)
class Moment:
    """When to kill: `delay` seconds after the session printed line `line` counted from its
    first question (line 0: `delay` seconds after it was started). Counting lines rather than
    seconds spreads the kills over the whole session however busy the machine is."""

    line: int
    delay: float


def _one_killed_session(setup: Setup, folder: Path, moment: Moment) -> Killed:
    process = _start(setup, folder)
    lines: list[str] = []
    since_first = 0
    reached = threading.Event()
    if moment.line == 0:
        reached.set()

    def read() -> None:
        nonlocal since_first
        assert process.stdout
        for line in process.stdout:
            lines.append(line)
            if since_first or QUESTION.match(line):
                since_first += 1
            if since_first >= moment.line:
                reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        reached.wait(120)
        time.sleep(moment.delay)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # a voice worker started ahead, if any
    reader.join(10)
    printed = "".join(lines)
    asked = [int(m[1]) for line in lines if (m := QUESTION.match(line))]
    return Killed(folder, max(asked, default=0), ALL_ANSWERED in printed, printed)


def _private(path: Path) -> bool:
    return (path.stat().st_mode & 0o777) == 0o600


def _check(setup: Setup, killed: Killed) -> tuple[int, int]:
    """Everything the issue promises about one killed session; returns how many answers were
    confirmed on disk and how many temporary files the kill left."""
    journal_dir = killed.folder / "journal"
    confirmed_before_kill = 10 if killed.all_answered else max(0, killed.asked - 1)
    if not journal_dir.exists():  # killed before the journal folder was made
        assert confirmed_before_kill == 0, killed.printed
        return 0, 0

    # The files as the kill left them: whole, private, readable; temp files are allowed.
    assert (journal_dir.stat().st_mode & 0o777) == 0o700
    temporary = [p for p in journal_dir.iterdir() if TEMP_MARK in p.name]
    for path in journal_dir.iterdir():
        if TEMP_MARK in path.name:
            continue
        assert _private(path), path
        if path.suffix == ".wav":
            assert read_wav(path).seconds > 0.5, path  # an answer's recording, all of it

    # The next start: the real command line, in text mode (no model to load), no practice
    # chosen (so it starts no journal file of its own) and no input: it makes its offer, ends.
    again = run_cli(
        "--text",
        "--pace",
        "0",
        "--content",
        str(setup.content_dir),
        "--journal",
        str(journal_dir),
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    leftovers = [p.name for p in journal_dir.iterdir() if TEMP_MARK in p.name]
    assert leftovers == [], f"{journal_dir}: temporary files left after the next start"

    journal = Journal(journal_dir, _labels(setup.content))
    records = journal.sessions()
    assert len(records) == len(list(journal_dir.glob("*.md"))), f"{journal_dir}: unreadable"
    if confirmed_before_kill == 0 and not records:
        return 0, len(temporary)
    assert len(records) == 1, journal_dir
    record = records[0]
    confirmed = [a.number for a in record.answers if a.confirmed]
    assert confirmed == list(range(1, len(confirmed) + 1)), confirmed
    assert len(confirmed) >= confirmed_before_kill, (
        f"{journal_dir}: asked up to {killed.asked} before the kill, journal has {confirmed}"
    )
    for answer in record.answers:
        if answer.recording:  # the audio is written before the Markdown that names it
            kept = journal_dir / answer.recording
            assert _private(kept) and read_wav(kept).seconds > 0.5, kept
    assert any(answer.recording for answer in record.answers) or not record.answers

    point = journal.resume_point(setup.content)
    if record.finished or len(confirmed) in (0, 10):
        assert point is None
        assert "De vorige keer" not in again.stdout
    else:
        assert point is not None and point.next_question == len(confirmed), journal_dir
        offer = f"De vorige keer ben je gestopt bij vraag {len(confirmed) + 1} van"
        assert offer in again.stdout, again.stdout
    return len(confirmed), len(temporary)


@pytest.mark.slow
def test_kills_at_random_moments_of_voice_sessions_lose_no_confirmed_answer(setup, tmp_path):
    chooser = random.Random(20261126)
    moments = [Moment(0, chooser.uniform(0.1, 1.2)) for _ in range(STARTUP_KILLS)]
    moments += [
        Moment(chooser.randint(1, setup.lines), chooser.uniform(0.0, 0.4))
        for _ in range(KILLS - STARTUP_KILLS)
    ]
    folders = [tmp_path / f"kill{index:02d}" for index in range(KILLS)]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        killed = list(pool.map(lambda f, m: _one_killed_session(setup, f, m), folders, moments))

    checked = [_check(setup, one) for one in killed]
    on_disk = [answers for answers, _ in checked]
    print(
        f"{KILLS} kills: questions asked {[one.asked for one in killed]}, "
        f"answers on disk {on_disk}, temporary files left {sum(t for _, t in checked)}"
    )
    # The kills really landed at many different moments of the session.
    asked = {one.asked for one in killed}
    assert len(asked) >= 5, sorted(asked)
    assert len(set(on_disk)) >= 4, on_disk
