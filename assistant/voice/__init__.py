"""The Dutch voice: text and a style in, audio out; cached, and contained in a worker process."""

from assistant.voice.base import KeyedVoice, Voice, VoiceError
from assistant.voice.cache import CachedVoice, default_cache_dir
from assistant.voice.choose import VoiceInfo, choose_dutch_voice
from assistant.voice.cues import cue_audio
from assistant.voice.factory import make_voice
from assistant.voice.pyttsx3_voice import Pyttsx3Voice
from assistant.voice.settings import StyleSettings, VoiceSettings

__all__ = [
    "CachedVoice",
    "KeyedVoice",
    "Pyttsx3Voice",
    "StyleSettings",
    "Voice",
    "VoiceError",
    "VoiceInfo",
    "VoiceSettings",
    "choose_dutch_voice",
    "cue_audio",
    "default_cache_dir",
    "make_voice",
]
