"""Fakes for the listening tests: a microphone fed by hand and recognizers that react to
marked chunks, so VoiceInput's threading and half-duplex rules can be tested without audio.
And a command runner that records what the service would run on a machine with systemd."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Sequence

import numpy as np

from assistant.appliance.service import Ran
from assistant.audio import AudioChunk
from assistant.recognizer import ListenSettings, SpokenAnswer

RATE = 16000
SETTINGS = ListenSettings(holdoff=0.3)
MARK = 999  # a chunk of this value is "a command" or "the end of an answer" to the fakes


def numbered(value: int) -> AudioChunk:
    """100 ms of audio whose every sample is `value`, so the fakes can tell chunks apart."""
    return AudioChunk(np.full(1600, value, dtype="<i2").tobytes(), RATE)


def number(chunk: AudioChunk) -> int:
    return int(chunk.array()[-1])


class LiveMicrophone:
    """A real-time source the test feeds by hand; it can be told to fail."""

    realtime = True
    rate = RATE
    ended = False
    overflows = 0

    def __init__(self) -> None:
        self.chunks: queue.Queue[AudioChunk] = queue.Queue()
        self.failures: list[Exception] = []
        self.starts = 0
        self.closes = 0

    def start(self) -> None:
        self.starts += 1

    def read(self, timeout: float) -> AudioChunk | None:
        if self.failures:
            raise self.failures.pop(0)
        try:
            return self.chunks.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.closes += 1

    def say(self, *values: int) -> None:
        for value in values:
            self.chunks.put(numbered(value))


class Commands:
    in_utterance = False  # a phrase is one chunk: its utterance is over at once

    def __init__(self) -> None:
        self.fed: list[int] = []
        self.resets = 0
        self.explode = False

    def feed(self, chunk: AudioChunk) -> str | None:
        if self.explode:
            self.explode = False
            raise RuntimeError("recognizer hiccup")
        self.fed.append(number(chunk))
        return "volgende" if number(chunk) == MARK else None

    def finish(self) -> str | None:
        return None

    def reset(self) -> None:
        self.resets += 1


class Answers:
    def __init__(self) -> None:
        self.fed: list[AudioChunk] = []

    def feed(self, chunk: AudioChunk) -> SpokenAnswer | None:
        self.fed.append(chunk)
        return self.finish() if number(chunk) == MARK else None

    def finish(self) -> SpokenAnswer:
        audio = AudioChunk(b"".join(c.samples for c in self.fed), RATE)
        answer = SpokenAnswer(f"{len(self.fed)} chunks", audio, "silence", True)
        self.fed = []
        return answer

    def reset(self) -> None:
        self.fed = []


def wait_for(condition: Callable[[], bool], seconds: float = 5.0, what: str = "") -> None:
    """Poll `condition` until it holds; fail after `seconds`, naming `what` was awaited."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.01)


class RecordingRunner:
    """Records every command; answers from `replies` (by the command's words), else success."""

    def __init__(self, replies: dict[str, Ran] | None = None) -> None:
        self.commands: list[list[str]] = []
        self.replies = replies or {}

    def run(self, command: Sequence[str]) -> Ran:
        self.commands.append(list(command))
        return self.replies.get(" ".join(command), Ran(0, "", ""))
