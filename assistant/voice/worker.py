"""The synthesis worker: a separate process that owns the pyttsx3 engine.

pyttsx3 can hang when an engine is reused on Linux and prints on stdout; in a process of its own
a hang is killed from outside and the print cannot reach the practice's text. This module runs
in that process, so it imports nothing heavy and nothing of the parent's state.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# --- messages (plain picklable values) ---------------------------------------------------


@dataclass(frozen=True)
class ListVoices:
    pass


@dataclass(frozen=True)
class RenderLine:
    text: str
    voice_id: str
    rate: int
    volume: float


Request = ListVoices | RenderLine


@dataclass(frozen=True)
class Voices:
    voices: tuple[tuple[str, str, tuple[str, ...]], ...]  # (id, name, languages)


@dataclass(frozen=True)
class Rendered:
    data: bytes  # the file the engine wrote: WAV, or AIFF on macOS


@dataclass(frozen=True)
class Failed:
    message: str


Reply = Voices | Rendered | Failed


# --- the worker ---------------------------------------------------------------------------


def silence_stdout() -> None:
    # The parent's stdout carries the practice's text; pyttsx3's "Audio saved to ..." (and
    # anything the engine's C code prints) goes nowhere instead.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def serve(conn: Connection) -> None:
    """Answer requests until the parent hangs up. Runs in the worker process."""
    silence_stdout()
    engine: Any = None
    with tempfile.TemporaryDirectory(prefix="hv-voice-") as folder:
        count = 0
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                return
            try:
                if engine is None:
                    import pyttsx3  # here, not at the top: only the worker loads the engine

                    engine = pyttsx3.init()
                if isinstance(request, ListVoices):
                    reply: Reply = _voices(engine)
                else:
                    count += 1
                    reply = _render(engine, request, Path(folder) / f"line-{count}")
            except Exception as error:  # any engine failure is reported, never fatal here
                engine = None  # a fresh engine next time: a failed one is not trusted
                reply = Failed(f"{type(error).__name__}: {error}")
            conn.send(reply)


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


def _render(engine: Any, request: RenderLine, stem: Path) -> Reply:
    # macOS writes AIFF whatever the name says; naming it so keeps the file honest.
    path = stem.with_suffix(".aiff" if sys.platform == "darwin" else ".wav")
    engine.setProperty("voice", request.voice_id)
    engine.setProperty("rate", request.rate)
    engine.setProperty("volume", request.volume)
    engine.save_to_file(request.text, str(path))
    engine.runAndWait()
    if not path.exists():
        return Failed("the speech engine finished without writing any audio")
    try:
        return Rendered(path.read_bytes())
    finally:
        path.unlink()
