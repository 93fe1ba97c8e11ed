"""The render cache: a line is synthesised once, then read back; the cache never costs a line.
It stays under its size cap, least recently used out first, also with two users at once; it
keeps lines at one loudness, faded, for every volume (the volume is applied as a line is played:
tests/test_loudness.py); it removes what an older version left; and a private line never
reaches it."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path

import pytest

from assistant.audio import AudioChunk, rms
from assistant.dialog.messages import Style
from assistant.voice import CachedVoice, Pyttsx3Voice, VoiceError, VoiceSettings, make_voice
from assistant.voice.cache import FORMAT

pytestmark = [pytest.mark.files, pytest.mark.voice]

LINES = [
    ("Adem diep en rustig in, en weer uit.", Style.GUIDE),
    ("Nog een keer.", Style.GUIDE),
    ("Wil je de oefening doen, of de vragen?", Style.PROMPT),
]


class CountingVoice:
    """A stand-in engine: a tone whose length depends on the text, and a count of renders."""

    def __init__(self, rate: int = 150, fail_on: str = "") -> None:
        self.rate, self.fail_on, self.calls = rate, fail_on, 0
        self._lock = threading.Lock()

    def identity(self, style: Style) -> str:
        return f"counting|{style.value}|{self.rate}"

    def render(self, text: str, style: Style) -> AudioChunk:
        if text == self.fail_on:
            raise VoiceError("engine failure")
        with self._lock:
            self.calls += 1
        # A square wave at 1 kHz that starts and stops at full level: a click unless faded.
        return AudioChunk((b"\x00\x20" * 8 + b"\x00\xe0" * 8) * (25 * len(text)), 16000)


def test_the_real_voice_is_not_asked_again_the_second_time(tmp_path: Path) -> None:
    first = make_voice(VoiceSettings(), tmp_path / "voice")
    try:
        assert first.prepare(LINES) == len(LINES)
        spoken = [first.render(text, style) for text, style in LINES]
        assert (first.hits, first.misses) == (len(LINES), 0)
    finally:
        first.close()
    # A new session: a new engine, the same folder.
    inner = Pyttsx3Voice()
    second = CachedVoice(inner, tmp_path / "voice")
    try:
        started = time.perf_counter()
        again = [second.render(text, style) for text, style in LINES]
        assert (second.hits, second.misses) == (len(LINES), 0)
        assert inner.renders == 0  # no line went to a worker
        assert second.prepare(LINES) == 0
        assert inner.renders == 0
        assert time.perf_counter() - started < 2.0
    finally:
        second.close()
    assert again == spoken
    assert all(rms(audio) > 1000 for audio in again)


def test_misses_then_hits(tmp_path: Path) -> None:
    inner = CountingVoice()
    voice = CachedVoice(inner, tmp_path / "cache")
    audio = voice.render("hallo", Style.PROMPT)
    assert (voice.hits, voice.misses, inner.calls) == (0, 1, 1)
    assert voice.render("hallo", Style.PROMPT) == audio
    assert (voice.hits, voice.misses, inner.calls) == (1, 1, 1)


def test_the_key_holds_everything_that_changes_the_audio(tmp_path: Path) -> None:
    voice = CachedVoice(CountingVoice(rate=150), tmp_path)
    slower = CachedVoice(CountingVoice(rate=120), tmp_path)
    keys = {
        voice.path_for("hallo", Style.PROMPT),
        voice.path_for("hallo", Style.GUIDE),
        voice.path_for("hallo ", Style.PROMPT),
        slower.path_for("hallo", Style.PROMPT),
    }
    assert len(keys) == 4


def test_prepare_renders_each_missing_line_once(tmp_path: Path) -> None:
    inner = CountingVoice()
    voice = CachedVoice(inner, tmp_path)
    voice.render("een", Style.PROMPT)
    lines = [
        ("een", Style.PROMPT),
        ("twee", Style.GUIDE),
        ("twee", Style.GUIDE),
        ("drie", Style.GUIDE),
    ]
    assert voice.prepare(lines) == 2
    assert inner.calls == 3
    assert voice.prepare(lines) == 0


def test_prepare_stops_at_a_failure_and_keeps_what_it_rendered(tmp_path: Path) -> None:
    inner = CountingVoice(fail_on="twee")
    voice = CachedVoice(inner, tmp_path)
    with pytest.raises(VoiceError):
        voice.prepare([("een", Style.PROMPT), ("twee", Style.PROMPT), ("drie", Style.PROMPT)])
    assert voice.path_for("een", Style.PROMPT).exists()
    assert not voice.path_for("twee", Style.PROMPT).exists()


def test_the_folder_is_private_and_no_temporary_files_remain(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "hartsverbinding" / "voice"
    voice = CachedVoice(CountingVoice(), folder)
    voice.prepare([("een", Style.PROMPT), ("twee", Style.PROMPT)])
    assert voice.entries == folder / f"v{FORMAT}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(voice.entries.stat().st_mode) == 0o700
    assert [path.name for path in folder.iterdir()] == [f"v{FORMAT}"]
    assert sorted(path.suffix for path in voice.entries.iterdir()) == [".wav", ".wav"]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in voice.entries.iterdir())


def test_a_damaged_entry_is_rendered_again(tmp_path: Path) -> None:
    inner = CountingVoice()
    voice = CachedVoice(inner, tmp_path)
    good = voice.render("hallo", Style.PROMPT)
    voice.path_for("hallo", Style.PROMPT).write_bytes(b"RIFF\x00\x00")  # e.g. a power cut
    assert voice.render("hallo", Style.PROMPT) == good
    assert inner.calls == 2
    assert voice.render("hallo", Style.PROMPT) == good
    assert inner.calls == 2


def test_an_unwritable_cache_still_speaks(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    voice = CachedVoice(CountingVoice(), blocker / "voice")
    assert voice.render("hallo", Style.PROMPT).frames > 0
