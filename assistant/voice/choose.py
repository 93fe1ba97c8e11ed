"""Pick the Dutch voice by language, never by its position in the engine's list."""

from __future__ import annotations

import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.errors import UserError
from assistant.i18n import _


@dataclass(frozen=True)
class VoiceInfo:
    """One voice as the engine lists it (plain strings, so it can cross a process boundary)."""

    id: str
    name: str
    languages: tuple[str, ...]


_DUTCH_WORDS = ("dutch", "nederlands", "netherlands", "flemish", "vlaams")


def _tokens(text: str) -> list[str]:
    # espeak-ng 'gmw/nl', macOS 'com.apple.voice.compact.nl-NL.Xander', 'nl_NL', Windows
    # 'TTS_MS_NL-NL_FRANK_11.0': the language code is always a token of its own.
    return [token for token in re.split(r"[^a-z0-9]+", text.lower()) if token]


def dutch_rank(voice: VoiceInfo) -> int | None:
    """0 for Dutch of the Netherlands, 1 for other Dutch (e.g. Flemish), None if not Dutch."""
    codes = [_tokens(language) for language in voice.languages]
    code_tokens = [tokens for tokens in codes if tokens]
    id_tokens = _tokens(voice.id)
    words = " ".join([voice.name, voice.id, *voice.languages]).lower()
    mentions_nl = any(tokens[0] == "nl" for tokens in code_tokens) or "nl" in id_tokens
    if not mentions_nl and not any(word in words for word in _DUTCH_WORDS):
        return None
    flemish = "be" in id_tokens or any("be" in tokens for tokens in code_tokens)
    flemish = flemish or "flemish" in words or "vlaams" in words or "belgi" in words
    return 1 if flemish else 0


def install_hint(system: str | None = None) -> str:
    system = system or platform.system()
    if system == "Darwin":
        return _(
            "add a Dutch voice in System Settings > Accessibility > Spoken Content > "
            "System Voice > Manage Voices"
        )
    if system == "Windows":
        return _(
            "add the Dutch (Nederlands) language in Settings > Time & language > Language, "
            "with its speech (text-to-speech) feature"
        )
    return _("install espeak-ng, which has a Dutch voice: sudo apt-get install espeak-ng")


def choose_dutch_voice(
    voices: Sequence[VoiceInfo], preferred: str | None = None, system: str | None = None
) -> VoiceInfo:
    """The voice to speak with: `preferred` (an id or name) if given, else the best Dutch one."""
    if preferred is not None:
        for voice in voices:
            if preferred in (voice.id, voice.name):
                return voice
        dutch = ", ".join(voice.id for voice in voices if dutch_rank(voice) is not None)
        raise UserError(
            _("The configured voice '{voice}' is not installed.").format(voice=preferred)
            + " "
            + (
                _("Dutch voices found: {voices}.").format(voices=dutch)
                if dutch
                else _("No Dutch voice was found either.")
            )
        )
    ranks = [(dutch_rank(voice), index) for index, voice in enumerate(voices)]
    ranked = [(rank, index) for rank, index in ranks if rank is not None]
    if not ranked:
        raise UserError(
            _("No Dutch voice found for speech. To fix this, {hint}.").format(
                hint=install_hint(system)
            )
        )
    return voices[min(ranked)[1]]
