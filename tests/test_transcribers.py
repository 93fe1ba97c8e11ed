"""Transcribing a kept answer: Vosk, Whisper on this device, and a real Wyoming server.

Real engines on real Dutch speech: Whisper base from PyPI (fixture whisper_model_dir) and
`wyoming-faster-whisper` running on it (fixture stt_server). The clip is one Whisper base gets
right here (measured: 0 % word error rate, 0.5 to 2.7 of real time on two busy cores); the bound
is far below what text about something else scores (about 100 %).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.audio import AudioChunk, silence
from assistant.errors import UserError
from assistant.recognizer.transcribers import (
    TranscriptionFailed,
    make_transcriber,
    without_stop_phrase,
)
from assistant.recognizer.transcribers.whisper import WhisperTranscriber
from assistant.recognizer.transcribers.wyoming_stt import WyomingTranscriber
from assistant.speech_server import ServerAddress, describe
from bench.recognizer_bench import word_error_rate
from tests.helpers import NL_HUMAN, ROOT, human_clips
from tests.servers import SpeechServer, free_port, whisper_server

pytestmark = pytest.mark.servers

CLIP = "computer__poc-m-zezadu.wav"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
WER_BOUND = 0.5


def _clip() -> tuple[AudioChunk, str]:
    (clip,) = [c for c in human_clips() if c.path.name == CLIP]
    return clip.audio(), clip.text


# --- the stop word, in any recogniser's spelling ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik ben moe, klaar.", "Ik ben moe"),
        ("ik ben moe klaar", "ik ben moe"),
        ("Ik ben moe. Dat was alles!", "Ik ben moe."),
        ("Klaar.", ""),
        ("Ik ben klaar met werken.", "Ik ben klaar met werken."),
        ("Ik ben moe", "Ik ben moe"),
    ],
)
def test_the_stop_phrase_goes_whatever_the_case_and_punctuation(text: str, expected: str) -> None:
    assert without_stop_phrase(text, ["klaar", "dat was alles"]) == expected


# --- choosing a recogniser from the config ----------------------------------------------------


def test_a_config_value_names_each_kind(ko_model_dir: Path, whisper_model_dir: Path) -> None:
    assert make_transcriber("vosk", vosk_model=ko_model_dir).name == "vosk:model"
    assert make_transcriber(str(ko_model_dir)).name == "vosk:model"
    assert make_transcriber(str(whisper_model_dir)).name == "whisper:whisper-base"
    server = make_transcriber("tcp://192.168.1.20:10300")
    assert server.name == "wyoming:tcp://192.168.1.20:10300"


def test_whisper_by_name_is_looked_up_in_the_data_folder(
    tmp_path: Path, whisper_model_dir: Path
) -> None:
    (tmp_path / "base").symlink_to(whisper_model_dir, target_is_directory=True)
    assert make_transcriber("whisper:base", whisper_home=tmp_path).name == "whisper:base"
    with pytest.raises(UserError, match="model download whisper:small"):
        make_transcriber("whisper:small", whisper_home=tmp_path)
    with pytest.raises(UserError, match=r"no Whisper model called 'huge'.*tiny, base"):
        make_transcriber("whisper:huge", whisper_home=tmp_path)


@pytest.mark.parametrize("value", ["tcp://nas.local", "tcp://:10300", "http://nas:10300", "nope"])
def test_a_value_that_names_nothing_is_one_clear_message(value: str) -> None:
    with pytest.raises(UserError, match=r"tcp://"):
        make_transcriber(value)


def test_vosk_alone_needs_the_session_model() -> None:
    with pytest.raises(UserError, match="no Vosk model"):
        make_transcriber("vosk")


# --- Vosk ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_vosk_transcribes_a_whole_answer(ko_model_dir: Path) -> None:
    transcript = make_transcriber("vosk", vosk_model=ko_model_dir).transcribe(_clip()[0])
    # The Korean model hears Korean words in Dutch speech: proof the audio was decoded.
    assert HANGUL.search(transcript.text), transcript
    assert transcript.recognizer == "vosk:model" and transcript.seconds > 0


# --- Whisper on this device -------------------------------------------------------------------


@pytest.mark.slow
def test_whisper_base_hears_the_dutch(whisper_model_dir: Path) -> None:
    audio, said = _clip()
    transcriber = make_transcriber(str(whisper_model_dir), stop_phrases=["klaar"])
    transcript = transcriber.transcribe(audio)
    assert word_error_rate(said, transcript.text) < WER_BOUND, transcript.text
    assert word_error_rate(said, "Waar zijn we nu weer terecht gekomen?") > 0.8  # the bound bites
    assert transcript.recognizer == "whisper:whisper-base"
    # The model is loaded once: the same object serves the next answer.
    model = transcriber._model  # type: ignore[attr-defined]
    transcriber.transcribe(silence(0.5, 16000))
    assert transcriber._model is model  # type: ignore[attr-defined]


def test_without_the_whisper_extra_the_message_says_what_to_install(
    whisper_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # import fails, as without it
    transcriber = WhisperTranscriber(whisper_model_dir)
    with pytest.raises(UserError, match=r"pip install 'hartsverbinding\[whisper\]'"):
        transcriber.transcribe(silence(0.5, 16000))


def test_a_broken_whisper_model_is_one_clear_message(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(os.urandom(4096))
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / name).write_text("{}")
    with pytest.raises(UserError, match="does not load"):
        WhisperTranscriber(tmp_path).transcribe(silence(0.5, 16000))


def test_a_whisper_folder_without_its_tokenizer_is_refused_before_loading(tmp_path: Path) -> None:
    """faster-whisper would fetch a missing tokenizer from the internet: never let it."""
    (tmp_path / "model.bin").write_bytes(b"x")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(UserError, match=r"tokenizer\.json missing"):
        WhisperTranscriber(tmp_path)


# --- a Wyoming server -------------------------------------------------------------------------


@pytest.mark.slow
def test_the_house_server_hears_the_dutch(stt_server: SpeechServer) -> None:
    audio, said = _clip()
    transcript = make_transcriber(stt_server.uri).transcribe(audio)
    assert word_error_rate(said, transcript.text) < WER_BOUND, transcript.text
    assert transcript.recognizer == f"wyoming:{stt_server.uri}"


@pytest.mark.slow
@pytest.mark.timed
def test_a_stopped_server_fails_at_once(whisper_model_dir: Path, tmp_path: Path) -> None:
    with whisper_server(whisper_model_dir, tmp_path) as server:
        transcriber = make_transcriber(server.uri)
        # It was there: it answered. (Asked what it offers, not to transcribe: a cold server's
        # first transcript can take longer than any bound on a busy machine.)
        assert describe(ServerAddress.parse(server.uri), timeout=60).asr
    started = time.monotonic()
    with pytest.raises(TranscriptionFailed, match="cannot reach"):
        transcriber.transcribe(_clip()[0])
    assert time.monotonic() - started < 3.0  # the connect timeout: nothing listens any more


def test_nothing_listening_fails_at_once() -> None:
    transcriber = make_transcriber(f"tcp://127.0.0.1:{free_port()}")
    with pytest.raises(TranscriptionFailed, match="cannot reach"):
        transcriber.transcribe(silence(1.0, 16000))


@contextmanager
def _bad_server(behaviour: str) -> Iterator[ServerAddress]:
    """A TCP server on the loopback that accepts and then hangs, or closes at once."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(connection)
            if behaviour == "close":
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield ServerAddress("127.0.0.1", listener.getsockname()[1])
    finally:
        listener.close()
        for connection in accepted:
            connection.close()


