"""The voice the assistant speaks with: the system's Dutch voice, behind a render cache."""

from __future__ import annotations

from pathlib import Path

from assistant.voice.cache import DEFAULT_MAX_BYTES, CachedVoice
from assistant.voice.pyttsx3_voice import Pyttsx3Voice
from assistant.voice.settings import VoiceSettings


def make_voice(
    settings: VoiceSettings, cache_dir: Path, cache_bytes: int = DEFAULT_MAX_BYTES
) -> CachedVoice:
    return CachedVoice(Pyttsx3Voice(settings), cache_dir, cache_bytes)
