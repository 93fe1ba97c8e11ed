"""The listening verbs as a user runs them: `transcribe`, `devices`, `model download`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, human_clips
from tests.pulse import PulseServer

pytestmark = [pytest.mark.files, pytest.mark.vosk]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = dict(env or os.environ)
    environment.pop("HARTSVERBINDING_MODEL", None)
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_transcribe_prints_the_transcript_on_stdout(ko_model_dir: Path) -> None:
    path = human_clips()[3].path
    done = run("transcribe", str(path), "--model", str(ko_model_dir))
    assert done.returncode == 0, done.stderr
    assert re.search(r"[\uac00-\ud7a3]", done.stdout)  # the Korean model's words


def test_transcribe_without_a_model_says_how_to_get_one() -> None:
    if (ROOT / "models" / "vosk-model-small-nl-0.22").exists():
        pytest.skip("the default model is installed here, so there is no missing model")
    path = human_clips()[0].path
    done = run("transcribe", str(path))
    assert done.returncode == 2
    assert "hartsverbinding model download" in done.stderr and not done.stdout


def test_transcribe_a_missing_file(ko_model_dir: Path) -> None:
    done = run("transcribe", "nowhere.wav", "--model", str(ko_model_dir))
    assert done.returncode == 2 and "no such audio file" in done.stderr


def test_transcribe_a_folder_says_it_is_a_folder(ko_model_dir: Path, tmp_path: Path) -> None:
    done = run("transcribe", str(tmp_path), "--model", str(ko_model_dir))
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"hartsverbinding: {tmp_path} is a folder; give one audio file (a WAV recording) in it."
    )


def test_devices_lists_inputs_with_their_rates(pulse: PulseServer) -> None:
    done = run("devices", env=pulse.env)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^\s*\d+\s+pulse\s+\d+ in\s+44100 Hz", done.stdout, re.MULTILINE)
