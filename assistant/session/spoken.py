"""Spoken output: each line rendered by the voice and played by a speaker, its words also
printed (captions for anyone who reads along, and the text when the voice fails)."""

from __future__ import annotations

import logging
from typing import Protocol, TextIO

from assistant.dialog.messages import Cue, Output, Pause, Say
from assistant.speaker.base import Segment, Speaker
from assistant.voice.base import Voice, VoiceError
from assistant.voice.cues import cue_audio

log = logging.getLogger(__name__)

CUE_RATE = 22050


class ClosableVoice(Voice, Protocol):
    def close(self) -> None: ...


class SpokenOutput:
    def __init__(
        self, voice: ClosableVoice, speaker: Speaker, captions: TextIO, pace: float
    ) -> None:
        self.voice = voice
        self.speaker = speaker
        self.captions = captions
        self.pace = pace
        self._voice_failed = False

    def start(self, item: Output) -> None:
        if isinstance(item, Say):
            self.captions.write(item.text + "\n")
            self.captions.flush()
            try:
                audio = self.voice.render(item.text, item.style)
            except VoiceError as error:
                # The printed line stands in; the session goes on and the next line may work.
                if not self._voice_failed:
                    log.warning("speech failed, showing the text instead: %s", error)
                self._voice_failed = True
                return
            self._voice_failed = False
            self.speaker.play(Segment.speech(audio, item.text))
        elif isinstance(item, Pause):
            self.speaker.play(Segment.pause(item.seconds * self.pace, CUE_RATE))
        elif isinstance(item, Cue):
            self.speaker.play(Segment.cue(cue_audio(item.kind, CUE_RATE)))

    def wait(self, timeout: float) -> bool:
        return self.speaker.wait(timeout)

    def stop(self) -> None:
        self.speaker.stop()

    def close(self) -> None:
        self.speaker.close()
        self.voice.close()
        self.captions.flush()
