"""Privacy in voice mode: no network socket while talking through PulseAudio or rendering.

The same strace check as tests/test_privacy.py (every `socket` call of every process and
thread, the speech workers and the audio libraries included; an AF_INET or AF_INET6 one
fails), now around (a) a voice session on a real audio device: microphone and speaker on a
private PulseAudio server, an answer spoken into it and confirmed by voice, with the real
speech model; and (b) rendering the exercise to a WAV and a timeline with a cold voice cache.
AF_UNIX sockets (to PulseAudio) are fine. The journal the voice session wrote is private:
folder 0700, the Markdown and the answer's recording 0600.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.audio import read_wav, rms, silence, write_wav
from assistant.journal.markdown import parse
from tests.helpers import (
    INET,
    KOREAN_YES,
    ROOT,
    espeak,
    human_clips,
    korean_yes_content,
    require_espeak,
    traced_sockets,
)

pytestmark = [pytest.mark.files, pytest.mark.pulse, pytest.mark.vosk, pytest.mark.voice]

UNIX = re.compile(r"socket\((AF_UNIX|AF_LOCAL|PF_UNIX|PF_LOCAL)\b")


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def _wait_for(lines: list[str], needle: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(needle in line for line in lines):
            return True
        time.sleep(0.1)
    return False


class _Speaking:
    """Plays one recording into PulseAudio's 'mic' sink again and again (with a pause after
    it) until stopped: someone talking to the assistant, whenever it happens to listen."""

    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            subprocess.run(
                ["paplay", "--device=mic", str(self.path)],
                env=self.env,
                capture_output=True,
                timeout=60,
            )

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(70)


@pytest.mark.slow
def test_a_voice_session_through_pulseaudio_opens_no_network_socket(tmp_path, pulse, ko_model_dir):
    require_espeak()
    content = korean_yes_content(tmp_path)
    clip = human_clips()[0].audio()
    answer_wav = tmp_path / "answer.wav"
    write_wav(answer_wav, clip + silence(4.0, clip.rate))  # then silence: the answer ends
    yes_wav = tmp_path / "yes.wav"
    yes = espeak(KOREAN_YES, "ko")
    write_wav(yes_wav, yes + silence(3.0, yes.rate))
    config = tmp_path / "config.yaml"
    config.write_text("patience: 600\n")  # no reminder: the test says when to speak
    journal = tmp_path / "journal"
    trace = tmp_path / "sockets.trace"
    env = dict(pulse.env, PYTHONUNBUFFERED="1", XDG_CACHE_HOME=str(tmp_path / "cache"))
    # No --mic, no --speaker: the default devices, which are PulseAudio's 'mic.monitor' and
    # 'speaker'. strace is started here (not through traced_sockets) because the session is
    # driven while it runs and ended with Ctrl-C.
    tracer = subprocess.Popen(
        [
            "strace",
            "-f",
            "--seccomp-bpf",  # the kernel stops only the traced calls: the same trace, faster
            "-qq",
            "-e",
            "trace=socket",
            "-o",
            str(trace),
            sys.executable,
            "-m",
            "assistant",
            "vragen",
            "--model",
            str(ko_model_dir),
            "--content",
            str(content),
            "--journal",
            str(journal),
            "--config",
            str(config),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    lines: list[str] = []
    assert tracer.stdout
    threading.Thread(target=lambda: lines.extend(tracer.stdout), daemon=True).start()  # type: ignore[arg-type]
    speaking: _Speaking | None = None
    try:
        assert _wait_for(lines, "Vraag 1 van 10", 120), "".join(lines)
        speaking = _Speaking(answer_wav, pulse.env)
        assert _wait_for(lines, "Ik hoorde", 120), "".join(lines)
        speaking.stop()
        speaking = _Speaking(yes_wav, pulse.env)
        assert _wait_for(lines, "Vraag 2 van 10", 120), "".join(lines)
        speaking.stop()
        speaking = None
        (session,) = _children(tracer.pid)  # strace's one child: the assistant
        os.kill(session, signal.SIGINT)  # Ctrl-C: the session ends with the journal saved
        tracer.wait(60)
    finally:
        if speaking is not None:
            speaking.stop()
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait(10)
    stderr = tracer.stderr.read() if tracer.stderr else ""
    assert "Traceback" not in stderr, stderr
    calls = trace.read_text().splitlines()
    assert any(UNIX.search(call) for call in calls), "no socket to PulseAudio was traced"
    assert [call for call in calls if INET.search(call)] == []

    # The journal it wrote: a private folder, private files, the spoken answer kept.
    assert _mode(journal) == 0o700
    files = sorted(journal.iterdir())
    assert files and all(_mode(path) == 0o600 for path in files), [
        (p.name, oct(_mode(p))) for p in files
    ]
    (markdown,) = [p for p in files if p.suffix == ".md"]
    record = parse(markdown.read_text(encoding="utf-8"), markdown.stem)
    first = record.answers[0]
    assert first.number == 1 and first.confirmed and first.recording, record.answers
    kept = read_wav(journal / first.recording)
    assert kept.seconds > 1.0 and rms(kept) > 100  # the answer spoken into the microphone


def test_rendering_the_exercise_to_a_file_opens_no_network_socket(tmp_path):
    require_espeak()
    out = tmp_path / "out"
    out.mkdir()
    found, done = traced_sockets(
        [
            sys.executable,
            "-m",
            "assistant",
            "oefening",
            "--speaker",
            str(out / "out.wav"),
            "--timeline",
            str(out / "out.json"),
            "--journal",
            str(tmp_path / "journal"),
        ],
        tmp_path,
        env={"XDG_CACHE_HOME": str(tmp_path / "cache")},  # a cold cache: every line rendered
    )
    assert done.returncode == 0, done.stderr
    assert found == []
    timeline = json.loads((out / "out.json").read_text())
    assert read_wav(out / "out.wav").seconds == pytest.approx(timeline[-1]["end"], abs=0.01)
    assert any(segment["kind"] == "speech" for segment in timeline)
