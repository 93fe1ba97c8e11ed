"""Quick now, better later (issue 15, item 3): a voice session answered from a recording of real
Dutch speech keeps Vosk's text as the confirmed one and a better recogniser's text as the
improved version, made in a worker process; a kill while it runs loses nothing and the next
start finishes it; with the speech server down the answers keep Vosk's text and are improved
once it is back.

Real parts: the Korean Vosk model (which hears Korean words in Dutch speech: its text is
recognisably not Whisper's), Whisper base from PyPI, `wyoming-faster-whisper` on it, the
program in its own processes, a real SIGKILL.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from assistant.audio import silence, write_wav
from assistant.journal.markdown import SessionRecord, parse
from bench.recognizer_bench import word_error_rate
from tests.helpers import (
    KOREAN_YES,
    RATE,
    espeak,
    human_clips,
    korean_yes_content,
    require_espeak,
    run_cli,
    start_session,
)
from tests.servers import SpeechServer, whisper_server

pytestmark = [pytest.mark.files, pytest.mark.vosk, pytest.mark.whisper, pytest.mark.slow]

CLIP = "computer__poc-m-zezadu.wav"  # one Whisper base gets right here
WER_BOUND = 0.5
HANGUL = re.compile(r"[\uac00-\ud7a3]")
PENDING = ".improve-pending.yaml"


def _expected() -> str:
    (clip,) = [c for c in human_clips() if c.path.name == CLIP]
    return clip.text


def _answers(folder: Path, count: int = 1) -> Path:
    """`count` answers of the Dutch clip, each confirmed with the Korean "ja"."""
    require_espeak()
    (clip,) = [c for c in human_clips() if c.path.name == CLIP]
    yes = espeak(KOREAN_YES, "ko")
    audio = silence(0.5, RATE)
    for _ in range(count):
        audio = audio + clip.audio() + silence(3.5, RATE) + yes + silence(1.5, RATE)
    path = folder / "answers.wav"
    write_wav(path, audio)
    return path


def _session_args(
    tmp_path: Path, ko_model_dir: Path, transcriber: str, count: int = 1, wait: float = 0
):
    """A session answered from a recording; `wait`: how long the read-back may wait for a
    speech server's text (0: Vosk's is read back, the server's comes later as a version)."""
    config = tmp_path / "config.yaml"
    config.write_text(f"transcriber: {transcriber}\ntranscriber_wait: {wait}\n", encoding="utf-8")
    content = tmp_path / "content"
    if not content.exists():
        korean_yes_content(tmp_path)
    return (
        *("vragen", "--mic", str(_answers(tmp_path, count)), "--pace", "0"),
        *("--model", str(ko_model_dir), "--content", str(content)),
        *("--journal", str(tmp_path / "journal"), "--speaker", str(tmp_path / "out.wav")),
        *("--config", str(config)),
    )


def _record(journal: Path) -> SessionRecord:
    (path,) = sorted(journal.glob("*.md"))
    return parse(path.read_text(encoding="utf-8"), path.stem)


def _pending(journal: Path) -> str:
    path = journal / PENDING
    return path.read_text(encoding="utf-8").strip() if path.exists() else "[]"


def _check_improved(journal: Path, recognizer: str) -> None:
    record = _record(journal)
    answer = record.answers[0]
    assert answer.confirmed and HANGUL.search(answer.text), answer.text  # Vosk's, confirmed
    assert [v.recognizer for v in answer.versions] == [recognizer]
    assert word_error_rate(_expected(), answer.best) < WER_BOUND, answer.best
    assert _pending(journal) == "[]"
    read = run_cli("journal", "read", "--journal", str(journal))
    assert read.returncode == 0, read.stderr
    assert answer.best in read.stdout and answer.text not in read.stdout
    assert answer.text in (journal / f"{record.id}.md").read_text(encoding="utf-8")


def test_a_spoken_answer_is_improved_by_local_whisper(
    tmp_path: Path, ko_model_dir: Path, whisper_model_dir: Path
) -> None:
    done = run_cli(*_session_args(tmp_path, ko_model_dir, str(whisper_model_dir)), timeout=600)
    assert done.returncode == 0, done.stderr
    _check_improved(tmp_path / "journal", "whisper:whisper-base")
    assert _expected()[:12] not in done.stderr + done.stdout  # no words printed


