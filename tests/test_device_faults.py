"""Device faults in the middle of a session: the microphone or the sound output fails or
vanishes, the assistant says so, keeps the session and its answers, retries the device and
carries on when it is back.

For real: a whole session on a private PulseAudio server that is stopped and started again
(PortAudio has no hot-plug, so coming back needs PortAudio re-initialised). Faults a real
device cannot be made to show on demand (a stream whose every call raises) come from fakes
behind the same small factories the real devices use.
"""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, rms, split, write_wav
from assistant.backoff import Backoff
from assistant.dialog.messages import Begin, Notice, NoticeKind, Pause, Say, Style
from assistant.hearing import ListenMode, MicrophoneBack, MicrophoneLost, Utterance
from assistant.journal.markdown import Labels, parse
from assistant.journal.store import Journal
from assistant.microphone import DeviceMicrophone
from assistant.microphone import device as device_module
from assistant.microphone.device import Callback
from assistant.portaudio import PORTAUDIO, PortAudio
from assistant.recognizer import VoiceInput
from assistant.session.runtime import Session
from assistant.session.spoken import SpokenOutput
from assistant.session.voice_io import VoiceListening
from assistant.speaker import ClockSpeaker, DeviceSpeaker, Segment, SpeakerError
from tests.fakes import MARK, SETTINGS, Answers, Commands, numbered, wait_for
from tests.helpers import KOREAN_YES, ROOT, espeak, human_clips, korean_yes_content, require_espeak
from tests.pulse import PulseServer, daemons, start_pulse

pytestmark = [pytest.mark.files, pytest.mark.pulse, pytest.mark.vosk, pytest.mark.voice]


@pytest.fixture(autouse=True)
def no_sound_server_left_behind() -> Iterator[None]:
    """These tests stop and start PulseAudio servers: none they start may outlive them."""
    before = daemons()
    yield
    left = daemons() - before
    assert not left, f"pulseaudio processes left running: {sorted(left)}"


# --- the microphone: a stream that raises, through the real DeviceMicrophone and VoiceInput --


class FakeDevice:
    """One input device behind every stream the factory makes. It can vanish; like a real
    device under PortAudio it is only found again after PortAudio is re-initialised."""

    def __init__(self) -> None:
        self.plugged = True
        self.visible = True  # what PortAudio's device list says: refreshed only by a restart
        self.streams: list[FakeStream] = []
        self.refused = 0  # opens refused while the device was away or not yet seen again
        self.portaudio = PortAudio(restart=self._restart)

    def _restart(self) -> None:
        self.visible = self.plugged

    def factory(
        self, device: str | int | None, callback: Callback, finished: Callable[[], None]
    ) -> FakeStream:
        if not (self.plugged and self.visible):
            self.refused += 1
            raise RuntimeError("Error querying device -1")  # not a MicrophoneError
        stream = FakeStream(self, callback)
        self.streams.append(stream)
        return stream

    def unplug(self) -> None:
        self.plugged = self.visible = False
        for stream in self.streams:
            stream.broken = True

    def say(self, *values: int) -> None:
        """Audio reaches whichever stream is running now, as from PortAudio's thread."""
        live = [s for s in self.streams if s.running and not s.broken]
        for value in values:
            for stream in live:
                stream.callback(numbered(value).samples, 1600, None, None)


class FakeStream:
    """A stream on a device that vanished does not end politely: every call raises."""

    samplerate = 16000.0
    channels = 1

    def __init__(self, device: FakeDevice, callback: Callback) -> None:
        self.device = device
        self.callback = callback
        self.running = False
        self.broken = False

    def _check(self) -> None:
        if self.broken:
            raise RuntimeError("Stream is stopped: Device unavailable [PaErrorCode -9985]")

    @property
    def active(self) -> bool:
        self._check()
        return self.running

    def start(self) -> None:
        self._check()
        self.running = True

    def stop(self) -> None:
        self._check()
        self.running = False

    def close(self) -> None:
        self.running = False
        self._check()


@pytest.fixture
def fake_device() -> Iterator[tuple[FakeDevice, VoiceInput, Answers]]:
    device = FakeDevice()
    mic = DeviceMicrophone(
        "usb", stream_factory=device.factory, portaudio=device.portaudio, queue_seconds=2.0
    )
    answers = Answers()
    voice = VoiceInput(mic, Commands(), answers, SETTINGS, report_microphone=True)
    yield device, voice, answers
    voice.close()


