"""The doctor's sound checks: the sound server answers, the speaker plays the bell, and the
microphone opens at its own rate and gives a usable level in a 3-second reading.

They use the same devices the practice uses (DeviceSpeaker, DeviceMicrophone through
open_microphone), so a pass here means the practice can open them too. Each opens its device,
uses it and closes it again before returning.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import socket
import time
from collections.abc import Callable
from pathlib import Path

from assistant.appliance.check import Check, failed, passed, skipped
from assistant.appliance.level import Level, Verdict, measure
from assistant.appliance.service import Runner
from assistant.audio import AudioChunk, write_wav
from assistant.dialog.messages import CueKind
from assistant.i18n import _
from assistant.microphone import MicrophoneError, open_microphone
from assistant.speaker import DeviceSpeaker, Segment, SpeakerError
from assistant.speaker.factory import NO_SOUND
from assistant.voice.cues import BELL_SECONDS, cue_audio

RECORD_SECONDS = 3.0
RATE = 16000  # what the recognizer hears, and what --record keeps


def sound_server(runner: Runner, environ: dict[str, str] | None = None) -> Check:
    """PulseAudio or PipeWire's PulseAudio service answers (`pactl info`, or its socket)."""
    name = _("sound server")
    if platform.system() != "Linux":
        return skipped(name, _("the system's own sound service is used here"))
    ran = runner.run(["env", "LC_ALL=C", "pactl", "info"])  # C: the field names in English
    if ran.ok:
        for line in ran.stdout.splitlines():
            if line.startswith("Server Name:"):
                return passed(name, line.removeprefix("Server Name:").strip())
        return passed(name, _("answers"))
    if ran.returncode == 127:  # no pactl: knock on the sockets instead
        env = os.environ if environ is None else environ
        for path in _server_sockets(env):
            if _answers(path):
                return passed(name, _("answers on {path}").format(path=path))
        why = _("no PulseAudio or PipeWire socket answers")
    else:
        why = ran.why()
    return failed(name, _("not reachable ({why})").format(why=why), sound_server_fix())


def sound_server_fix() -> str:
    return _(
        "Start the sound server: log in on the Pi once, or let it start at boot with "
        "'hartsverbinding service install' (it turns on lingering). Raspberry Pi OS Lite has "
        "none: sudo apt-get install pipewire pipewire-pulse wireplumber"
    )


def _server_sockets(env: os._Environ[str] | dict[str, str]) -> list[Path]:
    paths = []
    server = env.get("PULSE_SERVER", "")
    if server.startswith("unix:"):
        paths.append(Path(server.removeprefix("unix:")))
    if env.get("PULSE_RUNTIME_PATH"):
        paths.append(Path(env["PULSE_RUNTIME_PATH"]) / "native")
    if env.get("XDG_RUNTIME_DIR"):
        runtime = Path(env["XDG_RUNTIME_DIR"])
        paths += [runtime / "pulse" / "native", runtime / "pipewire-0"]
    return paths


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(2.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
        return True


def speaker(choice: str | None) -> Check:
    """The bell played to its end on the configured output (None: the default one)."""
    name = _("speaker")
    if choice is not None and (choice.lower() == NO_SOUND or choice.lower().endswith(".wav")):
        return skipped(
            name, _("the settings choose no sound device ({choice})").format(choice=choice)
        )
    fix = _(
        "Connect a speaker and turn it on, then choose it by name: 'hartsverbinding devices' "
        "shows the line for config.yaml."
    )
    device: str | int | None = int(choice) if choice is not None and choice.isdigit() else choice
    try:
        output = DeviceSpeaker(device)
    except SpeakerError as error:
        return failed(name, error.message, fix)
    try:
        output.play(Segment.cue(cue_audio(CueKind.BELL, output.rate)))
        if not output.wait(BELL_SECONDS + 10.0):
            why = output.failure or _("it did not finish playing")
            return failed(name, _("the bell did not play: {why}").format(why=why), fix)
        return passed(
            name,
            _(
                "played the bell on '{device}' at {rate} Hz (heard nothing? turn the volume "
                "up, for example with alsamixer)"
            ).format(device=output.device_name, rate=output.rate),
        )
    finally:
        output.close()


def microphone(
    choice: str | None,
    record: Path | None = None,
    say: Callable[[str], None] = lambda message: None,
    seconds: float = RECORD_SECONDS,
) -> Check:
    """Open the configured microphone, record `seconds` of what the person says, and judge its
    level. `record` keeps the recording (16 kHz, as the recognizer hears it)."""
    name = _("microphone")
    if choice is not None and choice.lower().endswith(".wav"):
        return skipped(name, _("the settings use a recording ({choice})").format(choice=choice))
    fix = _(
        "Plug in a USB microphone, then choose it by name: 'hartsverbinding devices' shows "
        "the line for config.yaml."
    )
    try:
        mic = open_microphone(choice, RATE)
        mic.start()
    except MicrophoneError as error:
        return failed(name, error.message, fix)
    try:
        say(
            _("Say something for {seconds:g} seconds, as you would in the practice...").format(
                seconds=seconds
            )
        )
        audio = _record(mic.read, seconds)
        rate = getattr(mic, "device_rate", None)
    except MicrophoneError as error:
        return failed(name, error.message, fix)
    finally:
        with contextlib.suppress(MicrophoneError):
            mic.close()
    if audio.frames == 0:
        return failed(name, _("it opened, but gave no sound at all"), fix)
    kept = ""
    if record is not None:
        write_wav(record, audio)
        kept = " " + _("Kept in {path}.").format(path=record)
    return _judge(name, measure(audio), rate, kept)


def _record(read: Callable[[float], AudioChunk | None], seconds: float) -> AudioChunk:
    chunks: list[AudioChunk] = []
    frames = 0
    deadline = time.monotonic() + seconds + 7.0  # a device may take a while to deliver
    while frames < seconds * RATE and time.monotonic() < deadline:
        chunk = read(0.5)
        if chunk is not None:
            chunks.append(chunk)
            frames += chunk.frames
    audio = AudioChunk(b"".join(chunk.samples for chunk in chunks), RATE)
    return AudioChunk(audio.samples[: round(seconds * RATE) * 2], RATE)


def _judge(name: str, level: Level, rate: int | None, kept: str) -> Check:
    opened = _("opened at {rate} Hz").format(rate=rate) if rate else _("opened")
    if level.loudest_dbfs == -math.inf:
        loudest = _("nothing but digital silence")
    else:
        loudest = _("loudest moment {level:.0f} dBFS").format(level=level.loudest_dbfs)
    detail = f"{opened}; {loudest}: "
    if level.verdict is Verdict.TOO_QUIET:
        return failed(
            name,
            detail + _("too quiet") + "." + kept,
            _(
                "Speak during the test. If you did, sit closer or raise the microphone's "
                "level: alsamixer, F4 for the capture level."
            ),
        )
    if level.verdict is Verdict.CLIPPING:
        return failed(
            name,
            detail
            + _("clipping ({share:.1%} of the sound hit the limit).").format(share=level.clipped)
            + kept,
            _("Lower the microphone's level (alsamixer, F4) or sit a little further away."),
        )
    return passed(name, detail + _("fine") + "." + kept)
