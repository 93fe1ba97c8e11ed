"""Choosing the recogniser of kept answers: `transcriber:` in the config, `transcribe FILE.wav
--recognizer SPEC`, `model list` and `model download whisper:NAME`, as a user runs them.

Real parts: Whisper base from PyPI (whisper_model_dir), `wyoming-faster-whisper` on it
(stt_server), the Korean Vosk model, real Dutch speech, the program in its own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.recognizer_bench import word_error_rate
from tests.helpers import ROOT, human_clips
from tests.servers import SpeechServer

pytestmark = [pytest.mark.files, pytest.mark.whisper]

CLIP = "computer__poc-m-zezadu.wav"  # one Whisper base gets right here (tests/test_transcribers)
WER_BOUND = 0.5


def _clip() -> tuple[Path, str]:
    (clip,) = [c for c in human_clips() if c.path.name == CLIP]
    return clip.path, clip.text


def run(*args: str, data: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_DATA_HOME=str(data))
    env.pop("HARTSVERBINDING_MODEL", None)
    if config is not None:
        args = (*args, "--config", str(config))
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_transcribe_with_a_whisper_folder(whisper_model_dir: Path, tmp_path: Path) -> None:
    path, expected = _clip()
    done = run("transcribe", str(path), "--recognizer", str(whisper_model_dir), data=tmp_path)
    assert done.returncode == 0, done.stderr
    assert word_error_rate(expected, done.stdout.strip()) < WER_BOUND, done.stdout


@pytest.mark.servers
def test_transcribe_through_a_speech_server(stt_server: SpeechServer, tmp_path: Path) -> None:
    path, expected = _clip()
    done = run("transcribe", str(path), "--recognizer", stt_server.uri, data=tmp_path)
    assert done.returncode == 0, done.stderr
    assert word_error_rate(expected, done.stdout.strip()) < WER_BOUND, done.stdout


def test_the_config_chooses_the_recogniser(
    whisper_model_dir: Path, ko_model_dir: Path, tmp_path: Path
) -> None:
    """`transcriber: whisper:base` with base in the data folder; --recognizer vosk overrides it."""
    data = tmp_path / "data"
    (data / "hartsverbinding" / "whisper").mkdir(parents=True)
    (data / "hartsverbinding" / "whisper" / "base").symlink_to(whisper_model_dir)
    config = tmp_path / "config.yaml"
    config.write_text(f"transcriber: whisper:base\nmodel: {ko_model_dir}\n", encoding="utf-8")
    path, expected = _clip()
    done = run("transcribe", str(path), data=data, config=config)
    assert done.returncode == 0, done.stderr
    assert word_error_rate(expected, done.stdout.strip()) < WER_BOUND, done.stdout
    by_vosk = run("transcribe", str(path), "--recognizer", "vosk", data=data, config=config)
    assert by_vosk.returncode == 0, by_vosk.stderr
    assert by_vosk.stdout != done.stdout  # the Korean model hears Korean words in Dutch speech
    listed = run("model", "list", data=data, config=config)
    assert listed.returncode == 0, listed.stderr
    assert "whisper:base  148 MB  [downloaded, chosen]" in listed.stdout
    assert "whisper:small  486 MB\n" in listed.stdout
    assert "MIT" in listed.stdout


def test_a_whisper_model_not_downloaded_names_the_command(tmp_path: Path) -> None:
    path, _text = _clip()
    done = run("transcribe", str(path), "--recognizer", "whisper:small", data=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "hartsverbinding model download whisper:small" in done.stderr


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("whisper:huge", "There is no Whisper model called 'huge'"),
        ("tcp://nohost", "tcp://HOST:PORT"),
        ("/nowhere/model", "not a recogniser"),
    ],
)
def test_a_wrong_transcriber_in_the_config_is_one_line(
    tmp_path: Path, value: str, says: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"transcriber: {value}\n", encoding="utf-8")
    done = run("model", "list", data=tmp_path, config=config)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert str(config) in done.stderr and "line 1" in done.stderr and says in done.stderr


def test_help_shows_the_recogniser_option(tmp_path: Path) -> None:
    done = run("transcribe", "--help", data=tmp_path)
    assert done.returncode == 0
    assert "--recognizer SPEC" in done.stdout and "tcp://HOST:PORT" in done.stdout


def test_download_an_unknown_whisper_model(tmp_path: Path) -> None:
    done = run("model", "download", "whisper:huge", data=tmp_path)
    assert done.returncode == 2
    assert "whisper:base" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "hartsverbinding").exists()  # nothing fetched, nothing made