def heard_within(voice: VoiceInput, seconds: float) -> list[object]:
    """Everything the thread gives out (heard speech and microphone news) for `seconds`."""
    found: list[object] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        item = voice.get(left)
        if item is not None:
            found.append(item)
    return found


def test_a_microphone_that_raises_is_reported_once_retried_and_heard_again(
    fake_device: tuple[FakeDevice, VoiceInput, Answers],
) -> None:
    device, voice, _answers = fake_device
    voice.set_mode(ListenMode.COMMAND)
    time.sleep(0.2)
    device.say(1, 2, 3, 4, MARK)  # the first three are the hold-off after switching on
    assert voice.get(5) == Utterance("volgende")

    device.unplug()
    lost = voice.get(5)
    assert isinstance(lost, MicrophoneLost) and "usb" in lost.reason
    # Retried while it is away (each time with PortAudio re-initialised, since a vanished
    # device is not found otherwise), and not reported again however often that fails.
    wait_for(lambda: device.refused >= 2, 10, "two refused reopens")
    assert device.portaudio.restarts >= 2
    assert voice.get(0.3) is None

    device.plugged = True
    wait_for(lambda: any(s.running for s in device.streams if not s.broken), 15, "a reopen")
    assert voice.get(0.3) is None  # a stream that opens is not yet audio
    device.say(1, 2, MARK)
    # Back once, before what is heard from then on; and it keeps delivering.
    assert heard_within(voice, 1.0) == [MicrophoneBack(), Utterance("volgende")]
    device.say(3, MARK)
    assert heard_within(voice, 1.0) == [Utterance("volgende")]
    assert voice.mode == "command"


def test_half_an_answer_is_kept_when_the_microphone_goes(
    fake_device: tuple[FakeDevice, VoiceInput, Answers],
) -> None:
    """What was said of an answer before the microphone went is delivered as the answer, so
    that it is read back and written to the journal rather than forgotten."""
    device, voice, answers = fake_device
    voice.set_mode(ListenMode.ANSWER)
    time.sleep(0.5)
    device.say(1, 2, 3, 4, 5, 6)
    wait_for(lambda: len(answers.fed) >= 3, 5, "the answer to start")
    device.unplug()
    assert isinstance(voice.get(5), MicrophoneLost)
    heard = voice.get(5)
    assert isinstance(heard, Utterance) and heard.recording is not None
    assert heard.text == f"{len(heard.recording.samples) // 3200} chunks"
    assert list(heard.recording.array()[::1600])[-1] == 6
    assert voice.mode == "off"


