"""Spoken output: each line rendered by the voice and played by a speaker, its words also
printed (captions for anyone who reads along, and the text when the voice fails).

When the sound device fails in the middle of a session the session goes on without sound:
the lines are printed as always and every line, cue and pause still takes its time (a clock
keeps it, as for `--speaker none`). The device is retried in the background, less often the
longer it stays away; once it works, the next line is heard again. Both changes are told to
the user as notices (SPEAKER_LOST, SPEAKER_BACK), collected by `take_notices`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TextIO

from assistant.backoff import Backoff
from assistant.dialog.messages import (
    Cue,
    NoticeKind,
    OutputItem,
    Pause,
    PlayRecording,
    Say,
)
from assistant.i18n import _
from assistant.preferences import Preferences
from assistant.report import warn
from assistant.speaker.base import RecoverableSpeaker, Segment, Speaker, SpeakerError
from assistant.speaker.clock import ClockSpeaker
from assistant.speaker.volume import at_volume
from assistant.voice.base import SessionVoice, VoiceError
from assistant.voice.cache import finish_line
from assistant.voice.cues import cue_audio

log = logging.getLogger(__name__)

CUE_RATE = 22050


class SpokenOutput:
    """The runtime's Output for a voice and a speaker: lines spoken and printed as captions."""

    def __init__(
        self,
        voice: SessionVoice,
        speaker: Speaker,
        captions: TextIO,
        pace: float,
        *,
        volume: float = 1.0,
        captions_personal: bool = True,
        retry: Backoff | None = None,
        voice_news: Callable[[], list[NoticeKind]] | None = None,
    ) -> None:
        self.voice = voice
        self.speaker = speaker
        self.captions = captions
        self.pace = pace
        self.volume = volume  # the configured volume, applied with the person's as it is played
        # False where output may end up in a log (standby, a service): lines with the person's
        # words are spoken but not printed.
        self.captions_personal = captions_personal
        self.preferences = Preferences()  # the person's volume and pace, on top of the config
        self.retry = retry or Backoff()  # between attempts to reopen a failed sound device
        # The voice's own news (a voice server gone, or back), said like the device's.
        self.voice_news = voice_news
        self._voice_failed = False
        # Keeps every item's own time alongside the device, so that when the device fails in
        # the middle of an item the rest of it still takes its time.
        self._clock = ClockSpeaker()
        self._sound = True  # the device plays; False while it is lost
        self._back = threading.Event()  # the retrier has the device working again
        self._closing = threading.Event()
        self._retrier: threading.Thread | None = None
        self._notices: list[NoticeKind] = []
        self._notices_lock = threading.Lock()

    @property
    def sound(self) -> bool:
        """True while the sound device plays the lines; False while it is lost."""
        return self._sound

    def start(self, item: OutputItem) -> None:
        self._resume_sound()
        if isinstance(item, Say):
            if self.captions_personal or not item.personal:
                self.captions.write(item.text + "\n")
                self.captions.flush()
            render = self.voice.render_private if item.personal else self.voice.render
            try:
                audio = render(item.text, item.style)
            except VoiceError as error:
                # The printed line stands in; the session goes on and the next line may work.
                if not self._voice_failed:
                    warn(_("speech failed, showing the text instead: {error}").format(error=error))
                self._voice_failed = True
                return
            self._voice_failed = False
            self._play(Segment.speech(audio, item.text))
        elif isinstance(item, Pause):
            seconds = item.seconds * self.pace * self.preferences.pauses
            self._play(Segment.pause(seconds, CUE_RATE))
        elif isinstance(item, Cue):
            self._play(Segment.cue(cue_audio(item.kind, CUE_RATE)))
        elif isinstance(item, PlayRecording):
            # The person's own voice, as loud as the assistant's lines (and never cached).
            self._play(Segment.speech(finish_line(item.audio), ""))

    def adjust(self, preferences: Preferences) -> None:
        if preferences.rate != self.preferences.rate:
            self.voice.retune(preferences.rate)
        self.preferences = preferences

    def _play(self, segment: Segment) -> None:
        """Every item is played through here: the one place the volume is applied."""
        self._clock.play(segment)
        if not self._sound:
            return
        try:
            self.speaker.play(at_volume(segment, self.volume, self.preferences.volume))
        except SpeakerError as error:
            if self._failure() is None:
                raise  # not a device that fails and comes back (a file, a closed speaker)
            self._lose(error.message)

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout)
        if self._sound:
            if self.speaker.wait(timeout):
                return True
            failure = self._failure()
            if failure is None:
                return False
            self._lose(failure)
        return self._clock.wait(deadline - time.monotonic())

    def stop(self) -> None:
        self._clock.stop()
        self.speaker.stop()

    def take_notices(self) -> list[NoticeKind]:
        """SPEAKER_LOST and SPEAKER_BACK, as they happened since the last call; then the
        voice's news (VOICE_SERVER_LOST, VOICE_SERVER_BACK)."""
        with self._notices_lock:
            notices, self._notices = self._notices, []
        return notices + (self.voice_news() if self.voice_news is not None else [])

    def close(self) -> None:
        self._closing.set()
        if self._retrier is not None:
            self._retrier.join(timeout=30)
        self.speaker.close()
        self.voice.close()
        self.captions.flush()

    # --- a failed device -----------------------------------------------------------------

    def _failure(self) -> str | None:
        speaker = self.speaker
        return speaker.failure if isinstance(speaker, RecoverableSpeaker) else None

    def _lose(self, why: str) -> None:
        self._sound = False
        self.speaker.stop()
        log.warning("sound output failed (%s); the lines are printed until it is back", why)
        self._notice(NoticeKind.SPEAKER_LOST)
        self._back.clear()
        self._retrier = threading.Thread(target=self._retry, name="speaker-retry", daemon=True)
        self._retrier.start()

    def _retry(self) -> None:
        speaker = self.speaker
        assert isinstance(speaker, RecoverableSpeaker)
        while not self._closing.wait(self.retry.delay()):
            try:
                speaker.reopen()
            except SpeakerError as error:
                log.info("sound output still unusable: %s", error.message)
            except Exception:
                log.exception("reopening the sound output")
            else:
                log.warning("sound output works again")
                self.retry.reset()
                self._back.set()
                self._notice(NoticeKind.SPEAKER_BACK)
                return

    def _resume_sound(self) -> None:
        """Back to the device, between two items (never in the middle of one)."""
        if not self._sound and self._back.is_set():
            self._back.clear()
            self._sound = True

    def _notice(self, kind: NoticeKind) -> None:
        with self._notices_lock:
            self._notices.append(kind)
