"""Crash safety: real sessions killed with SIGKILL at many random moments.

The dialog asks question N+1 only after answer N is on disk, so every "Vraag N+1" line the killed
process printed proves an answer that must be in the journal. After each kill the journal must
parse, hold those answers, and the next start must clean up any temporary file and offer to
resume.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.journal.markdown import Labels
from assistant.journal.store import Journal
from tests.helpers import Captions, start_session

pytestmark = pytest.mark.files

KILLS = 100
QUESTION = re.compile(r"^Vraag (\d+) van 10\.")


def _feed(process: subprocess.Popen[str], stop: threading.Event) -> None:
    assert process.stdin
    try:
        for number in range(1, 11):
            for line in (f"antwoord {number}\n", "ja\n"):
                if stop.wait(0.01):
                    return
                process.stdin.write(line)
                process.stdin.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass


def _one_killed_session(folder: Path, delay: float) -> tuple[int, str]:
    """Run a session, kill it `delay` seconds after the first question; return the highest
    question number it had asked and what it printed."""
    process = start_session("vragen", "--text", "--pace", "0", "--journal", str(folder))
    captions = Captions(process)
    captions.wait_for(QUESTION.pattern, 30)
    stop = threading.Event()
    feeder = threading.Thread(target=_feed, args=(process, stop), daemon=True)
    feeder.start()
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    stop.set()
    captions.join()
    asked = [int(m[1]) for line in captions.lines if (m := QUESTION.match(line))]
    return max(asked, default=0), captions.text()


@pytest.mark.slow
def test_a_hundred_kills_at_random_moments_lose_no_confirmed_answer(tmp_path, content):
    chooser = random.Random(20261125)
    delays = [chooser.uniform(0.0, 0.5) for _ in range(KILLS)]
    folders = [tmp_path / f"run{index:03d}" for index in range(KILLS)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_one_killed_session, folders, delays))

    labels = Labels(**content.journal)
    moments = set()
    for folder, (asked, printed) in zip(folders, results, strict=True):
        confirmed_before_kill = asked - 1 if "Tot een volgende keer" not in printed else 10
        moments.add(confirmed_before_kill)
        journal = Journal(folder, labels)  # the next start: cleans temp files
        leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
        assert leftovers == [], f"{folder}: temporary files left after the next start"
        records = journal.sessions()
        assert len(records) == len(list(folder.glob("*.md"))), f"{folder}: unreadable journal"
        if confirmed_before_kill == 0:
            continue
        assert len(records) == 1, folder
        confirmed = [a.number for a in records[0].answers if a.confirmed]
        assert confirmed[:confirmed_before_kill] == list(range(1, confirmed_before_kill + 1)), (
            f"{folder}: asked up to {asked}, journal has {confirmed}"
        )
        for answer in records[0].answers:
            assert answer.text == f"antwoord {answer.number}"
        if len(confirmed) < 10:
            point = journal.resume_point(content)
            assert point is not None and point.next_question == len(confirmed), folder
    # the kills really landed at many different moments of the session
    assert len(moments) >= 5, sorted(moments)
