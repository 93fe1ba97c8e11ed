"""Whole sessions with `voice_server:` set, on a real `wyoming-piper` (the English test voice,
with the English content: no Dutch Piper voice can be had here), rendered to a WAV with its
timeline and answered by typing.

- The lines are spoken by the server: each spoken line's cache entry is the server's, with the
  same length as its segment in the timeline, and the server was sent its text.
- Privacy: every network connection of every process goes to the configured host and port,
  nowhere else (strace); the person's answer is never sent to the server unless
  `voice_server_personal: true`, and never written to the cache or stderr either way.
- The server stopped in the middle of the session: the session goes on, the next lines are
  spoken by the local voice, and that is said once (aloud and on stderr); started again, it
  speaks again, and that is said once too.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.audio import read_wav
from assistant.dialog.messages import Style
from assistant.speech_server import ServerAddress
from assistant.voice.cache import CachedVoice
from assistant.voice.settings import ServerVoice
from assistant.voice.wyoming_voice import WyomingVoice
from tests.helpers import (
    ENGLISH_CONTENT_DIR,
    ROOT,
    Captions,
    require_espeak,
    start_session,
)
from tests.programs import need_program
from tests.servers import PIPER_VOICE, SpeechServer, free_port, piper_server

pytestmark = [pytest.mark.servers, pytest.mark.voice, pytest.mark.files, pytest.mark.slow]

ANSWER = "My sister Annemarie always forgives me"
LOST = "The speech server in the house cannot be reached"
BACK = "The speech server works again"
CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?,")


def _config(folder: Path, port: int, personal: bool = False) -> Path:
    config = folder / "config.yaml"
    config.write_text(
        f"voice_server: tcp://127.0.0.1:{port}/{PIPER_VOICE}\n"
        f"voice_server_personal: {'true' if personal else 'false'}\n"
        "patience: 600\n"
    )
    return config


def _args(folder: Path, config: Path) -> list[str]:
    return [
        *("vragen", "--config", str(config), "--content", str(ENGLISH_CONTENT_DIR)),
        *("--speaker", str(folder / "out.wav"), "--timeline", str(folder / "out.json")),
        *("--journal", str(folder / "journal")),
    ]


def _env(folder: Path) -> dict[str, str]:
    # A cold cache of its own, and no downloaded Piper voice: the local voice is espeak-ng.
    return {"XDG_CACHE_HOME": str(folder / "cache"), "XDG_DATA_HOME": str(folder / "data")}


def _server_cache(folder: Path, port: int) -> CachedVoice:
    """The session's cache as the server's entries are named in it."""
    voice = WyomingVoice(ServerVoice(ServerAddress("127.0.0.1", port), PIPER_VOICE))
    return CachedVoice(voice, folder / "cache" / "hartsverbinding" / "voice")


def _speech(folder: Path) -> list[dict[str, object]]:
    timeline = json.loads((folder / "out.json").read_text())
    return [segment for segment in timeline if segment["kind"] == "speech"]


def _cached_files(folder: Path) -> list[Path]:
    return sorted((folder / "cache" / "hartsverbinding" / "voice").glob("v*/*.wav"))


def _traced_session(
    folder: Path, server: SpeechServer, personal: bool
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """One typed session (an answer, kept; then stop) under strace; its network connects."""
    need_program("strace")
    require_espeak()
    folder.mkdir()
    trace = folder / "trace"
    done = subprocess.run(
        [
            *("strace", "-f", "--seccomp-bpf", "-qq", "-e", "trace=socket,connect"),
            *("-o", str(trace), sys.executable, "-m", "assistant"),
            *_args(folder, _config(folder, server.port, personal)),
            "--verbose",  # every log line too: none may hold the answer
        ],
        input=f"{ANSWER}\nyes\nstop\n",
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=dict(os.environ, **_env(folder)),
    )
    assert done.returncode == 0, done.stderr
    calls = trace.read_text().splitlines()
    return done, [call for call in calls if CONNECT.search(call)]


def test_a_session_speaks_with_the_voice_server_and_talks_to_it_alone(tmp_path: Path) -> None:
    with piper_server(tmp_path / "server", debug=True) as server:
        done, connects = _traced_session(tmp_path / "session", server, personal=False)
        sent = server.log.read_text(errors="replace")
    folder = tmp_path / "session"

    assert f"speaking with the voice server {server.uri}/{PIPER_VOICE}" in done.stderr

    # Every connection went to the configured host and port (and there were some).
    assert connects, "the session never connected to the server"
    where = f'sin_port=htons({server.port}), sin_addr=inet_addr("127.0.0.1")'
    assert [call for call in connects if where not in call] == []

    # The lines were spoken by the server: each one's entry is the server's, as long as its
    # segment, and the server was sent its text. The read-back (the person's words) was not.
    cache = _server_cache(folder, server.port)
    speech = _speech(folder)
    question = next(s for s in speech if str(s["text"]).startswith("Question 1 of 10."))
    read_back = next(s for s in speech if ANSWER in str(s["text"]))
    for segment in speech:
        text = str(segment["text"])
        entry = cache.path_for(text, Style.PROMPT)
        if segment is read_back:
            assert not entry.exists()
            continue
        assert entry.exists(), text
        length = float(segment["end"]) - float(segment["start"])  # type: ignore[arg-type]
        assert read_wav(entry).seconds == pytest.approx(length, abs=0.01), text
    assert str(question["text"]).split(".")[1].strip() in sent
    assert "Question 1 of 10" in sent

    # Nothing of the person's words went to the server, to the cache, or to stderr.
    assert "Annemarie" not in sent
    assert len(_cached_files(folder)) == len({str(s["text"]) for s in speech}) - 1
    assert "Annemarie" not in done.stderr
    assert "Annemarie" in done.stdout  # the captions at the terminal do show it (the person's)


def test_with_voice_server_personal_the_read_back_goes_to_the_server_too(tmp_path: Path) -> None:
    with piper_server(tmp_path / "server", debug=True) as server:
        done, connects = _traced_session(tmp_path / "session", server, personal=True)
        sent = server.log.read_text(errors="replace")
    folder = tmp_path / "session"
    assert connects
    assert "Annemarie" in sent  # the person asked for it
    speech = _speech(folder)
    read_back = next(s for s in speech if ANSWER in str(s["text"]))
    assert (
        not _server_cache(folder, server.port)
        .path_for(str(read_back["text"]), Style.PROMPT)
        .exists()
    )
    assert len(_cached_files(folder)) == len({str(s["text"]) for s in speech}) - 1  # never cached
    assert "Annemarie" not in done.stderr


def test_the_server_stopped_mid_session_the_next_voice_speaks_said_once(tmp_path: Path) -> None:
    require_espeak()
    port = free_port()
    folder = tmp_path / "session"
    folder.mkdir()
    first = contextlib.ExitStack()
    # Up before the session starts: otherwise, on a busy machine, the session's first lines
    # find no server yet, and "lost" is said once more than this test arranges.
    server = first.enter_context(piper_server(tmp_path / "first", port=port))
    session = start_session(*_args(folder, _config(folder, port)), env=_env(folder))
    captions = Captions(session)
    assert session.stdin is not None

    def answer(text: str) -> None:
        assert session.stdin is not None
        session.stdin.write(f"{text}\nyes\n")
        session.stdin.flush()

    try:
        with first:
            assert captions.wait_for(r"^Question 1 of 10\.", 180), captions.text()
            answer("The first answer")
            second = captions.wait_for(r"^Question 2 of 10\..*", 180)
            assert second, captions.text()
            # The caption comes before the line is rendered: wait until the server has said
            # it, so the server is stopped between two lines (test_voice_server_first.py has
            # it stopped in the middle of one).
            entry = _server_cache(folder, port).path_for(second.group(0).strip(), Style.PROMPT)
            deadline = time.monotonic() + 120
            while not entry.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert entry.exists()
            server.stop()  # the next line finds it gone
        answer("The second answer")
        assert captions.wait_for(r"^Question 3 of 10\.", 180), captions.text()
        assert captions.wait_for(LOST, 10), captions.text()
        with piper_server(tmp_path / "second", port=port):  # back, where it was
            assert captions.wait_for(BACK, 120), captions.text()
            answer("The third answer")
            assert captions.wait_for(r"^Question 4 of 10\.", 180), captions.text()
            assert session.stdin is not None
            session.stdin.write("stop\n")
            session.stdin.close()
            assert session.wait(180) == 0
    finally:
        first.close()
        if session.poll() is None:
            session.kill()
            session.wait(10)
    stderr = session.stderr.read() if session.stderr else ""
    assert "Traceback" not in stderr, stderr
    printed = captions.text()
    assert printed.count(LOST) == 1 and printed.count(BACK) == 1, printed
    about_the_server = [line for line in stderr.splitlines() if f"127.0.0.1:{port}" in line]
    assert len(about_the_server) == 2, stderr  # gone, and back: once each

    # Every line was spoken; those said while the server was away by the local voice.
    cache = _server_cache(folder, port)
    speech = {str(s["text"]): s for s in _speech(folder)}
    spoken = [text for text in speech if re.match(r"Question \d of 10\.", text)]
    assert len(spoken) == 4, list(speech)
    by_server = {
        text[: len("Question 1")]: cache.path_for(text, Style.PROMPT).exists() for text in spoken
    }
    assert by_server == {
        "Question 1": True,
        "Question 2": True,
        "Question 3": False,  # the server was stopped
        "Question 4": True,  # and back
    }
    assert any(LOST in text for text in speech) and any(BACK in text for text in speech)
    journal = "".join(p.read_text() for p in (folder / "journal").glob("*.md"))
    assert "The second answer" in journal and "The third answer" in journal
