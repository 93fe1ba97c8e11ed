"""`hartsverbinding doctor`: without a sound server (the real situation of this machine) it
names every failing check with its fix, exit 1, no traceback; on a private PulseAudio server
the sound checks pass, and the level of a real tone played into the microphone's sink reads
'fine' where silence reads 'too quiet'. The other checks run against the real model, voice,
folders and disk; a stand-in `vcgencmd` plays the Pi."""

from __future__ import annotations

import argparse
import os
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.appliance import setup_checks, sound_checks
from assistant.appliance.check import Check, failed, guarded, passed, skipped
from assistant.appliance.level import Verdict, measure
from assistant.appliance.power import parse_throttled
from assistant.appliance.service import Host, Ran, SubprocessRunner
from assistant.audio import AudioChunk, read_wav, rms, silence, write_wav
from assistant.config import JournalSettings, Settings, with_values
from assistant.content import Content
from assistant.dialog.understand import all_phrasings
from assistant.recognizer.model import DOWNLOAD_COMMAND
from assistant.voice.settings import VoiceSettings
from tests.fakes import RecordingRunner
from tests.helpers import korean_model_dir, run_cli
from tests.pulse import PulseServer

pytestmark = [pytest.mark.files, pytest.mark.pulse, pytest.mark.vosk, pytest.mark.voice]


