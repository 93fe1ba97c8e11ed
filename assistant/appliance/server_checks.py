"""The doctor's check of a speech server in the house: it answers, it offers the language (and
the voice asked for), and one round trip, timed.

One function for every kind of server, given its address and kind: the voice server
(`voice_server:`) and a transcription server (`tcp://HOST:PORT` as the recogniser) alike. The
round trip sends nothing of the person's: a fixed word to speak, or a second of silence to
transcribe.
"""

from __future__ import annotations

import enum
import time
from typing import TYPE_CHECKING

from assistant.appliance.check import Check, failed, passed
from assistant.audio import silence
from assistant.dialog.messages import Style
from assistant.i18n import _
from assistant.speech_server import ServerAddress, ServerUnavailable, describe
from assistant.voice.base import VoiceError
from assistant.voice.settings import ServerVoice

if TYPE_CHECKING:
    from wyoming.info import Info

ROUND_TRIP_WORD = "Hallo."  # spoken by a voice server: the same for everyone, nobody's words
ROUND_TRIP_SILENCE = 1.0  # seconds of silence sent to a transcription server


class ServerKind(enum.Enum):
    VOICE = "voice"  # text to speech (wyoming-piper)
    TRANSCRIBER = "transcriber"  # speech to text (wyoming-faster-whisper)


def check_name(kind: ServerKind) -> str:
    return _("voice server") if kind is ServerKind.VOICE else _("transcription server")


def speech_server(
    address: ServerAddress, kind: ServerKind, language: str, voice: str | None = None
) -> Check:
    """Reachable, `language` (a code such as `nl`) offered, and one round trip, timed. `voice`:
    the voice asked for on a voice server (None: its default)."""
    name = check_name(kind)
    fix = _(
        "Check that the server runs and that {uri} is its address (its host's firewall lets "
        "this device in); or remove the server from the config."
    ).format(uri=address.uri)
    try:
        info = describe(address)
    except ServerUnavailable as error:
        return failed(name, str(error), fix)
    if kind is ServerKind.VOICE:
        from assistant.voice.wyoming_voice import voice_problem

        problem = voice_problem(info, ServerVoice(address, voice), language)
    else:
        problem = _transcriber_problem(info, address, language)
    if problem is not None:
        return failed(
            name,
            problem,
            _("Install a model or voice for the language {language} on the server.").format(
                language=language
            ),
        )
    started = time.monotonic()
    try:
        _round_trip(address, kind, language, voice)
    except (ServerUnavailable, VoiceError) as error:
        return failed(name, str(error), fix)
    took = time.monotonic() - started
    return passed(
        name,
        _("{uri} offers {language}; one round trip took {ms:.0f} ms").format(
            uri=address.uri, language=language, ms=took * 1000
        ),
    )


def _transcriber_problem(info: Info, address: ServerAddress, language: str) -> str | None:
    models = [m for program in info.asr if program.installed for m in program.models]
    if not models:
        return _("the server at {uri} offers no speech-to-text").format(uri=address.uri)
    codes = [code for model in models if model.installed for code in model.languages]
    # A multilingual Whisper lists every language it knows; a server started with
    # --language lists that one.
    if not any(code.replace("-", "_").lower().split("_")[0] == language for code in codes):
        return _("the server at {uri} offers no model for the language {language}").format(
            uri=address.uri, language=language
        )
    return None


def _round_trip(address: ServerAddress, kind: ServerKind, language: str, voice: str | None) -> None:
    if kind is ServerKind.VOICE:
        from assistant.voice.wyoming_voice import WyomingVoice

        WyomingVoice(ServerVoice(address, voice)).render(ROUND_TRIP_WORD, Style.PROMPT)
        return
    from assistant.recognizer.transcribers.base import TranscriptionFailed
    from assistant.recognizer.transcribers.wyoming_stt import WyomingTranscriber

    try:
        WyomingTranscriber(address, language=language).transcribe(
            silence(ROUND_TRIP_SILENCE, 16000)
        )
    except TranscriptionFailed as error:
        raise ServerUnavailable(str(error)) from None
