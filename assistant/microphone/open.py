"""Turn the user's `--mic` choice into a microphone."""

from __future__ import annotations

from pathlib import Path

from assistant.microphone.base import Microphone
from assistant.microphone.device import DeviceMicrophone
from assistant.microphone.wavfile import WavMicrophone


def open_microphone(spec: str | None, rate: int = 16000, realtime: bool = True) -> Microphone:
    """None: the default device; a number or a name: that device; a path ending in .wav: that
    recording, played in real time or (realtime=False, `--pace 0`) as fast as it is read.
    Raises MicrophoneError (or UserError for a bad file) when the choice cannot be used."""
    if spec is None:
        return DeviceMicrophone(None, rate)
    if spec.lower().endswith(".wav"):
        return WavMicrophone(Path(spec), realtime=realtime, rate=rate)
    device: str | int = int(spec) if spec.strip().isdigit() else spec
    return DeviceMicrophone(device, rate)
