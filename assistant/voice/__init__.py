"""The Dutch voice (Piper, or the system voice): text and a style in, audio out; cached, and
contained in worker processes.

The names below are loaded on first use: every synthesis worker imports this package on its
way to `assistant.voice.worker`, and should not pay for numpy and the rest to do so.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.voice.base import KeyedVoice, Voice, VoiceError
    from assistant.voice.cache import CachedVoice
    from assistant.voice.choose import VoiceInfo, choose_dutch_voice
    from assistant.voice.cues import cue_audio
    from assistant.voice.factory import make_voice
    from assistant.voice.piper_voice import PiperVoice
    from assistant.voice.pyttsx3_voice import Pyttsx3Voice
    from assistant.voice.settings import StyleSettings, VoiceSettings

_HOMES = {
    "KeyedVoice": "base",
    "Voice": "base",
    "VoiceError": "base",
    "CachedVoice": "cache",
    "VoiceInfo": "choose",
    "choose_dutch_voice": "choose",
    "cue_audio": "cues",
    "make_voice": "factory",
    "PiperVoice": "piper_voice",
    "Pyttsx3Voice": "pyttsx3_voice",
    "StyleSettings": "settings",
    "VoiceSettings": "settings",
}

__all__ = [
    "CachedVoice",
    "KeyedVoice",
    "PiperVoice",
    "Pyttsx3Voice",
    "StyleSettings",
    "Voice",
    "VoiceError",
    "VoiceInfo",
    "VoiceSettings",
    "choose_dutch_voice",
    "cue_audio",
    "make_voice",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'assistant.voice' has no attribute '{name}'")
    return getattr(importlib.import_module(f"assistant.voice.{home}"), name)
