"""Text mode: lines typed on standard input, the assistant's lines printed on standard output."""

from __future__ import annotations

import contextlib
import os
import queue
import selectors
import sys
import threading
import time
from collections.abc import Iterator
from typing import BinaryIO, TextIO

from assistant.dialog.messages import Cue, InputEnded, Notice, NoticeKind, OutputItem, Pause, Say
from assistant.hearing import ListenMode, Utterance
from assistant.preferences import Preferences


class TextInput:
    """Reads lines in a thread so the runtime can wait for them with a timeout.

    Lines are read as bytes and decoded here: whatever arrives (another encoding, a broken
    terminal, binary junk) is kept, with what is not UTF-8 replaced by U+FFFD, and the person
    is told once per such line (INPUT_REPLACED) rather than the line being lost. The end of
    input, or a closed or broken stdin, is InputEnded, never a crash.

    The thread never waits inside the stream's buffered reader: a thread still blocked there
    when the program ends aborts the interpreter ("Fatal Python error: _enter_buffered_busy",
    exit status 134, after every goodbye at a terminal). It reads the file descriptor itself
    (os.read, from where the stream stands: nothing may have read the stream before), waiting
    in a selector beside a wake-up pipe, so close() ends the thread and joins it. Where the
    descriptor cannot be waited on (Windows selects only sockets; epoll refuses a regular file,
    which never blocks) it reads the unbuffered stream beneath the buffer in a daemon thread,
    which close() leaves waiting in a system call: harmless at exit, as no lock is held there.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._lines: queue.Queue[Utterance | Notice | InputEnded] = queue.Queue()
        self._stream = stream  # held: its descriptor is closed when it is collected
        self._wake: tuple[int, int] | None = None
        selector = _selector(stream)
        if selector is not None:
            self._wake = os.pipe()
            selector.register(self._wake[0], selectors.EVENT_READ)
            chunks = _selected_chunks(selector, stream.fileno(), self._wake[0])
        else:
            chunks = _blocking_chunks(getattr(stream, "raw", stream))
        self._thread = threading.Thread(
            target=self._read, args=(chunks,), name="typed input", daemon=True
        )
        self._thread.start()

    def _read(self, chunks: Iterator[bytes]) -> None:
        pending = b""
        try:
            for chunk in chunks:
                *lines, pending = (pending + chunk).split(b"\n")
                for raw in lines:
                    self._put_line(raw)
        except (OSError, ValueError):
            pass  # a closed stdin is the end of input, not a crash
        if pending:
            self._put_line(pending)  # the last line, typed without a line ending
        self._lines.put(InputEnded())

    def _put_line(self, raw: bytes) -> None:
        text, replaced = decode_line(raw)
        if replaced:
            self._lines.put(Notice(NoticeKind.INPUT_REPLACED))
        self._lines.put(Utterance(text))

    def listen(self, mode: ListenMode) -> None:
        pass  # typed lines wait in the queue until the runtime asks for them

    def get(self, timeout: float) -> Utterance | Notice | InputEnded | None:
        try:
            item = self._lines.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if isinstance(item, InputEnded):
            self._lines.put(item)  # stays ended for every later call
        return item

    def close(self) -> None:
        """Wake the reading thread and wait for it to end; safe to call more than once."""
        if self._wake is None:
            return
        wake, self._wake = self._wake, None
        os.write(wake[1], b"x")
        self._thread.join()
        for end in wake:
            os.close(end)


_CHUNK = 65536


def _selector(stream: BinaryIO) -> selectors.BaseSelector | None:
    """A selector watching the stream's file descriptor, or None where it cannot be waited on."""
    if sys.platform == "win32":
        return None
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):  # in memory (io.BytesIO), or closed already
        return None
    selector = selectors.DefaultSelector()
    try:
        selector.register(descriptor, selectors.EVENT_READ)
    except (OSError, ValueError):  # a regular file under epoll, or a closed descriptor
        selector.close()
        return None
    return selector


def _selected_chunks(
    selector: selectors.BaseSelector, descriptor: int, wake: int
) -> Iterator[bytes]:
    """What arrives on `descriptor`, as it arrives, until its end or until `wake` becomes
    readable (first: a source that is always readable must not keep close() waiting)."""
    with selector:
        while True:
            if wake in {key.fd for key, _ in selector.select()}:
                return
            chunk = os.read(descriptor, _CHUNK)
            if not chunk:
                return
            yield chunk


def _blocking_chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def decode_line(raw: bytes) -> tuple[str, bool]:
    """One typed line as text without its line ending; True when some bytes were not UTF-8
    and were replaced."""
    raw = raw.rstrip(b"\r\n")
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def write_line(stream: TextIO, text: str) -> bool:
    """Print one line; False once the reader has gone (a closed pipe or terminal). The session
    goes on regardless: what the user says still reaches the journal."""
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        return False
    return True


class TextOutput:
    """Prints each line at once; a pause takes its real time scaled by `pace`."""

    def __init__(self, stream: TextIO, pace: float, *, personal: bool = True) -> None:
        self.stream = stream
        self.pace = pace
        # False where the output may end up in a log (standby without a voice): the lines
        # that carry the person's words are left out.
        self.personal = personal
        self._pauses = 1.0  # the person's *langzamer* / *sneller*
        self._until = 0.0
        self._stopped = threading.Event()

    def start(self, item: OutputItem) -> None:
        self._stopped.clear()
        if isinstance(item, Say):
            if self.personal or not item.personal:
                write_line(self.stream, item.text)
            self._until = 0.0
        elif isinstance(item, Pause):
            self._until = time.monotonic() + item.seconds * self.pace * self._pauses
        elif isinstance(item, Cue):
            self._until = 0.0

    def wait(self, timeout: float) -> bool:
        remaining = self._until - time.monotonic()
        if remaining <= 0:
            return True
        return self._stopped.wait(min(timeout, remaining)) or time.monotonic() >= self._until

    def stop(self) -> None:
        self._until = 0.0
        self._stopped.set()

    def adjust(self, preferences: Preferences) -> None:
        self._pauses = preferences.pauses  # printed words have no volume or speaking rate

    def take_notices(self) -> list[NoticeKind]:
        return []  # printing cannot fail in a way the user could be told about

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.stream.flush()
