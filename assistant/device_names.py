"""The sound devices PortAudio sees, and the name that picks each one out in the config.

A name survives a reboot; an index or an ALSA card number does not (raspberrypi/linux#5592):
"USB PnP Sound Device: Audio (hw:1,0)" may be hw:2,0 after the next boot. So the name
suggested for the config drops the "(hw:X,Y)" part whenever what is left still finds this one
device. Finding is sounddevice's own matching (the words of the name, in order, within
"name, host API"; an exact name wins), the same that DeviceMicrophone and DeviceSpeaker use,
so a suggested name is checked against exactly what will be looked up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from assistant.errors import UserError
from assistant.i18n import _
from assistant.portaudio import sounddevice_module

Kind = Literal["input", "output"]
CONFIG_KEYS: dict[Kind, str] = {"input": "mic", "output": "speaker"}

# What PortAudio's ALSA host API appends to a card's name: the card and device numbers.
_ALSA_NUMBERS = re.compile(r"\s*\(hw:\d+,\d+\)\s*$")


@dataclass(frozen=True)
class SoundDevice:
    index: int
    name: str
    host_api: str
    inputs: int  # channels
    outputs: int
    default_rate: int
    default_input: bool = False
    default_output: bool = False

    def channels(self, kind: Kind) -> int:
        return self.inputs if kind == "input" else self.outputs


Finder = Callable[[str, Kind], int | None]


def stable_name(name: str) -> str:
    """The name without the ALSA card numbers that change between boots."""
    return _ALSA_NUMBERS.sub("", name) or name


def config_name(device: SoundDevice, kind: Kind, find: Finder) -> str:
    """The shortest way to name `device` that `find` resolves to it: the stable name, else the
    full name, else name and host API (two identical names under different host APIs, as on
    Windows), else the index as a last resort (two devices with identical full names)."""
    candidates = (
        stable_name(device.name),
        device.name,
        f"{device.name}, {device.host_api}",
    )
    for candidate in dict.fromkeys(candidates):
        if find(candidate, kind) == device.index:
            return candidate
    return str(device.index)


def config_line(device: SoundDevice, kind: Kind, find: Finder) -> str:
    """The line to copy into config.yaml, e.g. `mic: "USB PnP Sound Device: Audio"`. The name
    is written as a JSON string, which YAML reads as a double-quoted string."""
    name = config_name(device, kind, find)
    value = name if name.isdigit() else json.dumps(name, ensure_ascii=False)
    return f"{CONFIG_KEYS[kind]}: {value}"


def device_line(device: SoundDevice, kind: Kind) -> str:
    """`  3  USB PnP Sound Device: Audio (hw:1,0)  1 in  44100 Hz  (default)`"""
    default = device.default_input if kind == "input" else device.default_output
    mark = "  " + _("(default)") if default else ""
    direction = _("in") if kind == "input" else _("out")
    return (
        f"{device.index:3d}  {device.name}  {device.channels(kind)} {direction}  "
        f"{device.default_rate} Hz{mark}"
    )


# --- the real PortAudio -----------------------------------------------------------------------


def _sounddevice() -> Any:
    return sounddevice_module(UserError)


def query_devices() -> list[SoundDevice]:
    """Every device PortAudio lists, in its order."""
    sd = _sounddevice()
    try:
        listed: Any = sd.query_devices()
        default_input, default_output = sd.default.device
        host_apis = [str(api["name"]) for api in sd.query_hostapis()]
    except sd.PortAudioError as error:
        raise UserError(_("Cannot list the sound devices: {error}").format(error=error)) from None
    return [
        SoundDevice(
            index=index,
            name=str(info["name"]),
            host_api=host_apis[int(info["hostapi"])],
            inputs=int(info["max_input_channels"]),
            outputs=int(info["max_output_channels"]),
            default_rate=round(float(info["default_samplerate"])),
            default_input=index == default_input,
            default_output=index == default_output,
        )
        for index, info in enumerate(listed)
    ]


def find_device(query: str, kind: Kind) -> int | None:
    """The index sounddevice picks for `query`, or None when it finds none or several."""
    sd = _sounddevice()
    try:
        return int(sd.query_devices(query, kind)["index"])
    except (ValueError, sd.PortAudioError):
        return None
