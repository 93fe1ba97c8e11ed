"""Hands-free input: one thread turns microphone audio into heard commands and answers.

Half-duplex: while the assistant plays audio the mode is 'off' and what the microphone hears
is thrown away; switching back on throws away what is still buffered plus a short hold-off
and resets the recognizers, so the assistant never hears itself.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from assistant.audio import SAMPLE_WIDTH, AudioChunk
from assistant.backoff import Backoff
from assistant.hearing import (
    ListenMode,
    MicrophoneBack,
    MicrophoneLost,
    RecordingEnded,
    Utterance,
    VoiceEvent,
)
from assistant.microphone import Microphone, MicrophoneError
from assistant.microphone.device import BLOCK_MS, QUEUE_SECONDS
from assistant.recognizer.answers import AnswerRecorder, SpokenAnswer
from assistant.recognizer.commands import CommandRecognizer
from assistant.recognizer.settings import ListenSettings

log = logging.getLogger(__name__)

READ_TIMEOUT = 0.1  # how often the thread looks up from the microphone to notice a close
RETRY_FIRST = 0.5  # seconds to wait after an unexpected error, so that it cannot spin
# Chunks: more than a device microphone can hold (a queue that never empties is a source that
# is not real time, which must not hang the switch).
DRAIN_LIMIT = round(QUEUE_SECONDS * 1000 / BLOCK_MS) + 100
UTTERANCE_TAIL_CHUNKS = 100  # at most this many chunks read to finish a heard phrase


class CommandListener(Protocol):
    def feed(self, chunk: AudioChunk) -> str | None: ...

    @property
    def in_utterance(self) -> bool:
        """A phrase was given for the utterance still going on (its end not yet heard)."""
        ...

    def finish(self) -> str | None: ...

    def reset(self) -> None: ...


class AnswerListener(Protocol):
    def feed(self, chunk: AudioChunk) -> SpokenAnswer | None: ...

    def finish(self) -> SpokenAnswer: ...

    def reset(self) -> None: ...


class VoiceInput:
    """Owns the microphone, both recognizers and the one thread that feeds them.

    Modes: 'off' (the assistant is playing; audio discarded), 'command' (listening for
    command phrases; stays on after one is heard from a live microphone), 'standby' (the same,
    for the start phrases only, between sessions), 'answer' (dictating
    one answer; after it is delivered the mode falls back to 'off', so a second answer needs
    another `set_mode(ListenMode.ANSWER)`; a recording does the same after a command). A recording
    read faster than real time is not discarded while 'off' but paused: nobody is speaking
    into it while the assistant talks.
    """

    def __init__(
        self,
        microphone: Microphone,
        commands: CommandListener,
        answers: AnswerListener,
        settings: ListenSettings | None = None,
        *,
        report_microphone: bool = False,
        starts: CommandListener | None = None,
    ) -> None:
        self.settings = settings or ListenSettings()
        # With report_microphone, `get` also gives MicrophoneLost and MicrophoneBack, in their
        # place among what was heard; without it they are only logged.
        self.report_microphone = report_microphone
        self.errors = 0  # microphone or recognizer failures survived
        self.discarded = 0.0  # seconds of audio ignored (off, hold-off, buffered echo)
        self._mic = microphone
        self._answers = answers
        # The phrase recognizer of each mode that listens for phrases (start phrases: standby).
        self._phrase_listeners = {
            ListenMode.COMMAND: commands,
            **({ListenMode.STANDBY: starts} if starts else {}),
        }
        self._events: queue.Queue[VoiceEvent] = queue.Queue()
        self._lost = False  # the microphone failed and has not delivered audio since
        self._cond = threading.Condition()
        self._mode = ListenMode.OFF
        self._generation = 0  # bumped on every mode change, so the thread notices each one
        self._closing = threading.Event()
        self._holdoff = 0  # frames still to ignore after switching on
        self._retry = Backoff()  # between attempts to reopen a failed microphone
        microphone.start()  # may raise MicrophoneError: the caller falls back to typing
        self._thread = threading.Thread(target=self._run, name="voice-input", daemon=True)
        self._thread.start()

    @property
    def mode(self) -> ListenMode:
        return self._mode

    def set_mode(self, mode: ListenMode) -> None:
        if not isinstance(mode, ListenMode) or (
            mode is ListenMode.STANDBY and mode not in self._phrase_listeners
        ):
            raise ValueError(f"unknown listening mode {mode!r}")
        with self._cond:
            if mode != self._mode:
                self._mode = mode
                self._generation += 1
                self._cond.notify_all()

    def get(self, timeout: float | None) -> VoiceEvent | None:
        """The next thing heard, or None when nothing was heard within `timeout` seconds.
        With `report_microphone`: also the microphone's news, lost once when it fails
        (however often the retries fail after that), back once when audio flows again."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._closing.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self._mic.close()

    # Everything below runs in the recognition thread.

    def _run(self) -> None:
        while not self._closing.is_set():
            try:
                self._loop()
                return
            except Exception:  # a bug, not a device: keep listening rather than go deaf
                self._failed("listening")
                self._closing.wait(RETRY_FIRST)

    def _loop(self) -> None:
        seen_mode = ListenMode.OFF
        seen_generation = 0
        pending: AudioChunk | None = None
        while not self._closing.is_set():
            with self._cond:
                mode, generation = self._mode, self._generation
                if mode is ListenMode.OFF and not self._mic.realtime:
                    self._cond.wait(READ_TIMEOUT)
                    continue
            if generation != seen_generation:
                self._switch(seen_mode, mode)
                seen_mode, seen_generation = mode, generation
            chunk, pending = pending or self._read(), None
            if chunk is None:
                if self._mic.ended:
                    self._end_of_input(mode)
                    return
                continue
            with self._cond:
                moved = self._generation != generation
            if moved and self._mic.realtime:
                self.discarded += chunk.seconds  # recorded around a switch: may hold our voice
            elif moved:
                pending = chunk  # a file waits for the new mode; nothing of it is lost
            else:
                self._process(mode, generation, chunk)

    def _switch(self, old: ListenMode, new: ListenMode) -> None:
        self._holdoff = 0
        try:
            for listener in self._phrase_listeners.values():
                listener.reset()
            self._answers.reset()
        except Exception:
            self._failed("resetting the recognizer")
        if old is ListenMode.OFF and new is not ListenMode.OFF and self._mic.realtime:
            self._drain()
            self._holdoff = round(self.settings.holdoff * self._mic.rate)

    def _drain(self) -> None:
        """Throw away what the microphone buffered while we were off: it was recorded while
        the assistant was speaking, however late the recognizer is running."""
        for _ in range(DRAIN_LIMIT):
            chunk = self._read(timeout=0.0)
            if chunk is None:
                return
            self.discarded += chunk.seconds

    def _process(self, mode: ListenMode, generation: int, chunk: AudioChunk) -> None:
        if mode is ListenMode.OFF:
            self.discarded += chunk.seconds
            return
        if self._holdoff > 0:
            skip = min(chunk.frames, self._holdoff)
            self._holdoff -= skip
            self.discarded += skip / chunk.rate
            chunk = AudioChunk(chunk.samples[skip * SAMPLE_WIDTH :], chunk.rate)
            if chunk.frames == 0:
                return
        try:
            listener = self._phrase_listeners.get(mode)
            if listener is not None:
                phrase = listener.feed(chunk)
                if phrase is not None:
                    self._events.put(Utterance(phrase))
                    if not self._mic.realtime:
                        # A recording waits for the runtime to act on the command; read on
                        # at full speed it would run into what comes next (the next answer)
                        # while the mode is still 'command', and hear it as commands. The
                        # rest of the phrase's own utterance goes first, though: it would
                        # otherwise be the start of whatever is listened for next.
                        self._finish_utterance(listener)
                        self._pause_after(generation)
                return
            answer = self._answers.feed(chunk)
        except Exception:
            self._failed(f"recognising ({mode})")
            return
        if answer is not None:
            self._events.put(Utterance(answer.text, answer.audio, answer.ended_by))
            self._pause_after(generation)

    def _finish_utterance(self, listener: CommandListener) -> None:
        """Read a recording on until the utterance of the phrase just heard has ended."""
        for _ in range(UTTERANCE_TAIL_CHUNKS):
            if not listener.in_utterance or self._closing.is_set():
                return
            chunk = self._read()
            if chunk is None:
                if self._mic.ended:
                    return
                continue
            listener.feed(chunk)

    def _pause_after(self, generation: int) -> None:
        """Fall back to 'off' until the runtime chooses the next mode."""
        with self._cond:
            if self._generation == generation:  # unless the runtime moved on already
                self._mode = ListenMode.OFF
                self._generation += 1

    def _end_of_input(self, mode: ListenMode) -> None:
        try:
            listener = self._phrase_listeners.get(mode)
            if listener is not None:
                phrase = listener.finish()
                if phrase is not None:
                    self._events.put(Utterance(phrase))
            elif mode is ListenMode.ANSWER:
                answer = self._answers.finish()
                if answer.text or answer.speech_started:
                    self._events.put(Utterance(answer.text, answer.audio, answer.ended_by))
        except Exception:
            self._failed("finishing the last utterance")
        self._events.put(RecordingEnded())

    def _read(self, timeout: float = READ_TIMEOUT) -> AudioChunk | None:
        try:
            chunk = self._mic.read(timeout)
        except MicrophoneError as error:
            self.errors += 1
            # Said once per outage; the retries that fail while it lasts are only noted.
            (log.info if self._lost else log.warning)(
                "microphone: %s Trying to reopen it.", error.message
            )
            self._lose(error.message)
            self._reopen()
            return None
        except Exception:
            self._failed("reading the microphone")
            self._closing.wait(RETRY_FIRST)  # no busy loop on a source that keeps failing
            return None
        if chunk is not None:
            self._retry.reset()  # only audio proves the device works again
            if self._lost:
                self._lost = False
                log.warning("microphone works again")
                self._tell(MicrophoneBack())
        return chunk

    def _lose(self, reason: str) -> None:
        if self._lost:
            return
        self._lost = True
        self._tell(MicrophoneLost(reason))
        # What was said of an answer before the microphone went is that answer: it goes to
        # the runtime (read back, kept in the journal) instead of waiting for a device that
        # may not come back.
        with self._cond:
            mode, generation = self._mode, self._generation
        if mode is not ListenMode.ANSWER:
            return
        try:
            answer = self._answers.finish()
        except Exception:
            self._failed("finishing an answer cut off by the microphone")
            return
        if not (answer.text or answer.speech_started):
            return
        self._events.put(Utterance(answer.text, answer.audio, answer.ended_by))
        with self._cond:
            if self._generation == generation:
                self._mode = ListenMode.OFF
                self._generation += 1

    def _reopen(self) -> None:
        try:
            self._mic.close()
        except Exception:
            self._failed("closing the microphone")
        if self._closing.wait(self._retry.delay()):
            return
        try:
            self._mic.start()
            log.info("microphone reopened")
        except MicrophoneError as error:
            log.info("microphone still unusable: %s", error.message)
        except Exception:
            self._failed("reopening the microphone")

    def _tell(self, news: MicrophoneLost | MicrophoneBack) -> None:
        if self.report_microphone:
            self._events.put(news)

    def _failed(self, doing: str) -> None:
        self.errors += 1
        log.exception("voice input: error while %s; carrying on", doing)


