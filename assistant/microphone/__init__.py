"""Audio in: live devices and recordings behind one small interface."""

from assistant.microphone.base import Microphone, MicrophoneError
from assistant.microphone.device import (
    DeviceMicrophone,
    InputDevice,
    find_input_device,
    list_devices,
)
from assistant.microphone.open import open_microphone
from assistant.microphone.wavfile import WavMicrophone

__all__ = [
    "DeviceMicrophone",
    "InputDevice",
    "Microphone",
    "MicrophoneError",
    "WavMicrophone",
    "find_input_device",
    "list_devices",
    "open_microphone",
]
