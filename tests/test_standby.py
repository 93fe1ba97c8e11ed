"""Standby: called by its start phrase, a whole session, then waiting again; nothing the person
said reaches standard output or standard error (under a service they go to a system log).

For real: the Korean test model, with a content copy whose start phrase and commands are
Korean words it hears reliably; the answer is real Dutch speech.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from assistant.audio import silence, write_wav
from assistant.journal.markdown import parse
from tests.helpers import (
    KOREAN_QUESTIONS,
    KOREAN_START,
    KOREAN_STOP,
    RATE,
    espeak,
    human_clips,
    korean_standby_content,
    run_cli,
)

pytestmark = [pytest.mark.files, pytest.mark.pulse, pytest.mark.vosk, pytest.mark.voice]


def _recording(folder: Path) -> Path:
    """Silence; the start phrase; "vragen"; an answer; "stop" at the read-back; silence; the
    start phrase again (standby must be listening again); silence."""
    said = silence(1.0, RATE) + espeak(KOREAN_START, "ko") + silence(2.0, RATE)
    said = said + espeak(KOREAN_QUESTIONS, "ko") + silence(2.0, RATE)
    said = said + human_clips()[0].audio() + silence(3.5, RATE)
    said = said + espeak(KOREAN_STOP, "ko") + silence(3.0, RATE)
    said = said + espeak(KOREAN_START, "ko") + silence(3.0, RATE)
    path = folder / "standby.wav"
    write_wav(path, said)
    return path


@pytest.mark.parametrize("voice", ["the system voice", "no voice at all"])
def test_a_start_phrase_starts_one_session_and_standby_listens_again(tmp_path, ko_model_dir, voice):
    """With a voice, and without one (the lines are then printed): either way the person's
    words reach no output."""
    content = korean_standby_content(tmp_path)
    journal = tmp_path / "journal"
    config = tmp_path / "config.yaml"
    config.write_text("voice: geen-stem\n" if voice == "no voice at all" else "pace: 0\n")
    done = run_cli(
        "--config",
        str(config),
        "standby",
        "--mic",
        str(_recording(tmp_path)),
        "--speaker",
        "none" if voice == "no voice at all" else str(tmp_path / "out.wav"),
        "--pace",
        "0",
        "--model",
        str(ko_model_dir),
        "--content",
        str(content),
        "--journal",
        str(journal),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    welcomes = done.stdout.count("Welkom bij Hartsverbinding")
    assert welcomes == 2, done.stdout  # the session, then (called again) a second one
    assert done.stdout.index("Vraag 1 van 10.") < done.stdout.rindex("Welkom bij")
    [session] = sorted(journal.glob("*.md"))
    [answer] = parse(session.read_text(encoding="utf-8"), session.stem).answers
    assert answer.number == 1 and answer.text and not answer.confirmed
    assert (journal / str(answer.recording)).stat().st_size > 0
    # The person's words are in the journal only: not printed, not logged.
    printed = done.stdout + done.stderr
    assert "Ik hoorde" not in printed
    for word in re.findall(r"\w+", answer.text):
        assert word not in printed, (word, printed)


def _standby_before_the_sound_server(
    tmp_path: Path, ko_model_dir: Path
) -> tuple[Path, subprocess.Popen[str]]:
    """`standby --mic pulse` started where no sound server runs yet (as at boot, before
    PipeWire/PulseAudio): the folder a server can be started in later, and the process."""
    from tests.helpers import start_session
    from tests.pulse import _environment

    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {
        k: v
        for k, v in _environment(runtime).items()
        if k in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "HOME")
    }
    process = start_session(
        "standby",
        "--mic",
        "pulse",
        "--speaker",
        "none",
        "--model",
        str(ko_model_dir),
        "--content",
        str(korean_standby_content(tmp_path)),
        "--journal",
        str(tmp_path / "journal"),
        "--verbose",
        env=env,
    )
    return runtime, process


@pytest.mark.timed
def test_standby_waits_quietly_for_a_sound_server_that_starts_later(tmp_path, ko_model_dir):
    """At boot the service may start before PipeWire/PulseAudio: standby waits (logging it
    once, saying nothing), re-initialises PortAudio, finds the microphone once the server is
    there, and is then called by its start phrase like any other time."""
    import signal
    import time

    from tests.helpers import Captions
    from tests.pulse import start_pulse, stop_pulse

    runtime, process = _standby_before_the_sound_server(tmp_path, ko_model_dir)
    call = tmp_path / "call.wav"
    write_wav(call, silence(0.3, RATE) + espeak(KOREAN_START, "ko") + silence(1.5, RATE))
    captions = Captions(process)
    log = Captions(process, process.stderr)
    try:
        # No sound server yet: standby must be waiting, not failing (loading the model first
        # takes seconds, longer on a busy machine: the server is started only once it waits).
        waiting = log.wait_for(": waiting for the microphone", 120)
        assert waiting is not None and process.poll() is None, log.text()
        server = start_pulse(runtime)
        deadline = time.monotonic() + 60
        heard = None
        while heard is None and time.monotonic() < deadline:
            # Called until it answers: the first calls may come before it listens again.
            subprocess.run(["paplay", "--device=mic", str(call)], env=server.env, timeout=20)
            heard = captions.wait_for("Welkom bij Hartsverbinding", 6)
        assert heard is not None, captions.text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        log.join()  # the rest of its stderr, until it is closed
        errors = log.text()
        waits = [line for line in errors.splitlines() if ": waiting for the microphone" in line]
        assert len(waits) == 1, errors
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        stop_pulse(runtime)


def test_standby_stopped_while_it_waits_for_the_microphone_ends_cleanly(tmp_path, ko_model_dir):
    """`systemctl stop` (SIGTERM) at boot, while standby still waits for the sound server:
    exit 0, no traceback."""
    import signal

    from tests.helpers import Captions

    _, process = _standby_before_the_sound_server(tmp_path, ko_model_dir)
    log = Captions(process, process.stderr)
    try:
        assert log.wait_for(": waiting for the microphone", 120) is not None, log.text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, log.text()
        log.join()
        assert "Traceback" not in log.text(), log.text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
