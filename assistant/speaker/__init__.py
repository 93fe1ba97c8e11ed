"""Where audio goes: a sound device, a WAV file with its timeline, or only the clock."""

from assistant.speaker.base import (
    RecoverableSpeaker,
    Segment,
    SegmentKind,
    Speaker,
    SpeakerError,
)
from assistant.speaker.clock import ClockSpeaker
from assistant.speaker.device import DeviceSpeaker
from assistant.speaker.factory import make_speaker
from assistant.speaker.file import FileSpeaker
from assistant.speaker.volume import at_volume

__all__ = [
    "ClockSpeaker",
    "DeviceSpeaker",
    "FileSpeaker",
    "RecoverableSpeaker",
    "Segment",
    "SegmentKind",
    "Speaker",
    "SpeakerError",
    "at_volume",
    "make_speaker",
]
