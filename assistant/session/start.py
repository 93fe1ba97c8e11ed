"""Putting a session together: choose the devices, open the journal, run the dialog.

Each device falls back rather than stopping the practice: no model or no microphone means
typing (said once, on stderr and by the assistant); no sound output or no Dutch voice means the
lines are printed. Only what the user explicitly asked for and cannot have stops with exit 2.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.audio import AudioChunk
from assistant.config import Settings, cache_home
from assistant.content.model import Content
from assistant.dialog.lines import known_lines
from assistant.dialog.messages import Begin, Style
from assistant.journal.markdown import Labels
from assistant.journal.store import Journal
from assistant.session.ports import Input, Output
from assistant.session.runtime import Session
from assistant.session.text_io import TextInput, TextOutput
from assistant.session.voice_io import VoiceListening

if TYPE_CHECKING:
    from assistant.voice import CachedVoice

log = logging.getLogger(__name__)


def warn(message: str) -> None:
    print(f"hartsverbinding: {message}", file=sys.stderr, flush=True)


def run_practice(
    content: Content,
    settings: Settings,
    practice_id: str | None,
    text_only: bool,
    timeline: Path | None = None,
) -> bool:
    journal = Journal(settings.journal, Labels(**content.journal), keep_audio=settings.keep_audio)
    resume = journal.resume_point(content)
    output = (
        TextOutput(sys.stdout, settings.pace)
        if text_only
        else spoken_output(content, settings, timeline)
    )
    input_, fell_back = typed_input() if text_only else voice_or_typed_input(content, settings)
    session = Session(content, output, input_, journal, settings.patience, warn)
    return session.run(Begin(practice_id, resume, text_input=fell_back))


def renders_to_file(settings: Settings) -> bool:
    """--speaker FILE.wav: the session is a rendering, not a conversation."""
    return settings.speaker is not None and settings.speaker.lower().endswith(".wav")


def typed_input() -> tuple[Input, bool]:
    return TextInput(sys.stdin), False


# --- output ---------------------------------------------------------------------------------


def spoken_output(content: Content, settings: Settings, timeline: Path | None) -> Output:
    from assistant.errors import UserError
    from assistant.session.spoken import SpokenOutput
    from assistant.speaker import SpeakerError, make_speaker
    from assistant.voice import StyleSettings, VoiceError, VoiceSettings, make_voice

    to_file = renders_to_file(settings)
    try:
        speaker = make_speaker(settings.speaker, timeline)
    except SpeakerError as error:
        if to_file:
            raise
        warn(f"{error.message} The practice goes on with the text printed.")
        return TextOutput(sys.stdout, settings.pace)
    voice_settings = VoiceSettings(
        prompt=StyleSettings(settings.rate_prompt, settings.volume),
        guide=StyleSettings(settings.rate_guide, settings.volume),
        reading=StyleSettings(settings.rate_reading, settings.volume),
        timeout=settings.synthesis_timeout,
        voice=settings.voice,
    )
    voice = make_voice(voice_settings, cache_home() / "voice")
    try:
        voice.identity(Style.PROMPT)  # finds the Dutch voice now, not in the middle of a line
    except (UserError, VoiceError) as error:
        message = error.message if isinstance(error, UserError) else str(error)
        if to_file:
            speaker.close()
            raise UserError(message) from None
        speaker.close()
        warn(f"{message} The practice goes on with the text printed.")
        return TextOutput(sys.stdout, settings.pace)
    shared = SharedVoice(voice)
    if not to_file:
        # Rendering to a file needs no head start; for a device it makes speaking instant.
        shared.prepare_in_background(known_lines(content))
    return SpokenOutput(shared, speaker, sys.stdout, settings.pace)


class SharedVoice:
    """The voice, shared by the session and a background pre-renderer (the worker process
    takes one line at a time, so the session waits at most for the line being rendered)."""

    def __init__(self, voice: CachedVoice) -> None:
        self.voice = voice
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    def render(self, text: str, style: Style) -> AudioChunk:
        return self.voice.render(text, style)

    def prepare_in_background(self, lines: list[tuple[str, Style]]) -> None:
        from assistant.voice import VoiceError

        def prepare() -> None:
            for text, style in lines:
                if self._closing.is_set():
                    return
                try:
                    self.render(text, style)
                except VoiceError:
                    return  # the session will say (or print) it when it comes

        self._thread = threading.Thread(target=prepare, name="voice-prepare", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.voice.close()


# --- input ----------------------------------------------------------------------------------


def voice_or_typed_input(content: Content, settings: Settings) -> tuple[Input, bool]:
    """The microphone with the speech model; typing, said once, when either is missing."""
    if renders_to_file(settings) and settings.mic is None:
        return typed_input()  # a rendering to a file is not something to talk to
    from assistant.errors import UserError
    from assistant.microphone import MicrophoneError, open_microphone
    from assistant.recognizer import find_model, load_model, missing_model_message

    model_dir = find_model(settings.model)
    if model_dir is None:
        warn(missing_model_message())
        return TextInput(sys.stdin), True
    try:
        model = load_model(model_dir)
    except UserError as error:
        warn(f"{error.message} The practice goes on with typing.")
        return TextInput(sys.stdin), True
    _report_missing_words(content, model)
    realtime = not (settings.mic or "").lower().endswith(".wav") or settings.pace > 0
    try:
        microphone = open_microphone(settings.mic, realtime=realtime)
        return VoiceListening.open(content, settings, microphone, model), False
    except MicrophoneError as error:
        warn(f"{error.message} The practice goes on with typing.")
        return TextInput(sys.stdin), True


def _report_missing_words(content: Content, model: object) -> None:
    from assistant.dialog.understand import all_phrasings
    from assistant.recognizer import describe_missing, missing_words

    missing = missing_words(model, all_phrasings(content))
    lines = describe_missing(missing)
    if lines:
        warn(f"{len(lines)} words of the phrasings are not in the speech model:")
        for line in lines:
            print(f"  {line}", file=sys.stderr)
