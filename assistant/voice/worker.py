"""The synthesis worker: a process of its own that renders ONE line with pyttsx3, then exits.

Why a process per line: reusing a pyttsx3 engine with espeak-ng in one process is unreliable
(pyttsx3#126, #131, #219); measured here, a rate change usually applies one line late and files
are sometimes still empty when runAndWait returns. A fresh process has a fresh engine. It also
keeps pyttsx3's "Audio saved to ..." off the parent's stdout, and a hang can be killed from
outside. The parent keeps one worker started ahead, so a line never waits for a start-up.

The Piper worker (piper_worker.py) speaks the same protocol, but one process serves every line
of a session: Piper is not prone to hang, and loading its model takes a while.

Run as `python -m assistant.voice.worker [module:function]`; requests come on stdin, replies go
out on what was stdout. This module imports nothing heavy: it is what every worker loads.

A line never touches a disk here, because some lines carry the person's own words (an answer
read back). With espeak-ng (Linux, the Pi) the engine's WAV is written into memory: pyttsx3's
espeak driver writes it with `wave.open`, which takes a file object as well as a name. Other
engines (SAPI5 on Windows, NSSpeechSynthesizer on macOS) can only write to a named file: that
file goes into a private (0700) folder in RAM where there is one (`$XDG_RUNTIME_DIR`, else
`/dev/shm`; the system temp folder on macOS and Windows) and is deleted as soon as it is read.
The engine's volume is always full: the line is brought to the speech loudness
(assistant/voice/cache.py), and the listener's volume is applied as it is played
(assistant/speaker/volume.py).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import pickle
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# --- messages (plain picklable values) ---------------------------------------------------


@dataclass(frozen=True)
class ListVoices:
    pass


@dataclass(frozen=True)
class RenderLine:
    text: str
    voice_id: str
    rate: int


@dataclass(frozen=True)
class LoadPiper:
    """Load a Piper voice now (it takes a moment), so the first line does not wait for it."""

    model: str  # path of the .onnx file; its configuration is beside it


@dataclass(frozen=True)
class RenderPiper:
    """One line with Piper. Unlike RenderLine, the worker stays for the next line."""

    model: str
    text: str
    length_scale: float  # > 1 is slower
    volume: float
    sentence_silence: float  # seconds between the sentences of the line


Request = ListVoices | RenderLine | LoadPiper | RenderPiper


@dataclass(frozen=True)
class Voices:
    voices: tuple[tuple[str, str, tuple[str, ...]], ...]  # (id, name, languages)


@dataclass(frozen=True)
class Rendered:
    data: bytes  # the file the engine wrote: WAV, or AIFF on macOS


@dataclass(frozen=True)
class Failed:
    message: str


@dataclass(frozen=True)
class Ready:
    rate: int  # the loaded voice's sample rate


Reply = Voices | Rendered | Failed | Ready

# pyttsx3's espeak driver writes the file from espeak's callback thread, and now and then its
# loop ends before that (about one line in 25 under load, measured): `_wait_for_engine` waits
# for the driver to finish. Should an engine still write nothing, a fresh engine in the next
# worker renders the same line fine, so this failure is worth one retry.
NO_AUDIO = "the speech engine finished without writing any audio"
_ENGINE_GRACE = 30.0  # seconds; the parent's deadline per line is what really counts

# --- the channel: length-prefixed pickles over a pair of pipes ----------------------------

_HEADER = struct.Struct(">I")


def write_message(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_message(stream: IO[bytes]) -> Any:
    """The next message; EOFError when the other side has gone."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    # Only ever read from a process this program started itself, never from a file or socket.
    return pickle.loads(data)


class Channel:
    """The worker's side: requests in, replies out."""

    def __init__(self, requests: IO[bytes], replies: IO[bytes]) -> None:
        self._requests, self._replies = requests, replies

    def recv(self) -> Request:
        message: Request = read_message(self._requests)
        return message

    def send(self, reply: Reply) -> None:
        write_message(self._replies, reply)


WorkerTarget = Callable[[Channel], None]

# --- the real worker ----------------------------------------------------------------------


