"""The worker process that transcribes kept answers with the better recogniser, at a lower CPU
priority than the practice, so that speech, cues and listening never wait for it (a thread
cannot be given its own priority on every system; a process can).

`python -m assistant.improve.worker SPEC [VOSK_MODEL]`; on standard input, per answer, one JSON
line `{"rate": R, "bytes": N}` then N bytes of 16-bit mono PCM; on standard output, per answer,
one JSON line: `{"ok": true, "text": ..., "recognizer": ...}` or `{"ok": false, "why": ...,
"lasting": bool}` (lasting: this recogniser cannot work here at all, e.g. no whisper extra).
The words go through the pipe only: nothing is logged, written or cached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from assistant import places

if TYPE_CHECKING:  # only named here: a typed session never imports numpy
    from assistant.audio import AudioChunk

NICENESS = 10  # below the practice (0), above nothing else of the person's


@dataclass(frozen=True)
class Reply:
    ok: bool
    text: str = ""
    recognizer: str = ""
    why: str = ""
    lasting: bool = False


class WorkerGone(Exception):
    """The worker process ended (killed, crashed): start another."""


class WorkerProcess:
    """The parent's side: one worker process, started on first use."""

    def __init__(self, spec: str, vosk_model: Path | None, stop_phrases: tuple[str, ...]) -> None:
        self.spec = spec
        self.vosk_model = vosk_model
        self.stop_phrases = stop_phrases
        self._process: subprocess.Popen[bytes] | None = None

    def transcribe(self, audio: AudioChunk) -> Reply:
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        try:
            header = {"rate": audio.rate, "bytes": len(audio.samples)}
            process.stdin.write(json.dumps(header).encode("ascii") + b"\n" + audio.samples)
            process.stdin.flush()
            line = process.stdout.readline()
        except (BrokenPipeError, OSError, ValueError):
            line = b""
        if not line:
            self.close()
            raise WorkerGone
        return Reply(**json.loads(line))

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            env = dict(os.environ, PYTHONPATH=str(places.import_root()))
            args = [sys.executable, "-m", "assistant.improve.worker", self.spec]
            args += [str(self.vosk_model) if self.vosk_model else "", *self.stop_phrases]
            self._process = subprocess.Popen(
                args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
            )
        return self._process


def serve(stdin: IO[bytes], stdout: IO[bytes], transcriber: Any) -> None:
    from assistant.audio import AudioChunk
    from assistant.errors import UserError
    from assistant.recognizer.transcribers import TranscriptionFailed

    while line := stdin.readline():
        header = json.loads(line)
        samples = stdin.read(int(header["bytes"]))
        try:
            made = transcriber.transcribe(AudioChunk(samples, int(header["rate"])))
            reply: dict[str, object] = {
                "ok": True,
                "text": made.text,
                "recognizer": made.recognizer,
            }
        except TranscriptionFailed as error:
            reply = {"ok": False, "why": str(error)}
        except UserError as error:
            reply = {"ok": False, "why": error.message, "lasting": True}
        try:
            stdout.write(json.dumps(reply).encode("utf-8") + b"\n")
            stdout.flush()
        except BrokenPipeError:
            return  # the practice ended (killed): its pending list keeps the answer


class _Unusable:
    """A recogniser that cannot be had here: each answer gets the reason, once per answer."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def transcribe(self, audio: AudioChunk) -> Any:
        raise self.error


def main(argv: list[str]) -> int:
    os.nice(NICENESS)
    from assistant.errors import UserError
    from assistant.recognizer.transcribers import make_transcriber

    spec, vosk_model, *stops = argv
    transcriber: Any
    try:
        transcriber = make_transcriber(
            spec, vosk_model=Path(vosk_model) if vosk_model else None, stop_phrases=stops
        )
    except UserError as error:
        transcriber = _Unusable(error)
    serve(sys.stdin.buffer, sys.stdout.buffer, transcriber)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