def _quiet_env(tmp_path: Path) -> dict[str, str]:
    """A user with no sound server, no model, and folders of their own."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    return {
        "XDG_RUNTIME_DIR": str(runtime),
        "PULSE_RUNTIME_PATH": str(runtime / "pulse"),
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "HARTSVERBINDING_MODEL": "",
    }


def _results(stdout: str) -> dict[str, tuple[str, str]]:
    """check name -> (OK/FAIL/SKIP, the fix line after it or '')."""
    results: dict[str, tuple[str, str]] = {}
    last = ""
    for line in stdout.splitlines():
        label, _, rest = line.partition("  ")
        if label in ("OK", "FAIL", "SKIP"):
            last = rest.strip().split(":")[0]
            results[last] = (label, "")
        elif line.strip().startswith("fix:") and last:
            results[last] = (results[last][0], line.strip())
    return results


# --- the whole command ----------------------------------------------------------------------


def test_without_sound_each_failing_check_is_named_with_its_fix(tmp_path: Path) -> None:
    done = run_cli("doctor", env=_quiet_env(tmp_path), timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    results = _results(done.stdout)
    for name in ("sound server", "speaker", "microphone", "speech model"):
        label, fix = results[name]
        assert label == "FAIL" and len(fix) > len("fix: "), (name, done.stdout)
    assert "apt-get install pipewire" in results["sound server"][1]
    assert "hartsverbinding devices" in results["microphone"][1]
    assert DOWNLOAD_COMMAND in results["speech model"][1]
    assert results["Dutch voice"][0] == "OK"  # espeak-ng is installed here
    assert results["vocabulary"][0] == "SKIP"  # no model to look words up in
    assert results["journal folder"][0] == "OK"
    assert results["power supply"][0] == "SKIP"  # not a Raspberry Pi
    assert done.stdout.splitlines()[-1] == "4 checks failed."


def _tone_file(folder: Path, seconds: float, level: float, square: bool = False) -> Path:
    t = np.arange(round(seconds * 16000)) / 16000
    wave_ = np.sin(2 * np.pi * 440 * t)
    if square:
        wave_ = np.sign(wave_)
    path = folder / f"tone-{level:g}-{square}.wav"
    write_wav(path, AudioChunk.from_array(level * wave_, 16000))
    return path


@pytest.fixture
def playing_into_mic(pulse: PulseServer, tmp_path: Path) -> Iterator[PulseServer]:
    """A steady tone played into the sink whose monitor is the default microphone, started a
    little ahead (a fresh null sink mangles its first second or two)."""
    tone = _tone_file(tmp_path, 60.0, 8000.0)
    player = subprocess.Popen(["paplay", "--device=mic", str(tone)], env=pulse.env)
    time.sleep(1.5)
    try:
        yield pulse
    finally:
        player.terminate()
        player.wait(10)


def test_on_a_sound_server_the_sound_checks_pass_and_record_keeps_3_s(
    playing_into_mic: PulseServer, tmp_path: Path
) -> None:
    env = {**_quiet_env(tmp_path), **{k: playing_into_mic.env[k] for k in _PULSE_KEYS}}
    recording = tmp_path / "test.wav"
    done = run_cli("doctor", "--record", str(recording), env=env, timeout=120)
    assert "Traceback" not in done.stdout + done.stderr
    results = _results(done.stdout)
    assert [results[name][0] for name in ("sound server", "speaker", "microphone")] == [
        "OK",
        "OK",
        "OK",
    ], done.stdout
    assert "Say something" in done.stderr
    with wave.open(str(recording)) as kept:
        assert (kept.getframerate(), kept.getnchannels()) == (16000, 1)
        assert kept.getnframes() == 3 * 16000
    assert rms(read_wav(recording)) > 2000  # the tone (RMS 5657 as played), not silence
    assert done.returncode == 1  # no speech model here


_PULSE_KEYS = ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "HOME")


def test_record_needs_a_wav_name_in_an_existing_folder(tmp_path: Path) -> None:
    for bad in (tmp_path / "test.mp3", tmp_path / "missing" / "test.wav"):
        done = run_cli("doctor", "--record", str(bad))
        assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
        assert "--record" in done.stderr


# --- the sound checks on a real device ------------------------------------------------------


def test_the_sound_server_answers_through_pactl_and_through_its_socket(
    portaudio_on_pulse: PulseServer, tmp_path: Path
) -> None:
    check = sound_checks.sound_server(SubprocessRunner())
    assert check.ok and "pulseaudio" in check.detail.lower(), check
    no_pactl = RecordingRunner({"env LC_ALL=C pactl info": Ran(127, "", "pactl: not found")})
    assert sound_checks.sound_server(no_pactl, dict(os.environ)).ok
    elsewhere = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path), PULSE_RUNTIME_PATH="")
    missing = sound_checks.sound_server(no_pactl, elsewhere)
    assert not missing.ok and "pipewire" in missing.fix


def test_the_speaker_check_plays_the_bell_on_the_device(
    portaudio_on_pulse: PulseServer, tmp_path: Path
) -> None:
    recording = tmp_path / "monitor.wav"
    command = ["parec", "-d", "speaker.monitor", "--rate", "16000", "--channels", "1"]
    command += ["--format", "s16le", "--file-format=wav", str(recording)]
    recorder = subprocess.Popen(command, env=portaudio_on_pulse.env)
    try:
        time.sleep(1.5)  # past the fresh sink's first mangled moments
        check = sound_checks.speaker(None)
        time.sleep(2.0)  # what PulseAudio still holds reaches the monitor
    finally:
        recorder.terminate()
        recorder.wait(10)
    assert check.ok, check
    assert rms(read_wav(recording)) > 300  # the bell (peak 0.3 of full scale, fading)
    assert sound_checks.speaker("none").skipped


def _level_check(pulse: PulseServer, tone: Path | None, record: Path | None = None) -> Check:
    player = None
    if tone is not None:
        player = subprocess.Popen(["paplay", "--device=mic", str(tone)], env=pulse.env)
        time.sleep(1.5)
    try:
        return sound_checks.microphone(None, record)
    finally:
        if player is not None:
            player.terminate()
            player.wait(10)


def test_a_real_tone_reads_fine_and_silence_too_quiet(
    portaudio_on_pulse: PulseServer, tmp_path: Path
) -> None:
    record = tmp_path / "kept.wav"
    fine = _level_check(portaudio_on_pulse, _tone_file(tmp_path, 10.0, 8000.0), record)
    assert fine.ok and "fine" in fine.detail, fine
    assert "44100 Hz" in fine.detail  # opened at the device's own rate
    assert read_wav(record).seconds == pytest.approx(3.0)
    assert rms(read_wav(record)) > 2000  # the tone that was judged, kept
    quiet = _level_check(portaudio_on_pulse, None)
    assert not quiet.ok and "too quiet" in quiet.detail, quiet
    assert "alsamixer" in quiet.fix


def test_a_full_scale_square_wave_reads_clipping(
    portaudio_on_pulse: PulseServer, tmp_path: Path
) -> None:
    loud = _level_check(portaudio_on_pulse, _tone_file(tmp_path, 10.0, 32767.0, square=True))
    assert not loud.ok and "clipping" in loud.detail, loud


def test_the_level_verdicts() -> None:
    t = np.arange(48000) / 16000
    assert measure(silence(3.0, 16000)).verdict is Verdict.TOO_QUIET
    speechlike = AudioChunk.from_array(6000 * np.sin(2 * np.pi * 300 * t), 16000)
    assert measure(speechlike).verdict is Verdict.FINE
    assert measure(speechlike).loudest_dbfs == pytest.approx(-17.7, abs=0.2)
    whisper = AudioChunk.from_array(200 * np.sin(2 * np.pi * 300 * t), 16000)
    assert measure(whisper).verdict is Verdict.TOO_QUIET
    clipped = AudioChunk.from_array(
        np.clip(60000 * np.sin(2 * np.pi * 300 * t), -32768, 32767), 16000
    )
    assert measure(clipped).verdict is Verdict.CLIPPING


# --- model, voice, folders, service, power --------------------------------------------------


def test_the_korean_model_loads_but_lacks_the_dutch_phrasings(content: Content) -> None:
    check, loaded = setup_checks.model(korean_model_dir())
    assert check.ok and loaded is not None, check
    words = setup_checks.vocabulary(loaded, all_phrasings(content))
    assert not words.ok
    assert repr(all_phrasings(content)[0]) in words.detail  # names the phrasings it breaks
    assert DOWNLOAD_COMMAND in words.fix
    assert setup_checks.vocabulary(loaded, ["안녕하세요", "아니요"]).ok


def test_a_missing_model_folder_fails_with_the_download_command(tmp_path: Path) -> None:
    check, loaded = setup_checks.model(tmp_path / "no-model")
    assert not check.ok and loaded is None
    assert DOWNLOAD_COMMAND in check.fix


def test_the_dutch_voice_is_found_and_a_missing_one_says_what_to_install() -> None:
    assert setup_checks.voice(VoiceSettings()).ok
    missing = setup_checks.voice(VoiceSettings(voice="no-such-voice"))
    assert not missing.ok and "no-such-voice" in missing.detail and "espeak-ng" in missing.fix


def test_the_journal_folder_must_be_private_and_writable(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    assert setup_checks.journal_folder(folder).ok  # made at the first answer
    folder.mkdir(mode=0o700)
    assert setup_checks.journal_folder(folder).ok
    assert not any(folder.iterdir())  # the write probe left nothing behind
    folder.chmod(0o755)
    opened = setup_checks.journal_folder(folder)
    assert not opened.ok and f"chmod 700 {folder}" in opened.fix
    folder.chmod(0o700)
    entry = folder / "2024-05-01.md"
    entry.write_text("antwoord")
    entry.chmod(0o644)
    assert "go-rwx" in setup_checks.journal_folder(folder).fix
    entry.unlink()
    (tmp_path / "a-file").write_text("")
    assert not setup_checks.journal_folder(tmp_path / "a-file").ok


def test_too_little_free_space_is_a_failure(tmp_path: Path) -> None:
    assert setup_checks.free_space(tmp_path / "journal").ok
    full = setup_checks.free_space(tmp_path / "journal", minimum=2**62)
    assert not full.ok and "MB free" in full.detail


def test_the_service_check(tmp_path: Path) -> None:
    marker = tmp_path / "run-systemd-system"
    host = Host("pi", False, tmp_path / "units", tmp_path / "linger", marker)
    assert setup_checks.service_running(host, RecordingRunner()).skipped  # no systemd
    marker.mkdir()
    (tmp_path / "linger").mkdir()
    missing = setup_checks.service_running(host, RecordingRunner())
    assert not missing.ok and "hartsverbinding service install" in missing.fix
    host.unit_dir.mkdir(parents=True)
    host.unit_path.write_text("[Unit]\n")
    running = RecordingRunner(
        {
            "systemctl --user is-enabled hartsverbinding.service": Ran(0, "enabled\n", ""),
            "systemctl --user is-active hartsverbinding.service": Ran(0, "active\n", ""),
        }
    )
    no_linger = setup_checks.service_running(host, running)
    assert not no_linger.ok and "enable-linger pi" in no_linger.fix
    (tmp_path / "linger" / "pi").touch()
    assert setup_checks.service_running(host, running).ok


@pytest.fixture
def vcgencmd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in `vcgencmd` first on PATH that prints what the test writes into it."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder / "vcgencmd"


def _says(program: Path, output: str) -> None:
    program.write_text(f"#!/bin/sh\necho '{output}'\n")
    program.chmod(0o755)


def test_the_power_check_reads_vcgencmd(vcgencmd: Path) -> None:
    runner = SubprocessRunner()
    assert setup_checks.power(runner).skipped  # no vcgencmd: not a Pi
    _says(vcgencmd, "throttled=0x0")
    assert setup_checks.power(runner).ok
    _says(vcgencmd, "throttled=0x50005")
    low = setup_checks.power(runner)
    assert not low.ok and "under-voltage now" in low.detail and "power supply" in low.fix
    _says(vcgencmd, "throttled=0x50000")
    assert "since the last boot" in setup_checks.power(runner).detail
    _says(vcgencmd, "throttled=0x80008")
    assert "heat" in setup_checks.power(runner).detail
    _says(vcgencmd, "VCHI initialization failed")
    assert "video group" in setup_checks.power(runner).fix


def test_throttled_bits() -> None:
    assert parse_throttled("throttled=0x50005\n") is not None
    state = parse_throttled("throttled=0x50005")
    assert state is not None and state.under_voltage_now and state.under_voltage
    assert parse_throttled("nonsense") is None and parse_throttled("throttled=zz") is None


def test_a_check_that_raises_is_a_failure_not_a_traceback() -> None:
    def broken() -> Check:
        raise RuntimeError("something unforeseen")

    check = guarded("broken", broken)
    assert not check.ok and "something unforeseen" in check.detail and "--verbose" in check.fix


def test_every_check_runs_even_when_the_settings_are_odd(tmp_path: Path) -> None:
    """A doctor run in-process with a recording for a microphone and no sound: no check
    raises, each is named once."""
    from assistant.cli.doctor import run_checks

    settings = with_values(
        Settings(journal=JournalSettings(tmp_path / "journal")), {"mic": "x.wav", "speaker": "none"}
    )
    args = argparse.Namespace(content=None)
    names = [c.name for c in run_checks(settings, args.content, None, RecordingRunner(), None)]
    assert len(names) == len(set(names)) == 12  # the coach's recordings eleventh, packs twelfth
    assert "packs" in names


def test_the_exit_status_is_0_only_when_every_check_passes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from assistant.cli.doctor import report

    fine = [passed("one", "fine"), skipped("two", "not here")]
    assert report(fine) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "All checks passed."
    assert report([*fine, failed("three", "broken", "mend it")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == ["FAIL  three: broken", "      fix: mend it", "1 check failed."]


def test_the_coachs_recordings_are_checked(tmp_path):
    """None is fine; a current one is counted; a stale one fails with what to do."""
    from assistant.appliance import setup_checks
    from assistant.audio import silence
    from assistant.content import load_content
    from assistant.content.recordings import RecordingFolder
    from tests.helpers import copy_content

    folder = copy_content(tmp_path)
    content = load_content(folder)
    assert setup_checks.recordings(content).ok
    step = content.practices[0].steps[0].say  # type: ignore[union-attr]
    RecordingFolder(folder).save("oefening.steps.1", step, silence(1.0, 22050))
    current = setup_checks.recordings(content)
    assert current.ok and "1" in current.detail
    RecordingFolder(folder).save(
        "oefening.steps.2", "Woorden die er niet meer staan.", silence(1.0, 22050)
    )
    stale = setup_checks.recordings(content)
    assert not stale.ok and "oefening.steps.2" in stale.detail and "opnemen" in stale.fix