def serve(channel: Channel) -> None:
    """List voices as often as asked; render one line; exit."""
    engine: Any = None
    startup_error: str | None = None
    try:
        import pyttsx3  # only workers load the engine

        engine = pyttsx3.init()  # now, so a worker waiting as the spare is already warm
    except Exception as error:  # reported with the first request, not lost on stderr
        startup_error = f"{type(error).__name__}: {error}"
    with contextlib.ExitStack() as cleanup:
        while True:
            try:
                request = channel.recv()
            except EOFError:
                return
            if engine is None:
                channel.send(Failed(f"the speech engine did not start: {startup_error}"))
                continue
            try:
                if isinstance(request, ListVoices):
                    reply: Reply = _voices(engine)
                elif isinstance(request, RenderLine):
                    reply = _render(engine, request, lambda: _scratch_folder(cleanup))
                else:
                    reply = Failed(f"a pyttsx3 worker cannot take {type(request).__name__}")
            except Exception as error:
                reply = Failed(f"{type(error).__name__}: {error}")
            channel.send(reply)
            if isinstance(request, RenderLine):
                return


def _text(value: object) -> str:
    if isinstance(value, bytes):  # older espeak drivers list languages as b"\x05nl"
        return value.lstrip(bytes(range(32))).decode("utf-8", errors="replace")
    return str(value)


def _voices(engine: Any) -> Voices:
    listed = []
    for voice in engine.getProperty("voices"):
        languages = tuple(_text(language) for language in (voice.languages or ()) if language)
        listed.append((_text(voice.id), _text(voice.name or ""), languages))
    return Voices(tuple(listed))


def _render(engine: Any, request: RenderLine, folder: Callable[[], Path]) -> Reply:
    engine.setProperty("voice", request.voice_id)
    engine.setProperty("rate", request.rate)
    engine.setProperty("volume", 1.0)
    if renders_into_memory(engine):
        buffer = io.BytesIO()
        engine.save_to_file(request.text, buffer)
        engine.runAndWait()
        _wait_for_engine(engine)
        data = buffer.getvalue()
        return Rendered(data) if data else Failed(NO_AUDIO)
    # macOS writes AIFF whatever the name says; naming it so keeps the file honest.
    path = folder() / ("line.aiff" if sys.platform == "darwin" else "line.wav")
    try:
        engine.save_to_file(request.text, str(path))
        engine.runAndWait()
        _wait_for_engine(engine)
        data = path.read_bytes() if path.exists() else b""
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
    return Rendered(data) if data else Failed(NO_AUDIO)


def _wait_for_engine(engine: Any) -> None:
    """Until the driver has finished the line. pyttsx3's espeak driver can end `runAndWait`
    while espeak's thread is still synthesising; it writes the whole file, then clears its
    `_speaking` flag. Reading before that gives nothing, or half a file."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    deadline = time.monotonic() + _ENGINE_GRACE
    while getattr(driver, "_speaking", False) and time.monotonic() < deadline:
        time.sleep(0.005)


def renders_into_memory(engine: Any) -> bool:
    """True for pyttsx3's espeak driver, which writes its WAV with `wave.open(name)`: given a
    file object instead of a name, it writes into that. Checked, not assumed, so an engine
    that works otherwise gets a file in a RAM folder instead."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    return type(driver).__module__ == "pyttsx3.drivers.espeak" and hasattr(driver, "_save_file")


def _scratch_folder(cleanup: contextlib.ExitStack) -> Path:
    """A private folder for an engine that can only write files: in RAM if there is one."""
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            base: str | None = candidate
            break
    else:
        base = None  # macOS and Windows: the system's temp folder
    return Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="hv-voice-", dir=base)))


def _load_target(spec: str) -> WorkerTarget:
    module, _, name = spec.partition(":")
    target: WorkerTarget = getattr(importlib.import_module(module), name)
    return target


def main(argv: list[str]) -> None:
    # The replies get a descriptor of their own, and fd 1 goes to /dev/null: whatever the
    # engine prints (in Python or in C) can then never mix into the replies or our stdout.
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    target = _load_target(argv[0]) if argv else serve
    target(Channel(sys.stdin.buffer, replies))


if __name__ == "__main__":
    main(sys.argv[1:])
