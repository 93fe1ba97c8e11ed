"""The voice server first, the local voice whenever it cannot be had (voice/server_first.py):
a real `wyoming-piper` (fixture tts_server, the English test voice) reached through a small
TCP relay that the test can make cut every connection after the server's first reply, as a
server that dies in the middle of a line does; the real system voice (espeak-ng) behind it.

A cut line is spoken by the local voice at once; the next lines go to the local voice without
trying the server; the server is asked again with growing delays and speaks again once it
answers; each change is said once (a notice, and one line on stderr).
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.audio import rms
from assistant.backoff import Backoff
from assistant.dialog.messages import NoticeKind, Style
from assistant.speech_server import ServerAddress
from assistant.voice.cache import CachedVoice
from assistant.voice.factory import make_voice
from assistant.voice.pyttsx3_voice import Pyttsx3Voice
from assistant.voice.server_first import ServerFirstVoice
from assistant.voice.settings import ServerVoice, VoiceSettings
from assistant.voice.wyoming_voice import WyomingVoice
from tests.helpers import require_espeak
from tests.servers import PIPER_VOICE, SpeechServer, free_port

pytestmark = [pytest.mark.servers, pytest.mark.voice, pytest.mark.files]

LINES = [f"This is line number {n} of the practice." for n in range(1, 5)]


class Relay:
    """Forwards each connection to the server; while `cut` is set it closes the connection as
    soon as the server's first bytes came back (the server gone halfway through a line)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.cut = threading.Event()
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.target)) as server:
            threading.Thread(target=_pump, args=(client, server), daemon=True).start()
            while data := server.recv(65536):
                client.sendall(data)
                if self.cut.is_set():
                    client.shutdown(socket.SHUT_RDWR)
                    return

    def close(self) -> None:
        self.listener.close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass


@contextmanager
def _relay(server: SpeechServer) -> Iterator[Relay]:
    relay = Relay(server.port)
    try:
        yield relay
    finally:
        relay.close()


def _voices(
    port: int, cache: Path, said: list[str]
) -> tuple[ServerFirstVoice, CachedVoice, CachedVoice]:
    settings = VoiceSettings()
    wyoming = WyomingVoice(ServerVoice(ServerAddress("127.0.0.1", port), PIPER_VOICE), settings)
    server = CachedVoice(wyoming, cache)
    local = CachedVoice(Pyttsx3Voice(settings), cache)
    voice = ServerFirstVoice(
        server,
        local,
        wyoming.check,
        f"tcp://127.0.0.1:{port}",
        retry=Backoff(first=0.2, most=0.5),
        say=said.append,
    )
    return voice, server, local


@pytest.mark.slow
def test_a_server_cut_mid_line_costs_nothing_and_comes_back(
    tts_server: SpeechServer, tmp_path: Path
) -> None:
    require_espeak()
    said: list[str] = []
    with _relay(tts_server) as relay:
        voice, server, local = _voices(relay.port, tmp_path / "cache", said)
        try:
            first = voice.render(LINES[0], Style.PROMPT)
            assert (server.misses, local.misses) == (1, 0)  # the server's voice said it
            assert rms(first) > 100

            relay.cut.set()  # the server dies while it sends the next line
            cut = voice.render(LINES[1], Style.PROMPT)
            assert rms(cut) > 100  # spoken all the same, by espeak-ng:
            assert (server.misses, local.misses) == (2, 1)
            assert not voice.up
            assert voice.take_notices() == [NoticeKind.VOICE_SERVER_LOST]
            assert len(said) == 1 and f"127.0.0.1:{relay.port}" in said[0]

            tried = relay.connections
            voice.render(LINES[2], Style.PROMPT)  # straight to the local voice
            assert local.misses == 2 and server.misses == 2  # the cut line and the first
            assert voice.take_notices() == []  # said once
            # Only the background probe may have knocked since (it asks, it sends no line).

            relay.cut.clear()  # the server is back: the next probe finds it
            for _ in range(100):
                if voice.up:
                    break
                threading.Event().wait(0.1)
            assert voice.up, "the server was not found again"
            assert relay.connections > tried
            assert voice.take_notices() == [NoticeKind.VOICE_SERVER_BACK]
            assert len(said) == 2 and f"127.0.0.1:{relay.port}" in said[1]

            back = voice.render(LINES[3], Style.PROMPT)
            assert rms(back) > 100 and (server.misses, local.misses) == (3, 2)
            # The cache keys on the voice: the line spoken locally is not the server's entry.
            assert not server.path_for(LINES[2], Style.PROMPT).exists()
            assert local.path_for(LINES[2], Style.PROMPT).exists()
        finally:
            voice.close()


def test_personal_lines_stay_on_the_device_unless_asked(tmp_path: Path) -> None:
    """No server listens: a personal line never even tries it (the local voice says it, and
    nothing goes wrong), while an ordinary line finds the server gone."""
    require_espeak()
    said: list[str] = []
    voice, _, _ = _voices(free_port(), tmp_path / "cache", said)
    try:
        audio = voice.render_private("I heard: I am often hard on myself.", Style.PROMPT)
        assert audio.seconds > 1.0
        assert voice.up and said == [] and voice.take_notices() == []
        assert not (tmp_path / "cache").exists()  # a personal line is never cached
        voice.render(LINES[0], Style.PROMPT)
        assert not voice.up and len(said) == 1
    finally:
        voice.close()
    voice, _, _ = _voices(free_port(), tmp_path / "cache2", said)
    voice.personal = True  # voice_server_personal: true
    try:
        voice.render_private("I heard: I am often hard on myself.", Style.PROMPT)
        assert not voice.up  # it went to the (absent) server first
        assert not (tmp_path / "cache2").exists()
    finally:
        voice.close()


def test_the_factory_puts_the_server_first_only_when_configured(tmp_path: Path) -> None:
    settings = VoiceSettings()
    plain = make_voice(settings, tmp_path / "cache", tmp_path / "voices")
    assert isinstance(plain, CachedVoice)
    plain.close()
    server = ServerVoice.parse(f"tcp://127.0.0.1:{free_port()}/{PIPER_VOICE}")
    assert server.name == PIPER_VOICE
    chosen = make_voice(
        VoiceSettings(server=server, server_personal=True), tmp_path / "cache", tmp_path / "voices"
    )
    try:
        assert isinstance(chosen, ServerFirstVoice)
        assert chosen.personal
        assert chosen.identity(Style.PROMPT).startswith(f"wyoming|{server.address.uri}|")
    finally:
        chosen.close()


def test_without_the_wyoming_extra_the_local_voice_speaks_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "wyoming", None)  # import fails, as without the extra
    said: list[str] = []
    server = ServerVoice(ServerAddress("127.0.0.1", free_port()))
    voice = make_voice(
        VoiceSettings(server=server), tmp_path / "cache", tmp_path / "voices", say=said.append
    )
    try:
        assert isinstance(voice, CachedVoice)  # the local voice alone
        assert len(said) == 1 and "pip install 'hartsverbinding[wyoming]'" in said[0]
    finally:
        voice.close()
