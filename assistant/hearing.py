"""What is listened for and what is heard: the values on the path microphone -> recognizer ->
session -> dialog.

Below every part that listens or understands, so that all of them (the hands-free input, the
typed input, the start button, the session's runtime, the dialog) speak of one mode and one
utterance, and the dialog can take an utterance without importing a device.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # only named here: a typed session never imports numpy
    from assistant.audio import AudioChunk

EndedBy = Literal["word", "silence", "max", "end_of_input"]
"""How a spoken answer ended: the stop word, a long silence, the longest answer, or the end of
the recording used as the microphone."""


class ListenMode(str, enum.Enum):
    """What the input listens for now. A str, so that a mode reads as its name in logs."""

    OFF = "off"
    """The assistant is playing audio: half-duplex, what the microphone hears is thrown away."""

    COMMAND = "command"
    """Command phrases (the content's phrasings) only."""

    ANSWER = "answer"
    """One whole answer, dictated (typed: one line)."""

    STANDBY = "standby"
    """Between sessions: only the start phrases."""


@dataclass(frozen=True)
class Utterance:
    """One thing the person said or typed: a command phrase or a whole answer."""

    text: str
    """A command phrase (normalised) or an answer's words; may be empty for an answer whose
    words were missed."""

    recording: AudioChunk | None = None
    """An answer's audio, kept even when its words were missed; None for commands, typed
    lines, and an answer that was only the stop word."""

    ended_by: EndedBy | None = None
    """How a spoken answer ended; None for commands and typed lines."""


@dataclass(frozen=True)
class RecordingEnded:
    """The recording used as the microphone has run out: nothing more will be heard."""


@dataclass(frozen=True)
class MicrophoneLost:
    """The microphone stopped working; it is retried until it works again."""

    reason: str
    """What went wrong, in one line, for the log."""


@dataclass(frozen=True)
class MicrophoneBack:
    """Audio comes from the microphone again after it was lost."""


VoiceEvent = Utterance | RecordingEnded | MicrophoneLost | MicrophoneBack
"""Everything the hands-free input can give, in the order it happened."""
