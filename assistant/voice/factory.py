"""The voice the assistant speaks with, behind a render cache: a voice server in the house when
one is configured (`voice_server:`), else (and whenever it cannot be had) Piper when it can,
else the system's Dutch voice exactly as before.

Piper is used when `voice:` names a Piper voice (an .onnx file, or a downloaded voice), or when
nothing is configured, the piper extra is installed and a voice has been downloaded. When Piper
was wanted but cannot be had, one line on stderr says why and the system voice speaks instead.
When nothing asks for Piper, nothing is said.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from assistant import places
from assistant.errors import UserError
from assistant.i18n import _
from assistant.report import warn
from assistant.voice.base import CachingVoice, KeyedVoice, VoiceError
from assistant.voice.cache import CachedVoice
from assistant.voice.piper_catalogue import DEFAULT_VOICE, find, installed, model_path
from assistant.voice.pyttsx3_voice import Pyttsx3Voice
from assistant.voice.settings import VoiceSettings

INSTALL_PIPER = "pip install 'hartsverbinding[piper]'"

log = logging.getLogger(__name__)


def make_voice(
    settings: VoiceSettings,
    cache_dir: Path,
    voices_dir: Path | None = None,
    *,
    say: Callable[[str], None] = warn,
) -> CachingVoice:
    inner: KeyedVoice | None = None
    folder = places.voices_dir() if voices_dir is None else voices_dir
    wanted = piper_model(settings.voice, folder)
    if wanted is not None:
        inner = _piper_or_say_why(wanted, settings, explicit=settings.voice is not None, say=say)
    if inner is None:
        system = replace(settings, voice=None) if wanted is not None else settings
        inner = Pyttsx3Voice(system)
        log.info("speaking with the system voice (pyttsx3)")
    else:
        log.info("speaking with the Piper voice %s", wanted)
    local = CachedVoice(inner, cache_dir, settings.cache_bytes)
    if settings.server is None:
        return local
    return _server_first(settings, local, cache_dir, say)


def _server_first(
    settings: VoiceSettings, local: CachedVoice, cache_dir: Path, say: Callable[[str], None]
) -> CachingVoice:
    """The configured voice server, with `local` behind it; `local` alone (said once) when
    the Wyoming client is not installed."""
    from assistant.speech_server import require_wyoming
    from assistant.voice.server_first import ServerFirstVoice
    from assistant.voice.wyoming_voice import WyomingVoice

    assert settings.server is not None
    try:
        require_wyoming()
    except UserError as error:
        say(_("{problem} Speaking with the local voice.").format(problem=error.message))
        return local
    server = WyomingVoice(settings.server, settings)
    log.info("speaking with the voice server %s", settings.server.uri)
    return ServerFirstVoice(
        CachedVoice(server, cache_dir, settings.cache_bytes),
        local,
        server.check,
        settings.server.uri,
        personal=settings.server_personal,
        say=say,
    )


def piper_installed() -> bool:
    """Whether the piper extra is there, without importing it (that takes onnxruntime along)."""
    try:
        return importlib.util.find_spec("piper") is not None
    except (ImportError, ValueError):
        return False


def piper_model(voice: str | None, folder: Path) -> Path | None:
    """The Piper model `voice:` asks for, or with nothing configured the downloaded voice to use
    when Piper is installed. None: the system voice (`voice:` then names a system voice)."""
    if voice is None:
        if not piper_installed():
            return None
        names = installed(folder)
        if not names:
            return None
        return model_path(DEFAULT_VOICE if DEFAULT_VOICE in names else names[0], folder)
    if voice.lower().endswith(".onnx"):
        return Path(os.path.expanduser(voice))
    if voice in installed(folder) or find(voice) is not None:
        return model_path(voice, folder)
    return None


def _piper_or_say_why(
    model: Path, settings: VoiceSettings, *, explicit: bool, say: Callable[[str], None]
) -> KeyedVoice | None:
    from assistant.voice.piper_voice import PiperVoice

    name = settings.voice or model.stem
    if not piper_installed():
        say(
            _(
                "The voice {name} needs Piper, which is not installed ({command}). Speaking "
                "with the system voice instead."
            ).format(name=name, command=INSTALL_PIPER)
        )
        return None
    if explicit and not model.exists() and find(name) is not None:
        say(
            _(
                "The voice {name} is not downloaded yet (hartsverbinding voice download {name}). "
                "Speaking with the system voice instead."
            ).format(name=name)
        )
        return None
    voice: PiperVoice | None = None
    try:
        voice = PiperVoice(model, settings)
        voice.load()
    except VoiceError as error:
        if voice is not None:
            voice.close()
        say(
            _(
                "The Piper voice {name} cannot be used: {reason}. Speaking with the system voice."
            ).format(name=name, reason=error)
        )
        return None
    return voice
