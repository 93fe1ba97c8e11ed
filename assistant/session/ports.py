"""The two small interfaces the runtime drives: where input comes from, where output goes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from assistant.audio import AudioChunk
from assistant.dialog import messages
from assistant.dialog.messages import InputEnded


class ListenMode(enum.Enum):
    OFF = "off"  # the assistant is playing audio: half-duplex, the microphone is ignored
    COMMAND = "command"
    ANSWER = "answer"


@dataclass(frozen=True)
class Utterance:
    """One typed line or one recognised utterance (with its audio when it was an answer)."""

    text: str
    recording: AudioChunk | None = None


@dataclass(frozen=True)
class DeviceNotice:
    """An input device's news for the user (a line key in content, e.g. 'microphone_lost')."""

    line: str


class Input(Protocol):
    def listen(self, mode: ListenMode) -> None: ...

    def get(self, timeout: float) -> Utterance | DeviceNotice | InputEnded | None:
        """The next utterance or device notice, InputEnded once no more will come, None after
        `timeout`."""
        ...

    def close(self) -> None: ...


class Output(Protocol):
    def start(self, item: messages.Output) -> None:
        """Begin playing a line, a pause or a cue; returns at once."""
        ...

    def wait(self, timeout: float) -> bool:
        """True once what was started has finished playing."""
        ...

    def stop(self) -> None: ...

    def take_notices(self) -> list[str]:
        """Line keys about the output device for the user since the last call (for example
        'speaker_lost'), said through the dialog."""
        ...

    def close(self) -> None: ...
