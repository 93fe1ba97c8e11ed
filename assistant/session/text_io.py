"""Text mode: lines typed on standard input, the assistant's lines printed on standard output."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from typing import BinaryIO, TextIO

from assistant.dialog.messages import Cue, InputEnded, Notice, NoticeKind, OutputItem, Pause, Say
from assistant.preferences import Preferences
from assistant.session.ports import ListenMode, Utterance


class TextInput:
    """Reads lines in a thread so the runtime can wait for them with a timeout.

    Lines are read as bytes and decoded here: whatever arrives (another encoding, a broken
    terminal, binary junk) is kept, with what is not UTF-8 replaced by U+FFFD, and the person
    is told once per such line (INPUT_REPLACED) rather than the line being lost.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._lines: queue.Queue[Utterance | Notice | InputEnded] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: BinaryIO) -> None:
        try:
            for raw in stream:
                text, replaced = decode_line(raw)
                if replaced:
                    self._lines.put(Notice(NoticeKind.INPUT_REPLACED))
                self._lines.put(Utterance(text))
        except (OSError, ValueError):
            pass  # a closed stdin is the end of input, not a crash
        self._lines.put(InputEnded())

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
        pass


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
