"""What a coach's pack costs with every line recorded: its size, building it, installing it,
updating it, checking it again (doctor) and listing it.

    .venv/bin/python bench/pack_bench.py

Every recordable line of the shipped content gets a recording of real Dutch speech (the human
clips in a row, cut to the length the line takes at 14 characters a second, about a coach's
pace), as `opnemen` keeps them: 22,050 Hz, 16-bit mono. Prints figures only.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.audio import AudioChunk, read_wav, resample, silence  # noqa: E402
from assistant.content import load_content  # noqa: E402
from assistant.content.recordings import RecordingFolder  # noqa: E402
from assistant.dialog.lines import recordable_lines  # noqa: E402
from assistant.packs import (  # noqa: E402
    TrustStore,
    build_pack,
    install_pack,
    list_packs,
    make_key,
    verify_installed,
)

RATE = 22050
CHARACTERS_PER_SECOND = 14
CLIPS = ROOT.parent / "shared" / "audio" / "nl-human"
META = (
    "name: bench\nversion: {version}\ncoach:\n  name: Coach\n  contact: coach@example.org\n"
    "licence:\n  text: CC BY 4.0\n  recordings: CC BY 4.0\n"
)
T = TypeVar("T")


def speech() -> AudioChunk:
    audio = silence(0.0, RATE)
    for path in sorted(CLIPS.glob("*.wav")):
        audio = audio + resample(read_wav(path), RATE)
    return audio


def record_everything(folder: Path, voice: AudioChunk) -> float:
    """A recording for every line; returns the seconds of speech recorded."""
    recordings = RecordingFolder(folder)
    total, offset = 0.0, 0
    width = 2  # bytes a sample
    for line in recordable_lines(load_content(folder)):
        frames = int(len(line.text) / CHARACTERS_PER_SECOND * RATE)
        samples = (voice.samples * 2)[offset * width : (offset + frames) * width]
        offset = (offset + frames) % voice.frames
        recordings.save(line.key, line.text, AudioChunk(samples, RATE))
        total += frames / RATE
    return total


def timed(what: str, action: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = action()
    print(f"{what}: {time.perf_counter() - started:.2f} s")
    return result


def main() -> None:
    voice = speech()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        folder = root / "content"
        shutil.copytree(ROOT / "content" / "nl", folder)
        (folder / "pack.yaml").write_text(META.format(version="1.0"), encoding="utf-8")
        seconds = record_everything(folder, voice)
        make_key(root / "coach.key")
        lines = len(recordable_lines(load_content(folder)))
        print(f"recorded: {lines} lines, {seconds / 60:.1f} minutes of speech")
        before = peak_megabytes()
        first = timed("build", lambda: build_pack(folder, root / "coach.key", root / "1.0.zip"))
        print(f"pack file: {first.path.stat().st_size / 1e6:.1f} MB")
        packs, trust = root / "packs", TrustStore(root / "trust.yaml")
        timed("install (first)", lambda: install_pack(first.path, packs, trust, lambda s: True))
        practice = folder / "practices" / "20-vragen-zelfcompassie.yaml"
        practice.write_text(practice.read_text("utf-8").replace("zijn?", "zijn, zoals het is?"))
        (folder / "pack.yaml").write_text(META.format(version="1.1"), encoding="utf-8")
        second = build_pack(folder, root / "coach.key", root / "1.1.zip")
        installed = timed("update", lambda: install_pack(second.path, packs, trust, lambda s: True))
        changes = installed.changes
        assert changes is not None and len(changes.reworded) == 1
        timed("verify_installed (doctor)", lambda: verify_installed(packs, "bench"))
        timed("list_packs", lambda: list_packs(packs))
        print(
            f"peak resident memory: {before:.0f} MB before building, {peak_megabytes():.0f} MB "
            "after building, installing, updating, verifying and listing"
        )


def peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
