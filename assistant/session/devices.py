"""Choosing the devices for a session, each with its fallback.

No model or no microphone means typing (said once on stderr; a microphone that fails is also
said by the assistant, to the person who was going to talk); no sound output or no Dutch voice
means the lines are printed. Only what the person explicitly asked for and cannot have (a file
to render into, a model folder that is not there) stops with exit 2.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from assistant import places
from assistant.backoff import Backoff
from assistant.config import DeviceSettings, Settings
from assistant.content.model import Content
from assistant.dialog.lines import known_lines
from assistant.dialog.messages import Style
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.report import warn
from assistant.session.ports import Input, Output
from assistant.session.text_io import TextInput, TextOutput

if TYPE_CHECKING:
    from assistant.speaker import Speaker

log = logging.getLogger(__name__)
T = TypeVar("T")


def typed_input() -> Input:
    return TextInput(sys.stdin.buffer)


def text_output(settings: Settings, personal: bool = True) -> Output:
    return TextOutput(sys.stdout, settings.pace, personal=personal)


# --- output ---------------------------------------------------------------------------------


def spoken_output(
    content: Content,
    settings: Settings,
    timeline: Path | None,
    *,
    speaker: Speaker | None = None,
    captions_personal: bool = True,
) -> Output:
    """The voice on the chosen speaker (or `speaker`, opened already); printed lines when
    either cannot be had. `captions_personal=False`: lines with the person's words are not
    printed (standby, where standard output may go to a system log)."""
    from assistant.session.spoken import SpokenOutput
    from assistant.speaker import SpeakerError, make_speaker
    from assistant.voice import VoiceError, make_voice
    from assistant.voice.recorded import RecordedVoice
    from assistant.voice.server_first import ServerFirstVoice
    from assistant.voice.shared import SharedVoice

    to_file = settings.devices.renders_to_file
    if speaker is None:
        try:
            speaker = make_speaker(settings.devices.speaker, timeline)
        except SpeakerError as error:
            if to_file:
                raise
            warn(
                _("{problem} The practice goes on with the text printed.").format(
                    problem=error.message
                )
            )
            return text_output(settings, captions_personal)
    voice = make_voice(settings.voice, places.cache_home() / "voice")
    try:
        voice.identity(Style.PROMPT)  # finds the Dutch voice now, not in the middle of a line
    except (UserError, VoiceError) as error:
        speaker.close()
        message = error.message if isinstance(error, UserError) else str(error)
        if to_file:
            raise UserError(message) from None
        warn(_("{problem} The practice goes on with the text printed.").format(problem=message))
        return text_output(settings, captions_personal)
    shared = SharedVoice(voice)
    recordings = recorded_lines(content)
    if not to_file:
        # Rendering to a file needs no head start; for a device it makes speaking instant.
        shared.prepare_in_background(
            [line for line in known_lines(content) if line[0] not in recordings]
        )
    return SpokenOutput(
        RecordedVoice(recordings, shared),
        speaker,
        sys.stdout,
        settings.pace,
        volume=settings.volume,
        captions_personal=captions_personal,
        voice_news=voice.take_notices if isinstance(voice, ServerFirstVoice) else None,
    )


def recorded_lines(content: Content) -> dict[str, Path]:
    """The coach's current recordings (text as said -> WAV); each one not used is said on
    stderr, once, with why. A broken index costs the recordings, not the session."""
    from assistant.content.recordings import RecordingsError
    from assistant.voice.recorded import current_recordings

    try:
        recordings, problems = current_recordings(content)
    except RecordingsError as error:
        warn(_("{problem} Every line is synthesised.").format(problem=error.message))
        return {}
    for problem in problems:
        warn(problem)
    return recordings


def wait_for_device(open_device: Callable[[], T], what: str, closing: threading.Event) -> T:
    """`open_device()` once it works. At boot the sound server may come after us, and
    PortAudio's device list is fixed when it starts: so between tries it is re-initialised,
    with growing delays. Quiet: nothing is said, and the wait is logged once."""
    from assistant.portaudio import PORTAUDIO

    backoff = Backoff(first=1.0, most=30.0)
    told = False
    while True:
        try:
            return open_device()
        except UserError as error:
            if not told:
                log.warning("waiting for the %s: %s", what, error.message)
                told = True
            else:
                log.info("still waiting for the %s: %s", what, error.message)
        if closing.wait(backoff.delay()):
            raise UserError(_("stopped while waiting for the {device}.").format(device=_(what)))
        PORTAUDIO.restart(PORTAUDIO.generation)


# --- input ----------------------------------------------------------------------------------


def voice_or_typed_input(content: Content, settings: Settings) -> tuple[Input, bool]:
    """The microphone with the speech model, or typing. Why is said once, in one line; the
    flag is True when the microphone was the cause, which the assistant then says too (so a
    missing model is never called a missing microphone)."""
    devices = settings.devices
    if devices.renders_to_file and devices.mic is None:
        return typed_input(), False  # a rendering to a file is not something to talk to
    from assistant.microphone import MicrophoneError, open_microphone
    from assistant.recognizer import (
        check_model_folder,
        find_model,
        load_model,
        missing_model_message,
    )
    from assistant.session.voice_io import VoiceListening

    model_dir = find_model(devices.model)
    if model_dir is None:
        warn(
            _("{problem} The practice goes on with typing.").format(problem=missing_model_message())
        )
        return typed_input(), False
    realtime = not devices.mic_is_recording or settings.pace > 0
    try:
        check_model_folder(model_dir)
    except UserError as error:
        warn(_("{problem} The practice goes on with typing.").format(problem=error.message))
        return typed_input(), False
    # A recording is read before the model takes seconds to load, so a file that is not audio
    # is refused at once; a device is opened after it (its stream would overflow meanwhile).
    recording = None
    if devices.mic_is_recording:
        recording = open_microphone(devices.mic, realtime=realtime)
    try:
        model = load_model(model_dir)
    except UserError as error:
        warn(_("{problem} The practice goes on with typing.").format(problem=error.message))
        return typed_input(), False
    report_missing_words(content, model)
    try:
        microphone = recording or open_microphone(devices.mic, realtime=realtime)
        return VoiceListening.open(content, settings.listen, microphone, model), False
    except MicrophoneError as error:
        warn(_("{problem} The practice goes on with typing.").format(problem=error.message))
        return typed_input(), True


def with_button(input_: Input, devices: DeviceSettings) -> Input:
    """The input, with the start button's presses when one is configured and usable."""
    from assistant.session.button import WithButton, open_button

    button = open_button(devices.start_button)
    return input_ if button is None else WithButton(input_, button)


def report_missing_words(content: Content, model: object, more: Sequence[str] = ()) -> None:
    """Phrasings the model cannot hear whole, said at start rather than missed in silence."""
    from assistant.dialog.understand import all_phrasings
    from assistant.recognizer import describe_missing, missing_words

    lines = describe_missing(missing_words(model, [*all_phrasings(content), *more]))
    if lines:
        warn(
            ngettext(
                "{count} word of the phrasings is not in the speech model:",
                "{count} words of the phrasings are not in the speech model:",
                len(lines),
            ).format(count=len(lines))
        )
        for line in lines:
            print(f"  {line}", file=sys.stderr)
