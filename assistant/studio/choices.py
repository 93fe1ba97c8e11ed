"""What the coach answers after hearing a take: keep it, record it again, hear it again, leave
the line, or stop for now. Said (the content's own phrasings, recognised with the command
grammar) or typed, whichever comes first.

The phrasings are the content's: *ja* keeps, *opnieuw* (or *nee*) records again, *herhaal*
plays the take again, *overslaan* leaves the line unrecorded, *stop* ends (to go on later).
"""

from __future__ import annotations

import enum
import queue
import threading
from collections.abc import Callable
from typing import TextIO

from assistant.audio import AudioChunk, StreamResampler
from assistant.content.model import Command, Content
from assistant.content.phrases import normalise
from assistant.microphone import Microphone
from assistant.recognizer.vad import EnergyVad
from assistant.recognizer.voice_input import CommandListener

RECOGNIZER_RATE = 16000
READ_TIMEOUT = 0.1
UTTERANCE_END = 0.5  # seconds of quiet that end the utterance a choice was heard in
UTTERANCE_MOST = 5.0  # seconds read at most to find that end (and the recognizer's)


class Choice(enum.Enum):
    KEEP = "keep"
    AGAIN = "again"
    REPLAY = "replay"
    SKIP = "skip"
    STOP = "stop"


MEANINGS = {
    Command.JA: Choice.KEEP,
    Command.OPNIEUW: Choice.AGAIN,
    Command.NEE: Choice.AGAIN,
    Command.HERHAAL: Choice.REPLAY,
    Command.OVERSLAAN: Choice.SKIP,
    Command.STOP: Choice.STOP,
}


def choice_phrases(content: Content) -> dict[str, Choice]:
    """Every phrasing (normalised) that means a choice."""
    return {
        phrase: MEANINGS[command]
        for phrase, command in content.commands.items()
        if command in MEANINGS
    }


def first_phrase(content: Content, choice: Choice) -> str:
    """The word to suggest for `choice`: the first phrasing of its first command."""
    return next(phrase for phrase, c in choice_phrases(content).items() if c is choice)


class TypedLines:
    """Lines typed on `stream`, read by a thread of their own so typing and speaking can both
    answer. Daemon: a read blocked on the terminal must not keep the program alive."""

    _END = None

    def __init__(self, stream: TextIO) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.ended = False
        threading.Thread(target=self._read, args=(stream,), name="typed", daemon=True).start()

    def _read(self, stream: TextIO) -> None:
        try:
            for line in stream:
                self._lines.put(line)
        except (OSError, ValueError, UnicodeDecodeError):
            pass  # a closed or unreadable stdin is the end of typing
        self._lines.put(self._END)

    def get(self, timeout: float) -> str | None:
        """The next typed line, or None when none came in `timeout` (or typing ended)."""
        if self.ended:
            return None
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is self._END:
            self.ended = True
        return line


class ChoiceListener:
    """Waits for the coach's choice, by voice (`recognizer` over `microphone`) and by typing."""

    def __init__(
        self,
        phrases: dict[str, Choice],
        microphone: Microphone,
        recognizer: CommandListener | None,
        typed: TypedLines | None,
        unknown: Callable[[str], None],
    ) -> None:
        self.phrases = phrases
        self.microphone = microphone
        self.recognizer = recognizer
        self.typed = typed
        self.unknown = unknown  # told about typed words that are no choice

    def choose(self) -> Choice | None:
        """The coach's choice; None when neither voice nor typing can give one any more."""
        if self.recognizer is not None:
            self.recognizer.reset()
        resample = StreamResampler(self.microphone.rate, RECOGNIZER_RATE)
        # Heard from the start, so it knows the room's quiet when the word ends.
        vad = EnergyVad(self.microphone.rate)
        while True:
            typed_wait = READ_TIMEOUT if self.recognizer is not None else 0.5
            if self.typed is not None and not self.typed.ended:
                line = self.typed.get(typed_wait if self.recognizer is None else 0.0)
                if line is not None and line.strip():
                    choice = self.phrases.get(normalise(line))
                    if choice is not None:
                        return choice
                    self.unknown(line.strip())
            if self.recognizer is None:
                if self.typed is None or self.typed.ended:
                    return None
                continue
            chunk = self.microphone.read(READ_TIMEOUT)
            if chunk is None:
                if self.microphone.ended:
                    heard = self.recognizer.finish()
                    return self.phrases.get(heard) if heard else None
                continue
            vad.feed(chunk)
            heard = self.recognizer.feed(resample(chunk))
            if heard is not None and heard in self.phrases:
                self._to_end_of_utterance(self.recognizer, resample, vad)
                return self.phrases[heard]

    def _to_end_of_utterance(
        self, recognizer: CommandListener, resample: StreamResampler, vad: EnergyVad
    ) -> None:
        """Read on, still feeding the recognizer, until the utterance the word was heard in
        has ended: its tail is then not taken for the start of the next take, and the
        recognizer is not cut off mid-utterance (Vosk, reset in the middle of one, can hear
        words in the silence that follows)."""
        until = vad.seconds + UTTERANCE_MOST
        while vad.seconds < until:
            if not recognizer.in_utterance and vad.silence >= UTTERANCE_END:
                return
            chunk: AudioChunk | None = self.microphone.read(READ_TIMEOUT)
            if chunk is None:
                if self.microphone.ended:
                    return
                continue
            vad.feed(chunk)
            recognizer.feed(resample(chunk))
