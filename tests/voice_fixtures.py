"""Recordings and content for voice tests, built from real parts: human Dutch clips, espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from assistant.audio import AudioChunk, read_wav, resample, silence, write_wav
from tests.helpers import copy_content

NL_HUMAN = Path(__file__).resolve().parents[2] / "shared" / "audio" / "nl-human"
# The Korean test model knows no Dutch; a Korean word it hears reliably stands in for "ja".
KOREAN_YES = "감사합니다"
RATE = 16000


def espeak(text: str, voice: str, folder: Path) -> AudioChunk:
    path = folder / f"espeak-{abs(hash((text, voice)))}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, timeout=30)
    return resample(read_wav(path), RATE)


def human_clips() -> list[AudioChunk]:
    clips = sorted(NL_HUMAN.glob("*.wav"))
    assert clips, f"no Dutch clips in {NL_HUMAN}"
    return [resample(read_wav(path), RATE) for path in clips]


def answers_recording(folder: Path, count: int = 10) -> Path:
    """`count` spoken Dutch answers, each followed by silence and a spoken confirmation."""
    clips = human_clips()
    yes = espeak(KOREAN_YES, "ko", folder)
    audio = silence(0.5, RATE)
    for index in range(count):
        audio = audio + clips[index % len(clips)] + silence(3.5, RATE) + yes + silence(1.5, RATE)
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


def require_espeak() -> None:
    assert shutil.which("espeak-ng"), "espeak-ng is missing: run scripts/setup --dev"
