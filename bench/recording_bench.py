"""What the coach's recordings cost: on disk, when first said in a session, and while recording.

    .venv/bin/python bench/recording_bench.py

Prints figures only:
- a recorded line's first use in a session (read the WAV, fade, loudness step), per second of
  recording, and its later uses (kept in memory);
- a take while recording: the voice-activity detection and trimming, as a real-time factor;
- the size of the recordings for the whole shipped content, estimated from the length of every
  recordable line as the system voice says it (a coach speaks at a similar pace).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.audio import AudioChunk, read_wav, resample, silence, split  # noqa: E402
from assistant.content import load_content  # noqa: E402
from assistant.content.recordings import RecordingFolder  # noqa: E402
from assistant.dialog.lines import recordable_lines  # noqa: E402
from assistant.dialog.messages import Style  # noqa: E402
from assistant.studio.take import TakeRecorder  # noqa: E402
from assistant.voice import CachedVoice, Pyttsx3Voice, VoiceSettings  # noqa: E402
from assistant.voice.recorded import RecordedVoice  # noqa: E402

RATE = 22050
CLIPS = ROOT.parent / "shared" / "audio" / "nl-human"


class _Nothing:
    def render(self, text: str, style: Style) -> AudioChunk:
        raise AssertionError("every line here is recorded")

    render_private = render

    def retune(self, rate_factor: float) -> None:
        pass

    def close(self) -> None:
        pass


def speech() -> AudioChunk:
    """All the human clips in a row, at the rate takes are kept at."""
    audio = silence(0.0, RATE)
    for path in sorted(CLIPS.glob("*.wav")):
        audio = audio + resample(read_wav(path), RATE)
    return audio


def first_use(audio: AudioChunk) -> None:
    with tempfile.TemporaryDirectory() as folder:
        recordings = RecordingFolder(Path(folder))
        paths = {}
        for number, piece in enumerate(split(audio, 4000)):
            recordings.save(f"say.line{number}", f"line {number}", piece)
            paths[f"line {number}"] = recordings.wav(f"say.line{number}")
        voice = RecordedVoice(paths, _Nothing())
        started = time.perf_counter()
        for text in paths:
            voice.render(text, Style.GUIDE)
        first = time.perf_counter() - started
        started = time.perf_counter()
        for text in paths:
            voice.render(text, Style.GUIDE)
        again = time.perf_counter() - started
    print(
        f"recorded line, first use: {first / audio.seconds * 1000:.1f} ms per second of "
        f"recording ({len(paths)} lines of 4 s); later uses: "
        f"{again / len(paths) * 1e6:.0f} µs per line (kept in memory)"
    )


def take_cost(audio: AudioChunk) -> None:
    stream = audio + silence(3.0, RATE)
    started = time.process_time()
    recorder = TakeRecorder(RATE, end_silence=2.5, most=10_000)
    for chunk in split(stream, 100):
        if recorder.feed(chunk) is not None:
            break
    else:
        recorder.finish()
    cost = time.process_time() - started
    print(
        f"take: {cost:.3f} s CPU for {stream.seconds:.1f} s of audio = real-time factor "
        f"{cost / stream.seconds:.4f}"
    )


def content_size() -> None:
    content = load_content(ROOT / "content" / "nl")
    lines = recordable_lines(content)
    with tempfile.TemporaryDirectory() as folder:
        voice = CachedVoice(Pyttsx3Voice(VoiceSettings()), Path(folder))
        try:
            seconds = [voice.render(line.text, line.style).seconds for line in lines]
        finally:
            voice.close()
    total = sum(seconds)
    print(
        f"whole content: {len(lines)} recordable lines, {total / 60:.1f} min as the system "
        f"voice says them (median line {statistics.median(seconds):.1f} s, longest "
        f"{max(seconds):.1f} s); recorded at {RATE} Hz 16-bit mono: about "
        f"{total * RATE * 2 / 1e6:.1f} MB"
    )


def main() -> None:
    audio = speech()
    first_use(audio)
    take_cost(audio)
    content_size()


if __name__ == "__main__":
    main()
