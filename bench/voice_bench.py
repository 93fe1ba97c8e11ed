"""Time to first audio for a prompt (cold and cached) and the render time of the exercise.

    .venv/bin/python bench/voice_bench.py                  # the exercise from content/nl
    .venv/bin/python bench/voice_bench.py --content DIR    # another content folder
    .venv/bin/python bench/voice_bench.py --lines FILE     # one line per row

Prints figures only; every run starts from an empty cache in a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from assistant.audio import AudioChunk
from assistant.dialog.messages import Style
from assistant.voice import CachedVoice, Pyttsx3Voice, VoiceSettings

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, help="content folder (default: content/nl)")
    parser.add_argument("--lines", type=Path, help="a text file with one line per row")
    args = parser.parse_args()
    lines = exercise_lines(args.content, args.lines)
    settings = VoiceSettings()

    with tempfile.TemporaryDirectory(prefix="hv-voice-bench-") as folder:
        cache = Path(folder)
        print(f"Python {sys.version.split()[0]}, {len(lines)} exercise lines")

        voice = CachedVoice(Pyttsx3Voice(settings), cache)
        audio, cold = timed(lambda: voice.render(PROMPT, Style.PROMPT))
        print(f"{'prompt, cold (no worker yet, empty cache)':44} {cold * 1000:8.1f} ms")
        print(f"  ({audio.seconds:.2f} s of speech; {voice.inner.identity(Style.PROMPT)})")
        _, warm = timed(lambda: voice.render(PROMPT + " Of zeg stop.", Style.PROMPT))
        print(f"{'prompt, not cached, next worker just started':44} {warm * 1000:8.1f} ms")
        _, cached = timed(lambda: voice.render(PROMPT, Style.PROMPT))
        print(f"{'prompt, cached, same session':44} {cached * 1000:8.1f} ms")
        voice.close()

        fresh = CachedVoice(Pyttsx3Voice(settings), cache)
        _, cached_new = timed(lambda: fresh.render(PROMPT, Style.PROMPT))
        print(f"{'prompt, cached, new session (lists voices)':44} {cached_new * 1000:8.1f} ms")

        guide = [(line, Style.GUIDE) for line in lines]
        count, render_all = timed(lambda: fresh.prepare(guide))
        print(f"{f'exercise, render {count} lines (prepare)':44} {render_all:8.2f} s")
        spoken: list[AudioChunk]
        spoken, read_all = timed(lambda: [fresh.render(line, style) for line, style in guide])
        total = sum(chunk.seconds for chunk in spoken)
        print(f"{f'exercise, all {len(spoken)} lines from the cache':44} {read_all:8.2f} s")
        print(f"  ({total:.1f} s of speech; cache {fresh.hits} hits, {fresh.misses} misses)")
        fresh.close()


if __name__ == "__main__":
    main()
