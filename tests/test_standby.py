"""Standby: called by its start phrase, a whole session, then waiting again; nothing the person
said reaches standard output or standard error (under a service they go to a system log).

For real: the Korean test model, with a content copy whose start phrase and commands are
Korean words it hears reliably; the answer is real Dutch speech.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.audio import silence, write_wav
from assistant.journal.markdown import parse
from tests.helpers import (
    KOREAN_QUESTIONS,
    KOREAN_START,
    KOREAN_STOP,
    RATE,
    espeak,
    human_clips,
    korean_standby_content,
    run_cli,
)


def _recording(folder: Path) -> Path:
    """Silence; the start phrase; "vragen"; an answer; "stop" at the read-back; silence; the
    start phrase again (standby must be listening again); silence."""
    said = silence(1.0, RATE) + espeak(KOREAN_START, "ko") + silence(2.0, RATE)
    said = said + espeak(KOREAN_QUESTIONS, "ko") + silence(2.0, RATE)
    said = said + human_clips()[0].audio() + silence(3.5, RATE)
    said = said + espeak(KOREAN_STOP, "ko") + silence(3.0, RATE)
    said = said + espeak(KOREAN_START, "ko") + silence(3.0, RATE)
    path = folder / "standby.wav"
    write_wav(path, said)
    return path


def test_a_start_phrase_starts_one_session_and_standby_listens_again(tmp_path, ko_model_dir):
    content = korean_standby_content(tmp_path)
    journal = tmp_path / "journal"
    done = run_cli(
        "standby",
        "--mic",
        str(_recording(tmp_path)),
        "--speaker",
        str(tmp_path / "out.wav"),
        "--pace",
        "0",
        "--model",
        str(ko_model_dir),
        "--content",
        str(content),
        "--journal",
        str(journal),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    welcomes = done.stdout.count("Welkom bij Hartsverbinding")
    assert welcomes == 2, done.stdout  # the session, then (called again) a second one
    assert done.stdout.index("Vraag 1 van 10.") < done.stdout.rindex("Welkom bij")
    [session] = sorted(journal.glob("*.md"))
    [answer] = parse(session.read_text(encoding="utf-8"), session.stem).answers
    assert answer.number == 1 and answer.text and not answer.confirmed
    assert (journal / str(answer.recording)).stat().st_size > 0
    # The person's words are in the journal only: not printed, not logged.
    printed = done.stdout + done.stderr
    assert "Ik hoorde" not in printed
    for word in re.findall(r"\w+", answer.text):
        assert word not in printed, (word, printed)