def test_a_server_that_never_answers_fails_at_its_deadline() -> None:
    with _bad_server("hang") as address:
        transcriber = WyomingTranscriber(address, base_timeout=1.0)
        audio = silence(0.5, 16000)
        started = time.monotonic()
        with pytest.raises(TranscriptionFailed, match="did not answer within 2 s"):
            transcriber.transcribe(audio)
        assert time.monotonic() - started < transcriber.deadline(audio) + 1.0


def test_a_server_that_hangs_up_fails_at_once() -> None:
    with _bad_server("close") as address, pytest.raises(TranscriptionFailed):
        WyomingTranscriber(address).transcribe(silence(0.5, 16000))


PRIVATE_RUN = """
import logging, sys
from pathlib import Path
from assistant.audio import read_wav
from assistant.recognizer.transcribers import make_transcriber
logging.basicConfig(level=logging.DEBUG)
transcript = make_transcriber(sys.argv[1]).transcribe(read_wav(Path(sys.argv[2])))
print(len(transcript.text.split()))
"""


@pytest.mark.slow
def test_only_the_configured_server_is_reached_and_no_word_is_logged(
    stt_server: SpeechServer, tmp_path: Path
) -> None:
    trace = tmp_path / "connect.trace"
    done = subprocess.run(
        [
            *("strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace)),
            *(sys.executable, "-c", PRIVATE_RUN, stt_server.uri, str(NL_HUMAN / CLIP)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 5  # it did transcribe
    inet = [line for line in trace.read_text().splitlines() if "AF_INET" in line]
    assert inet, "the trace saw no connection at all"
    assert all(f"sin_port=htons({stt_server.port})" in line for line in inet), inet
    assert all('inet_addr("127.0.0.1")' in line for line in inet), inet
    assert "speech server" in done.stderr  # the log line is there, with sizes and times only
    said = _clip()[1].lower()
    assert not [w for w in ("achter", "ding", "komen") if w in done.stderr.lower()], said


def test_without_the_wyoming_extra_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "wyoming", None)  # import fails, as without it
    transcriber = make_transcriber(f"tcp://127.0.0.1:{free_port()}")
    with pytest.raises(UserError, match=r"pip install 'hartsverbinding\[wyoming\]'"):
        transcriber.transcribe(silence(0.5, 16000))