@pytest.mark.servers
def test_a_spoken_answer_is_improved_by_the_house_server(
    tmp_path: Path, ko_model_dir: Path, stt_server: SpeechServer
) -> None:
    done = run_cli(*_session_args(tmp_path, ko_model_dir, stt_server.uri), timeout=600)
    assert done.returncode == 0, done.stderr
    _check_improved(tmp_path / "journal", f"wyoming:{stt_server.uri}")


@pytest.mark.servers
def test_a_server_that_answers_in_time_gives_the_read_back(
    tmp_path: Path, ko_model_dir: Path, stt_server: SpeechServer
) -> None:
    """Within the wait (generous here: a busy test machine), the server's text is what is read
    back and confirmed; it needs no later version, and nothing waits on the pending list."""
    args = _session_args(tmp_path, ko_model_dir, stt_server.uri, wait=10)
    done = run_cli(*args, timeout=600)
    assert done.returncode == 0, done.stderr
    journal = tmp_path / "journal"
    answer = _record(journal).answers[0]
    assert answer.confirmed and not HANGUL.search(answer.text), answer.text
    assert word_error_rate(_expected(), answer.text) < WER_BOUND, answer.text
    assert answer.heard_by == f"wyoming:{stt_server.uri}" and not answer.versions
    assert _pending(journal) == "[]"


