"""`doctor` checks each configured speech server: it answers, it offers the language (and the
voice asked for), and one round trip, timed. Against the real servers: `wyoming-piper` with the
English test voice (fixture tts_server) and `wyoming-faster-whisper` on Whisper base (fixture
stt_server); a port where nothing listens for an unreachable one.

The check is one function for both kinds, so the transcriber's `tcp://` is checked by the same
call (`speech_server(address, ServerKind.TRANSCRIBER, language)`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.appliance.server_checks import ServerKind, speech_server
from assistant.speech_server import ServerAddress
from tests.helpers import run_cli
from tests.servers import PIPER_VOICE, SpeechServer, free_port

pytestmark = [pytest.mark.servers, pytest.mark.voice, pytest.mark.files]


def _address(server: SpeechServer) -> ServerAddress:
    return ServerAddress.parse(server.uri)


@pytest.mark.slow
def test_a_voice_server_with_the_voice_and_language_passes_with_its_round_trip(
    tts_server: SpeechServer,
) -> None:
    check = speech_server(_address(tts_server), ServerKind.VOICE, "en", PIPER_VOICE)
    assert check.ok, check
    assert tts_server.uri in check.detail
    assert "round trip took" in check.detail and " ms" in check.detail


@pytest.mark.slow
def test_a_voice_in_another_language_fails_naming_it(tts_server: SpeechServer) -> None:
    check = speech_server(_address(tts_server), ServerKind.VOICE, "nl", PIPER_VOICE)
    assert not check.ok
    assert "language nl" in check.detail
    assert "nl" in check.fix


@pytest.mark.slow
def test_a_voice_the_server_lacks_fails_naming_it(tts_server: SpeechServer) -> None:
    check = speech_server(_address(tts_server), ServerKind.VOICE, "nl", "nl_NL-not-there-low")
    assert not check.ok
    assert "nl_NL-not-there-low" in check.detail


def test_an_unreachable_server_fails_with_what_to_do() -> None:
    address = ServerAddress("127.0.0.1", free_port())
    for kind in ServerKind:
        check = speech_server(address, kind, "nl")
        assert not check.ok
        assert "cannot reach" in check.detail
        assert address.uri in check.fix


@pytest.mark.slow
def test_a_transcription_server_is_checked_by_the_same_call(
    stt_server: SpeechServer, tts_server: SpeechServer
) -> None:
    check = speech_server(_address(stt_server), ServerKind.TRANSCRIBER, "nl")
    assert check.ok, check
    assert "round trip took" in check.detail
    wrong = speech_server(_address(tts_server), ServerKind.TRANSCRIBER, "nl")
    assert not wrong.ok and "speech-to-text" in wrong.detail


def _doctor_line(config_text: str, label: str, tmp_path: Path) -> str:
    """doctor run with this config: its one line about `label` (e.g. "voice server")."""
    config = tmp_path / "config.yaml"
    config.write_text(config_text)
    done = run_cli(
        "doctor",
        "--config",
        str(config),
        env={"XDG_DATA_HOME": str(tmp_path / "data"), "HARTSVERBINDING_MODEL": ""},
        timeout=180,
    )
    assert "Traceback" not in done.stderr, done.stderr
    (line,) = [line for line in done.stdout.splitlines() if f"{label}:" in line]
    return line


@pytest.mark.slow
def test_doctor_checks_the_configured_voice_server(
    tts_server: SpeechServer, tmp_path: Path
) -> None:
    config = f"voice_server: {tts_server.uri}/{PIPER_VOICE}\nlanguage: en\n"
    line = _doctor_line(config, "voice server", tmp_path)
    assert line.startswith("OK") and tts_server.uri in line, line


@pytest.mark.slow
def test_doctor_checks_the_configured_transcription_server(
    stt_server: SpeechServer, tmp_path: Path
) -> None:
    line = _doctor_line(f"transcriber: {stt_server.uri}\n", "transcription server", tmp_path)
    assert line.startswith("OK") and stt_server.uri in line, line


def test_without_a_server_doctor_has_no_server_line(tmp_path: Path) -> None:
    done = run_cli(
        "doctor", env={"XDG_DATA_HOME": str(tmp_path / "data"), "HARTSVERBINDING_MODEL": ""}
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert "server:" not in done.stdout.replace("sound server:", "")
