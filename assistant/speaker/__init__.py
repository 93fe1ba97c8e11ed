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

__all__ = [
    "ClockSpeaker",
    "DeviceSpeaker",
    "FileSpeaker",
    "RecoverableSpeaker",
    "Segment",
    "SegmentKind",
    "Speaker",
    "SpeakerError",
    "make_speaker",
]