def test_a_kill_while_improving_loses_nothing(
    tmp_path: Path, ko_model_dir: Path, whisper_model_dir: Path
) -> None:
    """Killed once the answer is confirmed and on the pending list (the worker is loading or
    transcribing): the confirmed answer is kept, and the next start (typed: no audio of its
    own) improves it."""
    journal = tmp_path / "journal"
    process = start_session(*_session_args(tmp_path, ko_model_dir, str(whisper_model_dir)))
    try:
        deadline = time.monotonic() + 300
        while "session" not in _pending(journal) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "session" in _pending(journal), "the answer never waited for improving"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=30)
    answer = _record(journal).answers[0]
    assert answer.confirmed and HANGUL.search(answer.text) and not answer.versions
    config = tmp_path / "config.yaml"
    again = run_cli(
        *("vragen", "--text", "--journal", str(journal), "--config", str(config)),
        *("--content", str(tmp_path / "content")),
        stdin="stop\n",
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    _check_improved(journal, "whisper:whisper-base")


@pytest.mark.servers
def test_with_the_server_down_vosk_text_is_kept_and_improved_when_it_is_back(
    tmp_path: Path, ko_model_dir: Path, whisper_model_dir: Path
) -> None:
    with whisper_server(whisper_model_dir, tmp_path / "server") as server:
        uri = server.uri
    args = _session_args(tmp_path, ko_model_dir, uri)
    started = time.monotonic()
    done = run_cli(*args, timeout=600)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 120  # nobody waited for a server that is not there
    journal = tmp_path / "journal"
    answer = _record(journal).answers[0]
    assert answer.confirmed and HANGUL.search(answer.text) and not answer.versions
    assert "session" in _pending(journal)
    port = int(uri.rsplit(":", 1)[1])
    with whisper_server(whisper_model_dir, tmp_path / "server", port=port) as server:
        assert server.uri == uri
        again = run_cli(
            *("vragen", "--text", "--journal", str(journal)),
            *("--config", str(tmp_path / "config.yaml"), "--content", str(tmp_path / "content")),
            stdin="stop\n",
            timeout=600,
        )
    assert again.returncode == 0, again.stderr
    _check_improved(journal, f"wyoming:{uri}")


def test_no_worker_without_a_better_recogniser(tmp_path: Path) -> None:
    done = run_cli(
        *("vragen", "--text", "--journal", str(tmp_path / "journal")),
        stdin="stop\n",
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "journal" / PENDING).exists()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_journal_improve_transcribes_earlier_answers(
    tmp_path: Path, whisper_model_dir: Path, encrypted: bool
) -> None:
    """Answers kept before a better recogniser was chosen; an encrypted journal with its
    passphrase, nothing decrypted to disk."""
    from datetime import datetime

    from assistant.journal.markdown import Entry, Labels
    from assistant.journal.store import Journal
    from tests.helpers import copy_journal_key

    (clip,) = [c for c in human_clips() if c.path.name == CLIP]
    journal = tmp_path / "journal"
    journal.mkdir()
    secret = "wachtzin van test"
    if encrypted:
        copy_journal_key(journal, secret)
    labels = Labels("{date} {time}", "(x)", "opname", "Dagboek")
    kept = Journal(journal, labels)
    kept.start("vragen", datetime(2026, 11, 3, 14, 5))
    kept.save_answer(Entry("vragen", 1, "Waardoor lijd je?", "wat vosk hoorde", True), clip.audio())
    kept.save_answer(Entry("vragen", 2, "Accepteer je je lot?", "getypt", True), None)
    kept.finish(True, 60)
    kept.close()
    stdin = secret + "\n" if encrypted else ""
    done = run_cli(
        *("journal", "improve", "--journal", str(journal), "--recognizer", str(whisper_model_dir)),
        stdin=stdin,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "1 of 1 answers" in done.stderr
    assert "1 answer transcribed by whisper:whisper-base." in done.stderr
    assert _expected()[:12] not in done.stderr + done.stdout
    read = run_cli("journal", "read", "--journal", str(journal), stdin=stdin)
    improved = read.stdout.split("## 1. ")[1].split("\n\n")[1]
    assert word_error_rate(_expected(), improved) < WER_BOUND, read.stdout
    assert "\n_Verbeterd door whisper:whisper-base, " in read.stdout  # the shipped label
    if encrypted:
        names = [p.name for p in journal.iterdir()]
        assert not [n for n in names if n.endswith((".md", ".wav"))], names
    else:
        assert "wat vosk hoorde" in next(journal.glob("*.md")).read_text(encoding="utf-8")
    again = run_cli(
        *("journal", "improve", "--journal", str(journal), "--recognizer", str(whisper_model_dir)),
        stdin=stdin,
    )
    assert again.returncode == 0 and "0 answers transcribed" in again.stderr
    vosk = run_cli("journal", "improve", "--journal", str(journal), stdin=stdin)
    assert vosk.returncode == 2 and "Choose a better recogniser" in vosk.stderr


def test_standby_improves_earlier_answers_while_nobody_practises(
    tmp_path: Path, ko_model_dir: Path, whisper_model_dir: Path
) -> None:
    """An answer kept before Whisper was chosen; standby hears only silence (a recording, in
    real time) and meanwhile gives the answer its improved version; SIGTERM ends it cleanly."""
    from datetime import datetime

    from assistant.journal.markdown import Entry, Labels
    from assistant.journal.store import Journal

    (clip,) = [c for c in human_clips() if c.path.name == CLIP]
    journal = tmp_path / "journal"
    kept = Journal(journal, Labels("{date} {time}", "(x)", "opname", "Dagboek"))
    kept.start("vragen", datetime(2026, 11, 3, 14, 5))
    kept.save_answer(Entry("vragen", 1, "Waardoor lijd je?", "wat vosk hoorde", True), clip.audio())
    kept.finish(True, 60)
    kept.close()
    quiet = tmp_path / "quiet.wav"
    write_wav(quiet, silence(300, RATE))
    config = tmp_path / "config.yaml"
    config.write_text(f"transcriber: {whisper_model_dir}\n", encoding="utf-8")
    process = start_session(
        *("standby", "--mic", str(quiet), "--speaker", "none", "--model", str(ko_model_dir)),
        *("--journal", str(journal), "--config", str(config)),
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not _record(journal).answers[0].versions:
            time.sleep(0.5)
        assert process.poll() is None  # still waiting for the start phrase
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    finally:
        process.kill()
        _out, errors = process.communicate(timeout=30)
    answer = _record(journal).answers[0]
    assert answer.text == "wat vosk hoorde"
    assert [v.recognizer for v in answer.versions] == ["whisper:whisper-base"], errors
    assert word_error_rate(_expected(), answer.best) < WER_BOUND, answer.best
    assert _pending(journal) == "[]"
