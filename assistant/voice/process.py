"""The parent's handle on synthesis workers: one request at a time, each with a deadline.

A pyttsx3 line (RenderLine) is rendered by a fresh worker (see worker.py for why); the next
worker is started as soon as one is used, so it is warm by the time the next line comes. Every
other request (a Piper line, listing voices) leaves the worker in place for the next one. A
worker that misses its deadline or dies is killed and replaced; the request raises VoiceError
and the session goes on.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
import time
from typing import IO

from assistant.places import import_root
from assistant.voice.base import VoiceError
from assistant.voice.worker import RenderLine, Reply, Request, read_message, write_message

log = logging.getLogger(__name__)

DEFAULT_TARGET = "assistant.voice.worker:serve"
_REAP_AFTER = 5.0  # seconds a finished worker gets to exit by itself before it is killed


class _Worker:
    def __init__(self, target: str) -> None:
        env = dict(os.environ)
        # The worker imports this very code, wherever it was started from.
        paths = [str(import_root()), *filter(None, [env.get("PYTHONPATH")])]
        env["PYTHONPATH"] = os.pathsep.join(paths)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.voice.worker", target],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,  # the replies; the worker's own prints go to /dev/null
            # The engine's own complaints (tracebacks from espeak callbacks) are not for the
            # user's terminal; failures come back as replies. Shown when debugging.
            stderr=None if log.isEnabledFor(logging.DEBUG) else subprocess.DEVNULL,
            env=env,
        )
        self.replies: queue.Queue[Reply | None] = queue.Queue()
        self.retired_at = 0.0
        # A thread reads the replies, so waiting for one can have a timeout on every platform.
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream: IO[bytes] | None = self.process.stdout
        try:
            while stream is not None:
                self.replies.put(read_message(stream))
        except (EOFError, OSError, ValueError):
            self.replies.put(None)  # the worker has gone

    def send(self, request: Request) -> None:
        assert self.process.stdin is not None
        write_message(self.process.stdin, request)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class WorkerProcess:
    def __init__(self, target: str = DEFAULT_TARGET) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._spare: _Worker | None = None
        self._retired: list[_Worker] = []
        self.starts = 0  # workers started: one per pyttsx3 line, plus replacements

    def call(self, request: Request, timeout: float) -> Reply:
        with self._lock:
            self._reap()
            worker = self._spare or self._start()
            self._spare = None
            try:
                worker.send(request)
                reply = worker.replies.get(timeout=timeout)
            except queue.Empty:
                worker.kill()
                self._spare = self._start()
                raise VoiceError(
                    f"speech synthesis took longer than {timeout:g} s; the worker was "
                    "stopped and replaced"
                ) from None
            except OSError as error:  # a broken pipe: it died before it could listen
                worker.kill()
                self._spare = self._start()
                raise VoiceError(f"the speech worker stopped unexpectedly ({error})") from None
            if reply is None:
                worker.kill()
                self._spare = self._start()
                raise VoiceError("the speech worker stopped unexpectedly")
            if isinstance(request, RenderLine):
                worker.retired_at = time.monotonic()
                self._retired.append(worker)
                self._spare = self._start()
            else:
                self._spare = worker
            return reply

    def close(self) -> None:
        with self._lock:
            workers = [*self._retired, *([self._spare] if self._spare else [])]
            self._retired, self._spare = [], None
            for worker in workers:
                worker.kill()

    def _start(self) -> _Worker:
        self.starts += 1
        return _Worker(self._target)

    def _reap(self) -> None:
        # Used workers exit by themselves; collect them, and kill one that lingers.
        still = []
        for worker in self._retired:
            lingering = time.monotonic() - worker.retired_at > _REAP_AFTER
            if worker.process.poll() is not None or lingering:
                worker.kill()
            else:
                still.append(worker)
        self._retired = still