def open_voice_input(
    microphone: Microphone,
    model: Any,
    command_phrases: Iterable[str],
    settings: ListenSettings | None = None,
    stop_phrases: Sequence[str] = (),
    meanings: Mapping[str, object] | None = None,
    *,
    report_microphone: bool = False,
    start_phrases: Sequence[str] = (),
) -> VoiceInput:
    """The usual assembly: the recognizers on `model` (loaded before the stream opens, so a
    slow model load cannot make the microphone overflow), then the microphone and thread.
    With `start_phrases`, a third small grammar listens for them in 'standby'."""
    settings = settings or ListenSettings()
    if microphone.rate != settings.rate:
        raise ValueError(
            f"microphone delivers {microphone.rate} Hz, recognizers expect {settings.rate} Hz"
        )
    commands = CommandRecognizer(
        model, command_phrases, settings.rate, stable=settings.command_stable, meanings=meanings
    )
    answers = AnswerRecorder(model, settings, stop_phrases)
    starts = None
    if start_phrases:
        # Its own grammar, so that in the room's conversation only these can be "heard".
        starts = CommandRecognizer(
            model, start_phrases, settings.rate, stable=settings.command_stable
        )
    return VoiceInput(
        microphone,
        commands,
        answers,
        settings,
        report_microphone=report_microphone,
        starts=starts,
    )
