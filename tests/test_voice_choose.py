"""Choosing the Dutch voice from what each platform's engine lists (pure, no engine)."""

from __future__ import annotations

import pytest

from assistant.errors import UserError
from assistant.voice.choose import VoiceInfo, choose_dutch_voice, dutch_rank

pytestmark = pytest.mark.voice

ESPEAK = [
    VoiceInfo("gmw/af", "Afrikaans", ("af",)),
    VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
    VoiceInfo("gmw/nl", "Dutch", ("nl",)),
    VoiceInfo("roa/es", "Spanish (Spain)", ("es",)),
]
MACOS = [
    VoiceInfo("com.apple.voice.compact.en-US.Samantha", "Samantha", ("en_US",)),
    VoiceInfo("com.apple.voice.compact.nl-BE.Ellen", "Ellen", ("nl_BE",)),
    VoiceInfo("com.apple.voice.compact.nl-NL.Xander", "Xander", ("nl_NL",)),
]
WINDOWS = [
    VoiceInfo(
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Speech\Voices\Tokens\TTS_MS_EN-US_ZIRA_11.0",
        "Microsoft Zira Desktop - English (United States)",
        ("en-US",),
    ),
    VoiceInfo(
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Speech\Voices\Tokens\TTS_MS_NL-NL_FRANK_11.0",
        "Microsoft Frank - Dutch (Netherlands)",
        (),
    ),
]


def test_espeak_dutch_is_found_by_language_not_position() -> None:
    assert choose_dutch_voice(ESPEAK).id == "gmw/nl"
    assert choose_dutch_voice(list(reversed(ESPEAK))).id == "gmw/nl"


def test_macos_prefers_dutch_of_the_netherlands_over_flemish() -> None:
    assert choose_dutch_voice(MACOS).name == "Xander"
    assert dutch_rank(MACOS[1]) == 1


def test_windows_voice_is_found_by_its_name_and_id() -> None:
    assert choose_dutch_voice(WINDOWS).name == "Microsoft Frank - Dutch (Netherlands)"


def test_similar_looking_ids_are_not_taken_for_dutch() -> None:
    lookalikes = [
        VoiceInfo("gmw/nb", "Norwegian Bokmål", ("nb",)),
        VoiceInfo("sla/sl", "Slovenian", ("sl",)),
        VoiceInfo("inc/ne", "Nepali", ("ne",)),
    ]
    assert [dutch_rank(voice) for voice in lookalikes] == [None, None, None]
    assert dutch_rank(VoiceInfo("x/only", "English", ("en-nl",))) is None


@pytest.mark.parametrize(
    ("system", "hint"),
    [
        ("Linux", "sudo apt-get install espeak-ng"),
        ("Darwin", "System Settings > Accessibility > Spoken Content"),
        ("Windows", "Dutch (Nederlands) language"),
    ],
)
def test_no_dutch_voice_says_what_to_install(system: str, hint: str) -> None:
    english_only = [ESPEAK[1], MACOS[0], WINDOWS[0]]
    with pytest.raises(UserError) as caught:
        choose_dutch_voice(english_only, system=system)
    assert "No Dutch voice" in caught.value.message
    assert hint in caught.value.message


def test_a_configured_voice_wins_and_a_missing_one_is_named() -> None:
    assert choose_dutch_voice(ESPEAK, preferred="Afrikaans").id == "gmw/af"
    with pytest.raises(UserError, match=r"'mb-nl2' is not installed.*gmw/nl"):
        choose_dutch_voice(ESPEAK, preferred="mb-nl2")
