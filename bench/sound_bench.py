"""What clean sound costs, and what the loudness normalisation does to the exercise's lines.

    .venv/bin/python bench/sound_bench.py                 # everything
    .venv/bin/python bench/sound_bench.py --seconds 600   # a longer microphone stream

Prints figures only:
- resampling: CPU time per second of audio for the microphone's stream (48 and 44.1 kHz to
  16 kHz in 100 ms blocks, with soxr, against the old np.interp), and for one-shot conversion of
  a spoken line to the speaker's rate (22.05 to 48 kHz);
- loudness: each exercise line as espeak-ng renders it, and after the cache has normalised
  it (BS.1770 integrated loudness, true peak), the spread before and after, and the time the
  normalisation takes per second of speech;
- the loudness meter: the numpy one here against pyloudnorm, with the time and resident
  memory importing pyloudnorm (scipy.signal) costs (measured in fresh processes).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.audio import AudioChunk, StreamResampler, read_wav, resample  # noqa: E402
from assistant.dialog.messages import Style  # noqa: E402
from assistant.loudness import SPEECH_LUFS, integrated_loudness, true_peak_dbfs  # noqa: E402
from assistant.voice import CachedVoice, Pyttsx3Voice, VoiceSettings  # noqa: E402
from assistant.voice.cache import finish_line  # noqa: E402
from bench.voice_bench import exercise_lines  # noqa: E402


def cpu() -> float:
    return time.process_time()


def interp(chunk: AudioChunk, rate: int) -> AudioChunk:
    """The old resampler, for comparison: linear interpolation, no filter."""
    source = chunk.array().astype(np.float64)
    count = round(chunk.frames * rate / chunk.rate)
    positions = np.arange(count) * (chunk.rate / rate)
    return AudioChunk.from_array(np.interp(positions, np.arange(chunk.frames), source), rate)


def microphone_blocks(rate: int, seconds: float) -> list[AudioChunk]:
    rng = np.random.default_rng(1)
    step = rate // 10
    values = rng.normal(0, 3000, round(seconds * rate))
    whole = AudioChunk.from_array(values, rate)
    data = whole.samples
    return [AudioChunk(data[i : i + 2 * step], rate) for i in range(0, len(data), 2 * step)]


def bench_resampling(seconds: float) -> None:
    print(f"Resampling ({seconds:g} s of audio each; CPU time per second of audio)")
    for rate in (48000, 44100):
        blocks = microphone_blocks(rate, seconds)
        resampler = StreamResampler(rate, 16000)
        started = cpu()
        for block in blocks:
            resampler(block)
        streamed = (cpu() - started) / seconds
        started = cpu()
        for block in blocks:
            interp(block, 16000)
        old = (cpu() - started) / seconds
        print(
            f"  microphone {rate / 1000:g} -> 16 kHz, 100 ms blocks: soxr stream "
            f"{streamed * 1000:.3f} ms/s ({streamed * 100:.4f} % of a core); "
            f"np.interp was {old * 1000:.3f} ms/s"
        )
    line = AudioChunk.from_array(np.random.default_rng(2).normal(0, 3000, 22050 * 5), 22050)
    repeats = max(1, round(seconds / 5))
    started = cpu()
    for _ in range(repeats):
        resample(line, 48000)
    oneshot = (cpu() - started) / (5 * repeats)
    print(f"  speaker, a 5 s line 22.05 -> 48 kHz in one piece: {oneshot * 1000:.3f} ms/s")


HUMAN = ROOT.parent / "shared" / "audio" / "nl-human"  # stand-ins for the coach's recordings


def bench_loudness(lines: list[str]) -> None:
    voice = Pyttsx3Voice(VoiceSettings())
    with tempfile.TemporaryDirectory(prefix="hv-sound-bench-") as folder:
        cache = CachedVoice(voice, Path(folder))
        items = [(text[:48], voice.render(text, Style.GUIDE)) for text in lines]
        cache.close()
    exercise = len(items)
    items += [(path.name, read_wav(path)) for path in sorted(HUMAN.glob("*.wav"))]
    print(
        f"\nLoudness of the {exercise} exercise lines (espeak-ng, guide style) and "
        f"{len(items) - exercise} recorded Dutch voices; target {SPEECH_LUFS:g} LUFS"
    )
    print(f"  {'seconds':>7} {'raw LUFS':>9} {'kept LUFS':>9} {'true peak':>9}  line")
    raw_levels: list[float] = []
    done_levels: list[float] = []
    checked: list[float | None] = []
    peaks: list[float] = []
    spent = speech = 0.0
    for name, raw in items:
        started = cpu()
        done = finish_line(raw)
        spent += cpu() - started
        speech += raw.seconds
        raw_levels.append(integrated_loudness(raw))
        done_levels.append(integrated_loudness(done))
        checked.append(_pyloudnorm(done))
        peaks.append(true_peak_dbfs(done))
        print(
            f"  {raw.seconds:7.2f} {raw_levels[-1]:9.2f} {done_levels[-1]:9.2f} "
            f"{peaks[-1]:9.2f}  {name}"
        )
    groups = (
        ("exercise lines, raw", raw_levels[:exercise]),
        ("recordings, raw", raw_levels[exercise:]),
        ("all, raw", raw_levels),
        ("all, normalised", done_levels),
        ("all, normalised, by pyloudnorm", checked),
    )
    for name, maybe_levels in groups:
        levels = [level for level in maybe_levels if level is not None]
        if not levels or len(levels) < len(maybe_levels):
            continue  # pyloudnorm is not installed
        print(
            f"  {name:31} spread {max(levels) - min(levels):5.2f} LU "
            f"(min {min(levels):.2f}, max {max(levels):.2f}, "
            f"stdev {statistics.pstdev(levels):.2f})"
        )
    print(f"  highest true peak after normalisation: {max(peaks):.2f} dBFS")
    print(
        f"  normalisation (fades, meter, true peak, gain): {spent * 1000 / speech:.2f} ms "
        f"CPU per second of speech ({speech:.1f} s of speech in all)"
    )


def _pyloudnorm(chunk: AudioChunk) -> float | None:
    try:
        import pyloudnorm
    except ImportError:
        return None
    return float(pyloudnorm.Meter(chunk.rate).integrated_loudness(chunk.array() / 32768.0))


# Current resident memory from /proc (ru_maxrss would carry the parent's peak over the fork).
IMPORT_COST = """
import time
import numpy
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before = rss()
started = time.perf_counter()
import {module}
took = time.perf_counter() - started
print(f"{{took * 1000:.0f}} {{rss() - before:.1f}}")
"""


def bench_meter() -> None:
    print("\nThe loudness meter")
    for module in ("assistant.loudness", "pyloudnorm"):
        runs = []
        for _ in range(3):
            done = subprocess.run(
                [sys.executable, "-c", IMPORT_COST.format(module=module)],
                capture_output=True,
                text=True,
                check=True,
            )
            took_text, grew_text = done.stdout.split()
            runs.append((float(took_text), float(grew_text)))
        took = statistics.median(run[0] for run in runs)
        grew = statistics.median(run[1] for run in runs)
        print(f"  import {module:20} {took:6.0f} ms, resident memory +{grew:.1f} MB")
    try:
        import pyloudnorm
    except ImportError:
        print("  (pyloudnorm is not installed: pip install -e '.[dev]')")
        return
    rng = np.random.default_rng(4)
    chunk = AudioChunk.from_array(rng.normal(0, 3000, 22050 * 10), 22050)
    meter = pyloudnorm.Meter(22050)
    for name, measure in (
        ("numpy meter", lambda: integrated_loudness(chunk)),
        ("pyloudnorm", lambda: meter.integrated_loudness(chunk.array() / 32768.0)),
    ):
        started = cpu()
        for _ in range(10):
            level = measure()
        print(
            f"  {name:12} {((cpu() - started) / 100) * 1000:.2f} ms per second of audio "
            f"(noise reads {level:.2f} LUFS)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="audio per resampler run")
    parser.add_argument("--content", type=Path, help="content folder (default: content/nl)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}")
    bench_resampling(args.seconds)
    bench_loudness(exercise_lines(args.content, None))
    bench_meter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of this bench: {peak:.0f} MB")


if __name__ == "__main__":
    main()
