"""The parent's handle on the synthesis worker: one request at a time, each with a deadline.

A worker that misses its deadline or dies is killed and forgotten; the next request starts a
fresh one. So a stuck synthesis costs one line, never the session.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from assistant.voice.base import VoiceError
from assistant.voice.worker import Reply, Request

WorkerTarget = Callable[[Connection], None]

# spawn, not fork: the parent has audio threads running, and a forked copy of them can deadlock.
_CONTEXT = multiprocessing.get_context("spawn")


class WorkerProcess:
    def __init__(self, target: WorkerTarget) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self.starts = 0  # how many workers were started: a restart shows up here

    def call(self, request: Request, timeout: float) -> Reply:
        with self._lock:
            conn = self._ensure_started()
            try:
                conn.send(request)
                if not conn.poll(timeout):
                    self._kill()
                    raise VoiceError(
                        f"speech synthesis took longer than {timeout:g} s; the worker was "
                        "stopped and will be replaced"
                    )
                reply: Reply = conn.recv()
            except (EOFError, OSError) as error:
                self._kill()
                raise VoiceError(f"the speech worker stopped unexpectedly ({error})") from None
            return reply

    def close(self) -> None:
        with self._lock:
            self._kill()

    def _ensure_started(self) -> Connection:
        if self._process is not None and self._conn is not None and self._process.is_alive():
            return self._conn
        self._kill()
        parent_end, child_end = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=self._target, args=(child_end,), name="hartsverbinding-voice", daemon=True
        )
        process.start()
        child_end.close()  # so the parent sees EOF as soon as the worker dies
        self._process, self._conn = process, parent_end
        self.starts += 1
        return parent_end

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)
            if process.exitcode is not None:  # close() refuses a process that still runs
                process.close()
