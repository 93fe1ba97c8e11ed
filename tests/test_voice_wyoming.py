"""A text-to-speech server in the house as a voice: a real `wyoming-piper` with the English test
voice (fixture tts_server; no Dutch Piper voice can be had here), through the same cache as
every other voice. A stopped server costs the line (VoiceError) at once; a personal line is
never written to disk, by the voice or the cache."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.audio import rms
from assistant.dialog.messages import Style
from assistant.errors import UserError
from assistant.speaker import Segment, at_volume
from assistant.speech_server import ServerAddress
from assistant.voice.base import VoiceError
from assistant.voice.cache import CachedVoice
from assistant.voice.settings import StyleSettings, VoiceSettings
from assistant.voice.wyoming_voice import ServerVoice, WyomingVoice
from tests.helpers import ROOT, silences
from tests.servers import PIPER_VOICE, SpeechServer, free_port, piper_server

pytestmark = [pytest.mark.servers, pytest.mark.voice]

LINE = "Breathe in slowly. Then let the breath go, all the way out."


def _voice(server: SpeechServer, settings: VoiceSettings | None = None) -> WyomingVoice:
    return WyomingVoice(ServerVoice(ServerAddress.parse(server.uri), PIPER_VOICE), settings)


@pytest.mark.slow
def test_the_server_voice_speaks(tts_server: SpeechServer) -> None:
    audio = _voice(tts_server).render(LINE, Style.GUIDE)
    assert audio.rate == 22050  # the server's rate, as it said in AudioStart
    assert 2.0 < audio.seconds < 10.0
    assert rms(audio) > 500  # speech, not silence
    assert silences(audio, shortest=1.0) == []  # one line, spoken through


@pytest.mark.slow
def test_a_line_is_rendered_once_then_cached(tts_server: SpeechServer, tmp_path: Path) -> None:
    inner = _voice(tts_server, VoiceSettings(guide=StyleSettings(rate=120)))
    cached = CachedVoice(inner, tmp_path / "cache")
    first = cached.render(LINE, Style.GUIDE)
    inner.retune(0.8)  # langzamer: the server's speed is its own, so the line stays cached
    again = cached.render(LINE, Style.GUIDE)
    assert (cached.misses, cached.hits, inner.renders) == (1, 1, 1)
    assert again == first
    assert tts_server.uri in inner.identity(Style.GUIDE)
    assert PIPER_VOICE in inner.identity(Style.GUIDE)
    # The volume (0.5 here) is the playback's, after the cache: the one entry serves it.
    played = at_volume(Segment.speech(again, LINE), 0.5).audio
    assert rms(played) / rms(again) == pytest.approx(0.5, rel=0.01)


@pytest.mark.slow
def test_a_stopped_server_costs_the_line_at_once(tmp_path: Path) -> None:
    with piper_server(tmp_path) as server:
        voice = _voice(server)
        voice.render("Hello.", Style.PROMPT)
    cached = CachedVoice(voice, tmp_path / "cache")
    started = time.monotonic()
    with pytest.raises(VoiceError, match="cannot reach"):
        cached.render(LINE, Style.PROMPT)
    assert time.monotonic() - started < 3.0  # the connect timeout, not the line's deadline
    assert not list((tmp_path / "cache").glob("v*/*.wav"))


def test_nothing_listening_is_a_voice_error() -> None:
    voice = WyomingVoice(ServerVoice(ServerAddress("127.0.0.1", free_port())))
    with pytest.raises(VoiceError, match="cannot reach"):
        voice.render(LINE, Style.PROMPT)


PRIVATE_RUN = """
import sys
from pathlib import Path
from assistant.dialog.messages import Style
from assistant.speech_server import ServerAddress
from assistant.voice.cache import CachedVoice
from assistant.voice.wyoming_voice import ServerVoice, WyomingVoice
voice = WyomingVoice(ServerVoice(ServerAddress.parse(sys.argv[1]), sys.argv[2]))
cached = CachedVoice(voice, Path(sys.argv[3]))
render = cached.render_private if sys.argv[4] == "private" else cached.render
assert render("I heard: I am often hard on myself.", Style.PROMPT).seconds > 1.0
"""
WRITES = re.compile(r"open(at)?\(.*(O_WRONLY|O_RDWR|O_CREAT)|creat\(|rename|\bunlink")


def _written(tts_server: SpeechServer, tmp_path: Path, how: str) -> list[str]:
    trace = tmp_path / f"{how}.trace"
    done = subprocess.run(
        [
            *("strace", "-f", "-qq", "-e", "trace=%file,%desc", "-o", str(trace)),
            *(sys.executable, "-c", PRIVATE_RUN, tts_server.uri, PIPER_VOICE),
            *(str(tmp_path / f"cache-{how}"), how),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
    )
    assert done.returncode == 0, done.stderr
    return [
        line
        for line in trace.read_text(errors="replace").splitlines()
        if WRITES.search(line) and '"/dev/null"' not in line and " = -1 " not in line
    ]


@pytest.mark.slow
def test_a_personal_line_from_the_server_never_touches_the_disk(
    tts_server: SpeechServer, tmp_path: Path
) -> None:
    assert _written(tts_server, tmp_path, "private") == []
    assert not (tmp_path / "cache-private").exists()
    cached = _written(tts_server, tmp_path, "cached")  # the trace does see a cached line written
    assert any(str(tmp_path / "cache-cached") in line for line in cached), cached


@pytest.mark.slow
def test_a_voice_the_server_lacks_is_a_voice_error(tts_server: SpeechServer) -> None:
    """wyoming-piper answers with an Error event (its text is not passed on)."""
    address = ServerAddress.parse(tts_server.uri)
    voice = WyomingVoice(ServerVoice(address, "nl_NL-not-there-low"))
    with pytest.raises(VoiceError, match="reported an error"):
        voice.render(LINE, Style.PROMPT)


def test_without_the_wyoming_extra_the_voice_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "wyoming", None)  # import fails, as without it
    voice = WyomingVoice(ServerVoice(ServerAddress("127.0.0.1", free_port())))
    with pytest.raises(UserError, match=r"pip install 'hartsverbinding\[wyoming\]'"):
        voice.render(LINE, Style.PROMPT)
