"""Hands-free input for the runtime: the recognizer's thread behind the runtime's Input.

The microphone's troubles come along as notices: MICROPHONE_LOST once when it fails,
MICROPHONE_BACK once when it works again; the assistant says them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assistant.content.model import Command, Content
from assistant.dialog.messages import InputEnded, Notice, NoticeKind
from assistant.dialog.understand import all_phrasings, understand
from assistant.hearing import ListenMode, MicrophoneBack, MicrophoneLost, Utterance
from assistant.microphone import Microphone
from assistant.recognizer import ListenSettings, open_voice_input
from assistant.recognizer.voice_input import VoiceInput

# The runtime owns patience with a silent user (one gentle reminder), so the recorder itself
# never gives up on an answer that has not started.
_NO_GIVING_UP = 24 * 3600.0


class VoiceListening:
    """The runtime's Input for a microphone: recognised speech as utterances and notices."""

    def __init__(self, voice_input: VoiceInput) -> None:
        self.voice_input = voice_input

    @staticmethod
    def open(
        content: Content,
        settings: ListenSettings,
        microphone: Microphone,
        model: Any,
        *,
        standby: bool = False,
    ) -> VoiceListening:
        """Listening for the content's phrasings; with `standby`, also for its start phrases
        (ListenMode.STANDBY)."""
        listen = replace(settings, answer_wait=_NO_GIVING_UP)
        phrases = all_phrasings(content)
        meanings = {phrase: understand(phrase, content) for phrase in phrases}
        stops = [p for p, c in content.commands.items() if c is Command.KLAAR]
        voice_input = open_voice_input(
            microphone,
            model,
            phrases,
            listen,
            stop_phrases=stops,
            meanings=meanings,
            report_microphone=True,
            start_phrases=content.start_phrases if standby else (),
        )
        return VoiceListening(voice_input)

    def listen(self, mode: ListenMode) -> None:
        self.voice_input.set_mode(mode)

    def get(self, timeout: float) -> Utterance | Notice | InputEnded | None:
        heard = self.voice_input.get(timeout)
        if isinstance(heard, MicrophoneLost):
            return Notice(NoticeKind.MICROPHONE_LOST)
        if isinstance(heard, MicrophoneBack):
            return Notice(NoticeKind.MICROPHONE_BACK)
        if heard is None or not isinstance(heard, Utterance):
            return None if heard is None else InputEnded()
        if heard.ended_by is None:
            return heard  # a command
        # An answer: its audio goes along so that it is kept even if the words were missed.
        # "klaar" alone (ended by the word, nothing said) is no answer at all.
        spoke = bool(heard.text) or heard.ended_by != "word"
        return heard if spoke else replace(heard, recording=None)

    def close(self) -> None:
        self.voice_input.close()
