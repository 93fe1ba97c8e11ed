"""What is played, and the small interface every output (device, file, clock) offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from assistant.audio import AudioChunk, silence
from assistant.errors import UserError

SegmentKind = Literal["speech", "pause", "cue"]


@dataclass(frozen=True)
class Segment:
    """One piece of output in the order it is heard. A pause is silence of its length."""

    kind: SegmentKind
    audio: AudioChunk
    text: str = ""  # the words, for speech

    @staticmethod
    def speech(audio: AudioChunk, text: str) -> Segment:
        return Segment("speech", audio, text)

    @staticmethod
    def pause(seconds: float, rate: int) -> Segment:
        return Segment("pause", silence(seconds, rate))

    @staticmethod
    def cue(audio: AudioChunk) -> Segment:
        return Segment("cue", audio)


class SpeakerError(UserError):
    """The sound output could not be used. A UserError, so left uncaught it ends the program
    with its message; the runtime may catch it and go on without sound instead."""


class Speaker(Protocol):
    def play(self, segment: Segment) -> None:
        """Queue a segment after everything queued before; returns at once."""
        ...

    def wait(self, timeout: float) -> bool:
        """True once everything queued has been heard (the end of playback, not of writing)."""
        ...

    def stop(self) -> None:
        """Silence within 100 ms and forget the queue."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class RecoverableSpeaker(Speaker, Protocol):
    """A speaker whose device can fail and come back (a sound device, not a file)."""

    @property
    def failure(self) -> str | None:
        """Why the device stopped working, or None while it works."""
        ...

    def reopen(self) -> None:
        """Open the device again after a failure; SpeakerError while it cannot be used."""
        ...
