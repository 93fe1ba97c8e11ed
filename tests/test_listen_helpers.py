"""Shared pieces for the listening tests (a module of helpers; it holds no tests itself)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, resample, silence
from assistant.recognizer import load_model
from tests.conftest import korean_model_dir

ROOT = Path(__file__).resolve().parents[1]
NL_HUMAN = ROOT.parent / "shared" / "audio" / "nl-human"
RATE = 16000

DUTCH_REASON = (
    "needs a Dutch Vosk model: set HARTSVERBINDING_MODEL to an unpacked "
    "vosk-model-small-nl-0.22 (none can be downloaded on the build machines)"
)


def human_clips() -> list[tuple[Path, str]]:
    """The real Dutch speech clips and what is said in them."""
    lines = (NL_HUMAN / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(NL_HUMAN / name, text) for name, text in (line.split("\t", 1) for line in lines)]


def speech_with_gaps(
    count: int, gap: float, tail: float, lead: float = 0.5
) -> tuple[AudioChunk, float]:
    """`count` real clips with `gap` seconds of silence between them and `tail` after: the
    audio and where the last clip ends, in seconds."""
    audio = silence(lead, RATE)
    for index, (path, _text) in enumerate(human_clips()[:count]):
        if index:
            audio = audio + silence(gap, RATE)
        audio = audio + resample(read_wav(path), RATE)
    return audio + silence(tail, RATE), audio.seconds


def with_noise(audio: AudioChunk, level: float, seed: int = 1) -> AudioChunk:
    """The audio with steady background noise of RMS `level`, like a room with a fan."""
    noise = np.random.default_rng(seed).normal(0.0, level, audio.frames)
    return AudioChunk.from_array(audio.array().astype(np.float64) + noise, audio.rate)


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


def espeak(text: str, voice: str) -> AudioChunk:
    """`text` spoken by espeak-ng (installed by scripts/setup), at 16 kHz."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: run scripts/setup")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True
        )
        return resample(read_wav(path), RATE)
