"""The two small interfaces the runtime drives: where input comes from, where output goes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from assistant.dialog.messages import ButtonPressed, InputEnded, Notice, NoticeKind, OutputItem
from assistant.preferences import Preferences

if TYPE_CHECKING:  # only named here: a typed session never imports numpy
    from assistant.audio import AudioChunk


class ListenMode(enum.Enum):
    OFF = "off"  # the assistant is playing audio: half-duplex, the microphone is ignored
    COMMAND = "command"
    ANSWER = "answer"
    STANDBY = "standby"  # between sessions: only the start phrases


@dataclass(frozen=True)
class Utterance:
    """One typed line or one recognised utterance (with its audio when it was an answer)."""

    text: str
    recording: AudioChunk | None = None


class Input(Protocol):
    def listen(self, mode: ListenMode) -> None: ...

    def get(self, timeout: float) -> Utterance | Notice | InputEnded | ButtonPressed | None:
        """The next utterance, button press or notice about the input device, InputEnded once
        no more will come, None after `timeout`."""
        ...

    def close(self) -> None: ...


class Output(Protocol):
    def start(self, item: OutputItem) -> None:
        """Begin playing a line, a pause or a cue; returns at once."""
        ...

    def wait(self, timeout: float) -> bool:
        """True once what was started has finished playing."""
        ...

    def stop(self) -> None: ...

    def adjust(self, preferences: Preferences) -> None:
        """Play what comes next at the person's volume and pace (the item playing now is not
        changed)."""
        ...

    def take_notices(self) -> list[NoticeKind]:
        """News about the output device since the last call (for example SPEAKER_LOST), said
        through the dialog."""
        ...

    def close(self) -> None: ...
