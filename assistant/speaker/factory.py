"""Where the sound goes, from the --speaker option."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import UserError
from assistant.i18n import _
from assistant.speaker.base import Speaker
from assistant.speaker.clock import ClockSpeaker
from assistant.speaker.device import DeviceSpeaker
from assistant.speaker.file import FileSpeaker

NO_SOUND = "none"


def make_speaker(target: str | None, timeline: Path | None = None) -> Speaker:
    """None: the default sound device. 'FILE.wav': that file (and `timeline` beside it).
    'none': no sound, but pauses still take their time. A number or a name: that device."""
    if target is not None and target.lower().endswith(".wav"):
        return FileSpeaker(Path(target), timeline)
    if timeline is not None:
        raise UserError(_("A timeline is only written with --speaker FILE.wav."))
    if target is None:
        return DeviceSpeaker()
    if target.lower() == NO_SOUND:
        return ClockSpeaker()
    return DeviceSpeaker(int(target) if target.isdigit() else target)
