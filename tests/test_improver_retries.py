"""The improver's patience: a worker that dies on one answer is restarted a few times, then that
answer keeps its text until the next start (on the pending list still); a recogniser that fails
for now is asked again after growing delays, from the short one again once it works; and
`journal improve` says a worker that ended for what it is, not as a server that is away.

The worker deaths are real: the worker process (Korean Vosk model as the better recogniser) is
killed with SIGKILL each time it starts, as the kernel's out-of-memory killer would on a small
Pi. The failing recogniser is a fake worker: the replies are what the delays depend on.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from assistant.audio import read_wav
from assistant.backoff import Backoff
from assistant.improve.improver import GIVE_UP_AFTER, Improver, Job
from assistant.improve.worker import Reply
from assistant.journal.markdown import Entry, Labels
from assistant.journal.pending import AnswerKey, PendingList
from assistant.journal.store import Journal
from tests.helpers import ROOT, human_clips

pytestmark = pytest.mark.files

KEY = AnswerKey("2026-12-03-090000", "zelfcompassie", 4)


class CountedBackoff(Backoff):
    """A Backoff that remembers every delay it gave."""

    def __init__(self, first: float, most: float) -> None:
        super().__init__(first, most)
        self.given: list[float] = []

    def delay(self) -> float:
        self.given.append(super().delay())
        return self.given[-1]


def _journal(folder: Path, content) -> Journal:
    return Journal(folder / "journal", Labels(**content.journal))


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds  # a hang check, not a measurement
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


@pytest.mark.vosk
def test_a_worker_that_dies_on_one_answer_is_given_up_for_this_run(
    tmp_path: Path, content, ko_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = _journal(tmp_path, content)
    improver = Improver(str(ko_model_dir), journal)
    killed: list[int] = []
    killing = threading.Event()
    killing.set()

    def kill_each_worker() -> None:
        while killing.is_set():
            pid = improver.worker.pid
            if pid is not None and pid not in killed:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.005)

    killer = threading.Thread(target=kill_each_worker, daemon=True)
    audio = read_wav(human_clips()[0].path)
    with caplog.at_level(logging.WARNING, logger="assistant.improve.improver"):
        killer.start()
        try:
            improver.submit(Job(KEY, heard="wat ik zei", audio=audio))
            assert _wait_until(lambda: improver.outstanding() == 0, 120), "never given up"
        finally:
            killing.clear()
            killer.join(5)
        given_up = [r for r in caplog.records if "ended 3 times" in r.getMessage()]
        assert len(killed) == GIVE_UP_AFTER and len(given_up) == 1, (killed, caplog.text)
        assert "wat ik zei" not in caplog.text  # the log names the answer, never its words
        assert PendingList(journal.files.pending_improvements).load() == [KEY]  # next start

        # Another answer: a new worker is started for it (not waited for: at nice 10 on a
        # busy test machine its transcript can take a minute).
        improver.submit(Job(AnswerKey(KEY.record_id, KEY.practice_id, 5), audio=audio))
        assert _wait_until(lambda: improver.worker.pid not in (None, *killed), 30)
    improver.close()


class FailingWorker:
    """A recogniser that fails for now (a server down) `failures` times, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def transcribe(self, audio: object) -> Reply:
        if self.failures:
            self.failures -= 1
            return Reply(ok=False, why="the server is down")
        return Reply(ok=True, text="beter", recognizer="fake")

    def close(self) -> None:
        pass


def test_a_failing_recogniser_is_asked_again_after_growing_delays(tmp_path: Path, content) -> None:
    delays = CountedBackoff(first=0.01, most=0.04)
    improver = Improver("whisper:base", _journal(tmp_path, content), retry=delays)
    improver.worker = FailingWorker(failures=4)  # type: ignore[assignment]
    audio = read_wav(human_clips()[0].path)
    done: list = []

    def finished() -> bool:
        done.extend(improver.take_done())
        return bool(done)

    improver.submit(Job(KEY, audio=audio))
    assert _wait_until(finished, 30)
    assert delays.given == [0.01, 0.02, 0.04, 0.04]  # doubling, up to the most
    improver.worker = FailingWorker(failures=1)  # type: ignore[assignment]
    improver.submit(Job(KEY, audio=audio))
    done.clear()
    assert _wait_until(finished, 30)
    assert delays.given[4:] == [0.01]  # it worked in between: from the short delay again
    improver.close()


def _children(pid: int) -> list[int]:
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat_file.parent.name))
    return found


@pytest.mark.vosk
def test_journal_improve_says_the_worker_ended_not_that_a_server_is_away(
    tmp_path: Path, content, ko_model_dir: Path
) -> None:
    """`journal improve` whose worker process is killed (as the out-of-memory killer would):
    one line that says so, exit status 2, the answer still waiting for the next run."""
    folder = tmp_path / "journal"
    journal = _journal(tmp_path, content)
    journal.start("vragen", datetime(2026, 11, 3, 14, 5))
    clip = read_wav(human_clips()[0].path)
    journal.save_answer(Entry("vragen", 1, "Waardoor lijd je?", "moe", True), clip)
    journal.finish(True, 60)
    journal.close()
    command = [sys.executable, "-m", "assistant", "journal", "improve", "--journal", str(folder)]
    process = subprocess.Popen(
        [*command, "--recognizer", str(ko_model_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    killed: list[int] = []
    try:
        while process.poll() is None:
            for pid in _children(process.pid):  # each worker, before its model is loaded
                if pid not in killed:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.01)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert len(killed) == GIVE_UP_AFTER, (killed, stderr)
    assert process.returncode == 2, stderr
    (message,) = [line for line in stderr.splitlines() if "improve" in line]
    assert "stopped in the middle of an answer" in message and "1 answer waits" in message
    assert "Traceback" not in stderr and "moe" not in stderr
    assert PendingList(journal.files.pending_improvements).load() != []  # for the next run
