"""Devices are chosen by name: `devices` lists microphones and speakers with the config line
that picks each, and that line finds the same device again (real PortAudio on PulseAudio)."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, rms, silence, write_wav
from assistant.config import load_settings
from assistant.device_names import (
    SoundDevice,
    config_line,
    config_name,
    find_device,
    query_devices,
    stable_name,
)
from assistant.microphone import DeviceMicrophone, open_microphone
from assistant.speaker import DeviceSpeaker, Segment
from tests.helpers import run_cli
from tests.pulse import PulseServer, name_alsa_devices

pytestmark = [pytest.mark.files, pytest.mark.pulse]

# What PortAudio lists on a Raspberry Pi 4 with a USB microphone (Raspberry Pi OS Bookworm).
PI_DEVICES = [
    ("bcm2835 Headphones: - (hw:0,0)", 0, 8),
    ("USB PnP Sound Device: Audio (hw:1,0)", 1, 0),
    ("vc4-hdmi-0: MAI PCM i2s-hifi-0 (hw:2,0)", 0, 2),
    ("sysdefault", 0, 128),
    ("pulse", 32, 32),
    ("default", 32, 32),
]


def _listing(names: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "index": index,
            "hostapi": 0,
            "max_input_channels": inputs,
            "max_output_channels": outputs,
            "default_samplerate": 44100.0,
        }
        for index, (name, inputs, outputs) in enumerate(names)
    ]


@pytest.fixture
def sounddevice_matching(monkeypatch: pytest.MonkeyPatch) -> Any:
    """sounddevice's own name matching (the code DeviceMicrophone relies on), over a device
    list that stands in for a machine with cards this one does not have."""
    import sounddevice

    def use(names: list[tuple[str, int, int]]) -> list[SoundDevice]:
        listing = _listing(names)
        monkeypatch.setattr(sounddevice, "query_devices", lambda *a, **k: listing)
        monkeypatch.setattr(sounddevice, "query_hostapis", lambda *a: {"name": "ALSA"})
        return [
            SoundDevice(d["index"], d["name"], "ALSA", *(d[k] for k in _CHANNELS), 44100)
            for d in listing
        ]

    return use


_CHANNELS = ("max_input_channels", "max_output_channels")


def _sounddevice_finds(query: str, kind: Any) -> int | None:
    import sounddevice

    try:
        return int(sounddevice._get_device_id(query, kind, raise_on_error=True))
    except ValueError:
        return None


def test_the_alsa_card_numbers_are_left_out_of_the_name() -> None:
    assert stable_name("USB PnP Sound Device: Audio (hw:1,0)") == "USB PnP Sound Device: Audio"
    assert stable_name("bcm2835 Headphones: - (hw:0,0)") == "bcm2835 Headphones: -"
    assert stable_name("pulse") == "pulse"
    assert stable_name("Microphone (Realtek(R) Audio)") == "Microphone (Realtek(R) Audio)"


def test_the_suggested_name_finds_the_device_with_sounddevices_matching(
    sounddevice_matching: Any,
) -> None:
    devices = sounddevice_matching(PI_DEVICES)
    usb, headphones = devices[1], devices[0]
    assert config_line(usb, "input", _sounddevice_finds) == 'mic: "USB PnP Sound Device: Audio"'
    assert config_line(headphones, "output", _sounddevice_finds) == (
        'speaker: "bcm2835 Headphones: -"'
    )
    # After a reboot the card has another number: the same line still finds it.
    moved = [PI_DEVICES[0], PI_DEVICES[2], ("USB PnP Sound Device: Audio (hw:2,0)", 1, 0)]
    sounddevice_matching(moved)
    assert _sounddevice_finds("USB PnP Sound Device: Audio", "input") == 2


def test_two_identical_microphones_keep_their_card_numbers(sounddevice_matching: Any) -> None:
    twins = [
        ("USB PnP Sound Device: Audio (hw:1,0)", 1, 0),
        ("USB PnP Sound Device: Audio (hw:2,0)", 1, 0),
    ]
    devices = sounddevice_matching(twins)
    # The short name would find both (sounddevice refuses): only the full name tells them apart.
    assert _sounddevice_finds("USB PnP Sound Device: Audio", "input") is None
    assert [config_name(d, "input", _sounddevice_finds) for d in devices] == [
        "USB PnP Sound Device: Audio (hw:1,0)",
        "USB PnP Sound Device: Audio (hw:2,0)",
    ]


def test_two_devices_with_one_name_are_chosen_by_index(sounddevice_matching: Any) -> None:
    devices = sounddevice_matching([("Speakers", 0, 2), ("Speakers", 0, 2)])
    assert config_line(devices[1], "output", _sounddevice_finds) == "speaker: 1"


# --- real devices ---------------------------------------------------------------------------


@pytest.fixture
def named(pulse: PulseServer) -> PulseServer:
    """Two named ALSA devices on the private server: 'usb_mic' hears what is played into the
    sink 'mic', 'usb_speaker' plays into the sink 'speaker'."""
    name_alsa_devices(pulse, {"usb_mic": "mic.monitor", "usb_speaker": "speaker"})
    return pulse


@pytest.fixture
def named_here(named: PulseServer, portaudio_on_pulse: PulseServer) -> PulseServer:
    """The named devices in this process ('named' comes first: PortAudio reads ~/.asoundrc
    when it initialises)."""
    return named


def test_devices_lists_microphones_and_speakers_with_the_line_to_copy(named: PulseServer) -> None:
    done = run_cli("devices", env=named.env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    microphones, speakers = out.split("speakers:")
    assert microphones.startswith("microphones:")
    for section, kind, key in ((microphones, "in", "mic"), (speakers, "out", "speaker")):
        for name in ("usb_mic", "usb_speaker", "pulse", "default"):
            assert re.search(
                rf"^\s*\d+\s+{name}\s+\d+ {kind}\s+\d+ Hz.*\n\s+{key}: \"{name}\"$",
                section,
                re.MULTILINE,
            ), section
    assert "(default)" in microphones and "(default)" in speakers
    assert "config.yaml" in done.stderr


def test_the_copied_line_chooses_the_microphone(named_here: PulseServer, tmp_path: Path) -> None:
    """The config line from `devices` finds the named device, which hears a tone played into
    its sink; `mic: INDEX` still works too."""
    devices = {d.name: d for d in query_devices()}
    line = config_line(devices["usb_mic"], "input", find_device)
    config = tmp_path / "config.yaml"
    config.write_text(f"{line}\n", encoding="utf-8")
    settings = load_settings(config).devices
    assert settings.mic == "usb_mic"
    assert _hears_tone(open_microphone(settings.mic), named_here, tmp_path)

    config.write_text(f"mic: {devices['usb_mic'].index}\n", encoding="utf-8")
    by_index = open_microphone(load_settings(config).devices.mic)
    assert isinstance(by_index, DeviceMicrophone)
    assert by_index.device == devices["usb_mic"].index


def test_the_copied_line_chooses_the_speaker(named_here: PulseServer, tmp_path: Path) -> None:
    devices = {d.name: d for d in query_devices()}
    line = config_line(devices["usb_speaker"], "output", find_device)
    config = tmp_path / "config.yaml"
    config.write_text(f"{line}\n", encoding="utf-8")
    name = load_settings(config).devices.speaker
    assert name == "usb_speaker"
    recording = tmp_path / "monitor.wav"
    command = ["parec", "-d", "speaker.monitor", "--rate", "16000", "--channels", "1"]
    command += ["--format", "s16le", "--file-format=wav", str(recording)]
    recorder = subprocess.Popen(command, env=named_here.env)
    try:
        speaker = DeviceSpeaker(name)
        try:
            assert speaker.device_name == "usb_speaker"
            speaker.play(Segment.pause(1.5, 16000))  # a fresh null sink mangles its start
            speaker.play(Segment.cue(_tone(2.0)))
            assert speaker.wait(20)
            time.sleep(2.0)  # what PulseAudio still holds reaches the monitor
        finally:
            speaker.close()
    finally:
        recorder.terminate()
        recorder.wait(10)
    assert rms(read_wav(recording)) > 1000


def _tone(seconds: float, level: float = 8000.0) -> AudioChunk:
    t = np.arange(round(seconds * 16000)) / 16000
    return AudioChunk.from_array(level * np.sin(2 * np.pi * 440 * t), 16000)


def _hears_tone(microphone: Any, pulse: PulseServer, folder: Path) -> bool:
    tone = folder / "tone.wav"
    write_wav(tone, silence(0.5, 16000) + _tone(3.0))
    microphone.start()
    try:
        player = subprocess.Popen(["paplay", "--device=mic", str(tone)], env=pulse.env)
        loudest = 0.0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and loudest < 1000:
            chunk = microphone.read(0.5)
            if chunk is not None:
                loudest = max(loudest, rms(chunk))
        player.wait(10)
    finally:
        microphone.close()
    return loudest >= 1000