def test_the_runtime_is_told_lost_once_and_back_once(
    fake_device: tuple[FakeDevice, VoiceInput, Answers],
) -> None:
    """VoiceListening turns the news into the runtime's device notices, between utterances."""
    device, voice, _answers = fake_device
    listening = VoiceListening(voice)
    listening.listen(ListenMode.COMMAND)
    got: list[object] = []

    def collect(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            item = listening.get(0.5)
            if item is not None:
                got.append(item)

    time.sleep(0.5)
    device.unplug()
    collect(2.0)
    assert got == [Notice(NoticeKind.MICROPHONE_LOST)]
    device.plugged = True
    wait_for(lambda: any(s.running for s in device.streams if not s.broken), 15, "a reopen")
    device.say(*range(10, 20), MARK)
    collect(2.0)
    assert got == [
        Notice(NoticeKind.MICROPHONE_LOST),
        Notice(NoticeKind.MICROPHONE_BACK),
        Utterance("volgende"),
    ]


def test_a_stream_that_stalls_without_ending_is_a_lost_microphone(
    fake_device: tuple[FakeDevice, VoiceInput, Answers], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No error, no end, just no more audio (a stalled driver): after STALL_SECONDS of nothing
    from a device that always delivers (silence too), it counts as lost and is reopened."""
    monkeypatch.setattr(device_module, "STALL_SECONDS", 0.5)
    device, voice, _answers = fake_device
    voice.set_mode(ListenMode.COMMAND)
    time.sleep(0.2)
    device.say(1, 2, 3, 4, MARK)
    assert voice.get(5) == Utterance("volgende")
    stalled = device.streams[-1]
    assert isinstance(voice.get(5), MicrophoneLost)  # nothing came, though it still "runs"
    assert stalled.running is False  # closed, and a new stream opened in its place
    wait_for(lambda: len(device.streams) == 2 and device.streams[1].running, 10, "a reopen")
    device.say(1, 2, MARK)
    # (Then this fake stalls again, so more news follows; the first two are what counts.)
    assert heard_within(voice, 1.0)[:2] == [MicrophoneBack(), Utterance("volgende")]


def test_a_portaudio_restart_by_someone_else_reopens_a_working_microphone_quietly() -> None:
    """The speaker retrying its device re-initialises PortAudio, which ends every stream: the
    microphone opens a new one at once and nothing is reported."""
    device = FakeDevice()
    mic = DeviceMicrophone("usb", stream_factory=device.factory, portaudio=device.portaudio)
    voice = VoiceInput(mic, Commands(), Answers(), SETTINGS)
    try:
        voice.set_mode(ListenMode.COMMAND)
        time.sleep(0.2)
        device.say(1, 2, 3)  # the hold-off after switching on
        time.sleep(0.2)
        device.portaudio.restart(device.portaudio.generation)
        assert len(device.streams) == 2 and device.streams[1].running
        assert not device.streams[0].running  # the old one was closed before the restart
        device.say(1, 2, MARK)
        assert voice.get(5) == Utterance("volgende")
        assert voice.get(0.3) is None and voice.errors == 0
    finally:
        voice.close()


# --- the speaker: SpokenOutput over a device that fails and comes back ----------------------


class ToneVoice:
    """Renders every line as a tone of `seconds`, so a line's time is known exactly."""

    def __init__(self, seconds: float = 0.4) -> None:
        self.seconds = seconds

    def render(self, text: str, style: Style) -> AudioChunk:
        t = np.arange(round(self.seconds * 22050)) / 22050
        return AudioChunk.from_array(8000 * np.sin(2 * np.pi * 440 * t), 22050)

    render_private = render

    def retune(self, rate_factor: float) -> None:
        pass

    def close(self) -> None:
        pass


class FlakySpeaker:
    """A sound device that plays in real time (by the clock), can fail, and refuses to
    reopen while it is away."""

    def __init__(self) -> None:
        self.clock = ClockSpeaker()
        self.failure: str | None = None
        self.away = False
        self.played: list[Segment] = []
        self.reopens = 0
        self.stops = 0

    def play(self, segment: Segment) -> None:
        if self.failure is not None:
            raise SpeakerError(f"The sound output stopped: {self.failure}")
        self.played.append(segment)
        self.clock.play(segment)

    def wait(self, timeout: float) -> bool:
        played = self.clock.wait(timeout)
        return played and self.failure is None  # a failure wakes the waiter: not played

    def stop(self) -> None:
        self.stops += 1
        self.clock.stop()

    def close(self) -> None:
        pass

    def fail(self) -> None:
        self.failure, self.away = "the device stopped working", True
        self.clock.stop()

    def reopen(self) -> None:
        self.reopens += 1
        if self.away:
            raise SpeakerError("Cannot play sound on the default sound output")
        self.failure = None


def _play(output: SpokenOutput, item: Say | Pause) -> float:
    """Start an item and wait for its end like the runtime does; the seconds it took."""
    started = time.monotonic()
    output.start(item)
    while not output.wait(0.05):
        pass
    return time.monotonic() - started


def test_a_failed_speaker_prints_keeps_time_and_comes_back() -> None:
    speaker, captions = FlakySpeaker(), io.StringIO()
    output = SpokenOutput(ToneVoice(0.4), speaker, captions, pace=1.0, retry=Backoff(0.05))
    try:
        _play(output, Say("een"))
        assert [s.text for s in speaker.played] == ["een"]

        speaker.fail()
        took = _play(output, Say("twee"))  # no exception: printed, and it takes its time
        assert took >= 0.4
        assert output.take_notices() == [NoticeKind.SPEAKER_LOST]
        assert _play(output, Pause(0.5)) >= 0.5  # a pause is still a pause
        assert _play(output, Say("drie")) >= 0.4
        assert captions.getvalue().splitlines() == ["een", "twee", "drie"]
        wait_for(lambda: speaker.reopens >= 3, 5, "retries")
        assert output.take_notices() == []  # retried, but told only once

        speaker.away = False
        wait_for(lambda: speaker.failure is None, 5, "the device back")
        assert output.take_notices() == [NoticeKind.SPEAKER_BACK]
        _play(output, Say("vier"))
        assert [s.text for s in speaker.played] == ["een", "vier"]  # heard again
        assert output.sound
    finally:
        output.close()


def test_a_speaker_failing_in_the_middle_of_a_pause_keeps_the_rest_of_it() -> None:
    speaker = FlakySpeaker()
    output = SpokenOutput(ToneVoice(), speaker, io.StringIO(), pace=1.0, retry=Backoff(5))
    try:
        started = time.monotonic()
        output.start(Pause(1.0))
        threading.Timer(0.3, speaker.fail).start()
        while not output.wait(0.05):
            pass
        assert speaker.failure is not None  # it failed before the pause was over...
        assert time.monotonic() - started >= 1.0  # ...and the pause still lasted its second
        assert output.take_notices() == [NoticeKind.SPEAKER_LOST]
    finally:
        output.close()


# --- the speaker on a real device: PulseAudio stopped and started again --------------------


@pytest.fixture
def portaudio_on(portaudio_on_pulse: PulseServer) -> PulseServer:
    return portaudio_on_pulse


def _record(pulse: PulseServer, path: Path) -> subprocess.Popen[bytes]:
    command = ["parec", "-d", "speaker.monitor", "--rate", "16000", "--channels", "1"]
    command += ["--format", "s16le", "--file-format=wav", str(path)]
    return subprocess.Popen(command, env=pulse.env)


@pytest.mark.slow
def test_sound_stops_with_the_server_and_resumes_when_it_is_back(
    portaudio_on: PulseServer, tmp_path: Path
) -> None:
    pulse = portaudio_on
    speaker = DeviceSpeaker()
    captions = io.StringIO()
    output = SpokenOutput(ToneVoice(0.5), speaker, captions, pace=1.0, retry=Backoff(0.2, 1.0))
    try:
        _play(output, Say("een"))
        assert output.take_notices() == []

        started = time.monotonic()
        output.start(Pause(2.0))
        time.sleep(0.5)
        pulse.stop()
        while not output.wait(0.05):
            pass
        assert time.monotonic() - started >= 2.0  # the pause kept its time without a device
        assert speaker.failure is not None
        assert _play(output, Say("twee")) >= 0.5
        assert output.take_notices() == [NoticeKind.SPEAKER_LOST]
        assert not output.sound
        # The microphone retrying meanwhile re-initialises PortAudio while the server is away:
        # PortAudio then knows no devices at all, and only another restart finds them again.
        # (False only when the speaker's own retry has just done the same.)
        PORTAUDIO.restart(PORTAUDIO.generation)

        start_pulse(pulse.runtime_dir)  # the same server again, in the same place
        wait_for(lambda: speaker.failure is None, 30, "the device back")
        assert output.take_notices() == [NoticeKind.SPEAKER_BACK]

        recording = tmp_path / "monitor.wav"
        recorder = _record(pulse, recording)
        try:
            time.sleep(1.0)
            for _ in range(3):  # a fresh null sink mangles its first second or two
                _play(output, Say("drie"))
            time.sleep(2.0)  # what PulseAudio still holds reaches the monitor
        finally:
            recorder.terminate()
            recorder.wait(10)
        assert output.sound
        assert rms(read_wav(recording)) > 1000  # the tone, heard again
        assert captions.getvalue().splitlines() == ["een", "twee", "drie", "drie", "drie"]
    finally:
        output.close()


@pytest.mark.slow
def test_a_restart_for_the_microphone_does_not_break_the_sound(
    portaudio_on: PulseServer, tmp_path: Path
) -> None:
    """The microphone retrying re-initialises PortAudio while a line plays: the speaker reopens
    its stream at once, reports no failure, and the line plays to its end."""
    speaker = DeviceSpeaker()
    output = SpokenOutput(ToneVoice(0.5), speaker, io.StringIO(), pace=1.0)
    try:
        _play(output, Say("een"))
        output.start(Say("twee"))
        time.sleep(0.5)
        assert PORTAUDIO.restart(PORTAUDIO.generation)
        while not output.wait(0.05):
            pass
        assert speaker.failure is None and output.sound
        assert output.take_notices() == []
        recording = tmp_path / "monitor.wav"
        recorder = _record(portaudio_on, recording)
        try:
            time.sleep(1.0)
            _play(output, Say("drie"))
            _play(output, Say("vier"))
            time.sleep(2.0)
        finally:
            recorder.terminate()
            recorder.wait(10)
        assert rms(read_wav(recording)) > 1000
    finally:
        output.close()


# --- the runtime: a session goes on over a failed speaker ----------------------------------


class TypedAnswers:
    """Input that answers every question and confirms it, as typed lines."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def listen(self, mode: ListenMode) -> None:
        pass

    def get(self, timeout: float) -> Utterance | Notice | None:
        return Utterance(self.lines.pop(0)) if self.lines else None

    def close(self) -> None:
        pass


def _session_over_flaky_speaker(
    content: Any, tmp_path: Path
) -> tuple[Session, FlakySpeaker, io.StringIO]:
    speaker, captions = FlakySpeaker(), io.StringIO()
    output = SpokenOutput(ToneVoice(0.01), speaker, captions, pace=0.0, retry=Backoff(0.05))
    original = output.start

    def start(item: Any) -> None:  # the device fails at question 2 and is back at question 3
        if isinstance(item, Say) and item.text.startswith("Vraag 2 van"):
            speaker.fail()
        if isinstance(item, Say) and item.text.startswith("Vraag 3 van"):
            speaker.away = False
            wait_for(lambda: speaker.failure is None, 5, "the device back")
        original(item)

    output.start = start  # type: ignore[method-assign]
    lines = [line for n in range(1, 4) for line in (f"Antwoord {n}", "ja")] + ["stop"]
    journal = Journal(tmp_path / "journal", Labels(**content.journal))
    session = Session(content, output, TypedAnswers(lines), journal, 30, lambda _: None)
    return session, speaker, captions


def test_a_session_goes_on_over_a_failed_speaker_and_keeps_every_answer(
    content: Any, tmp_path: Path
) -> None:
    session, speaker, captions = _session_over_flaky_speaker(content, tmp_path)
    session.run(Begin("vragen", None))
    printed = captions.getvalue()
    assert "Vraag 2 van 10" in printed and "Vraag 4 van 10" in printed
    heard = [s.text for s in speaker.played if s.kind == "speech"]
    assert any(t.startswith("Vraag 1 van") for t in heard)
    assert not any(t.startswith("Vraag 2 van") for t in heard)  # printed only
    assert any(t.startswith("Vraag 4 van") for t in heard)  # sound again
    files = sorted((tmp_path / "journal").glob("*.md"))
    record = parse(files[0].read_text(encoding="utf-8"), files[0].stem)
    assert [(a.number, a.text, a.confirmed) for a in record.answers] == [
        (1, "Antwoord 1", True),
        (2, "Antwoord 2", True),
        (3, "Antwoord 3", True),
    ]


def test_the_assistant_says_the_speaker_went_and_came_back(content: Any, tmp_path: Path) -> None:
    session, _speaker, captions = _session_over_flaky_speaker(content, tmp_path)
    session.run(Begin("vragen", None))
    printed = captions.getvalue().splitlines()
    assert printed.count(content.line("speaker_lost")) == 1
    assert printed.count(content.line("speaker_back")) == 1


# --- a whole session through the command line: PulseAudio stopped and started again --------


WINDOW = 6.0  # seconds to wait for a reply before saying it again


def _short_spoken_content(folder: Path) -> Path:
    """The Korean "ja" variant with a short intro and read-back: less time spent listening to
    the assistant through PulseAudio's long latency."""
    variant = korean_yes_content(folder)
    practice = next((variant / "practices").glob("*vragen*.yaml"))
    text = practice.read_text(encoding="utf-8")
    start, end = text.index("intro: >"), text.index("questions:")
    practice.write_text(text[:start] + "intro: Begin.\n" + text[end:], encoding="utf-8")
    lines = variant / "assistant.yaml"
    text = lines.read_text(encoding="utf-8")
    long = '  read_back: "Ik hoorde: {answer}. Zeg ja om het te bewaren, of opnieuw om het nog '
    assert long in text
    start = text.index(long)
    end = text.index("\n", start)
    lines.write_text(text[:start] + '  read_back: "Ik hoorde: {answer}."' + text[end:])
    return variant


def _wait_line(lines: list[str], needle: str, timeout: float, count: int = 1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(needle in line for line in lines) >= count:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_a_session_survives_the_sound_server_going_away_and_coming_back(
    tmp_path: Path, pulse: PulseServer, ko_model_dir: Path, content: Any
) -> None:
    """`hartsverbinding vragen` on PulseAudio (sink 'speaker' out, 'mic.monitor' in). After
    the first answer is confirmed the server is stopped: the assistant says the microphone and
    the sound are gone and does not exit. The server is started again in the same place: the
    assistant says both are back, is heard again, and a second answer is heard, confirmed and
    written, next to the first one, untouched."""
    require_espeak()
    variant = _short_spoken_content(tmp_path)
    config = tmp_path / "config.yaml"
    # No reminders in the middle of the test; an answer ends after a second of silence.
    config.write_text("patience: 600\nanswer_silence: 1.0\n")
    clip, yes = tmp_path / "answer.wav", tmp_path / "yes.wav"
    write_wav(clip, human_clips()[0].audio())
    write_wav(yes, espeak(KOREAN_YES, "ko"))
    journal = tmp_path / "journal"
    env = dict(pulse.env, PYTHONUNBUFFERED="1", XDG_CACHE_HOME=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "assistant", "vragen", "--model", str(ko_model_dir)]
    command += ["--content", str(variant), "--journal", str(journal), "--config", str(config)]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    lines: list[str] = []
    errors: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()  # type: ignore[arg-type]
    threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True).start()  # type: ignore[arg-type]

    def play(path: Path) -> None:
        subprocess.run(["paplay", "--device=mic", str(path)], env=pulse.env, timeout=60)

    def answers() -> list[Any]:
        files = sorted(journal.glob("*.md"))
        return parse(files[0].read_text(encoding="utf-8"), files[0].stem).answers if files else []

    def answer_and_confirm(number: int) -> None:
        """Say the answer until it is read back, then the confirming word until the next
        question comes (said too early, while the assistant talks, it is not listened to)."""
        for _ in range(6):
            play(clip)
            if _wait_line(lines, "Ik hoorde", WINDOW, count=number):
                break
        else:
            raise AssertionError("the answer was never read back:\n" + "".join(lines))
        for _ in range(6):
            play(yes)
            if _wait_line(lines, f"Vraag {number + 1} van 10", WINDOW):
                return
        raise AssertionError("the answer was never confirmed:\n" + "".join(lines))

    lost, back = content.line("microphone_lost"), content.line("microphone_back")
    try:
        assert _wait_line(lines, "Vraag 1 van 10", 90), "".join(lines) + "".join(errors)
        answer_and_confirm(1)
        before = answers()
        assert len(before) == 1 and before[0].confirmed and before[0].recording

        pulse.stop()
        assert _wait_line(lines, lost.split(".")[0], 30), "".join(lines)
        time.sleep(3)  # retries fail meanwhile; nothing more is said about it
        assert process.poll() is None, "".join(errors)
        assert sum(lost.split(".")[0] in line for line in lines) == 1

        start_pulse(pulse.runtime_dir)
        recorder = _record(pulse, tmp_path / "after.wav")  # what the assistant plays now
        assert _wait_line(lines, back, 40), "".join(lines) + "".join(errors)
        answer_and_confirm(2)
        time.sleep(2)  # PulseAudio's latency: the last line reaches the monitor
        recorder.terminate()
        recorder.wait(10)
        after = answers()
        assert [(a.number, a.confirmed) for a in after] == [(1, True), (2, True)]
        assert after[0] == before[0]  # the answer from before the outage, untouched
        assert after[1].recording
        process.send_signal(signal.SIGINT)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode == 130, "".join(errors)
    assert "Traceback" not in "".join(errors)
    assert sum(lost.split(".")[0] in line for line in lines) == 1
    assert sum(back in line for line in lines) == 1
    # The sound output went with the server and came back with it; each said once.
    assert sum(content.line("speaker_lost") in line for line in lines) == 1, "".join(lines)
    assert sum(content.line("speaker_back") in line for line in lines) == 1, "".join(lines)
    heard = read_wav(tmp_path / "after.wav")
    loud = [rms(chunk) for chunk in split(heard, 100)]
    assert max(loud) > 1000, "no sound after the server came back"  # the voice, heard again
