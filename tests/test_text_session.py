"""Whole sessions in text mode through the real command line, and the runtime loop."""

from __future__ import annotations

import io
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.dialog.messages import Begin, Cue, InputEnded, Notice, NoticeKind, Pause, Say
from assistant.hearing import ListenMode, Utterance
from assistant.journal.markdown import Labels, parse
from assistant.journal.store import Journal
from assistant.session.runtime import Session
from assistant.session.text_io import TextInput, TextOutput
from tests.helpers import ROOT, Captions, answers_script, copy_content, run_cli, start_session

pytestmark = pytest.mark.files


def journal_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.md"))


def read_journal(path: Path):
    return parse(path.read_text(encoding="utf-8"), path.stem)


def test_ten_typed_answers_make_one_private_journal_file(tmp_path, content):
    """The issue's 'done when': printf of ten answers, each followed by ja."""
    folder = tmp_path / "dagboek"
    done = run_cli(
        "vragen", "--text", "--pace", "0", "--journal", str(folder), stdin=answers_script(10)
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    files = journal_files(folder)
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    text = files[0].read_text(encoding="utf-8")
    for number, question in enumerate(content.practices[1].questions, start=1):
        assert f"## {number}. {question}" in text
        assert f"Mijn antwoord op vraag {number}\n" in text
    record = read_journal(files[0])
    assert record.finished and record.practices == ["vragen"]
    assert all(a.confirmed for a in record.answers) and len(record.answers) == 10
    assert "Vraag 10 van 10." in done.stdout


def test_the_console_script_does_the_same_as_python_dash_m(tmp_path):
    script = Path(sys.executable).parent / "hartsverbinding"
    done = subprocess.run(
        [str(script), "vragen", "--text", "--pace", "0", "--journal", str(tmp_path)],
        input=answers_script(10),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert len(read_journal(journal_files(tmp_path)[0]).answers) == 10


def test_end_of_input_ends_cleanly_with_the_journal_saved(tmp_path):
    done = run_cli(
        "vragen",
        "--text",
        "--pace",
        "0",
        "--journal",
        str(tmp_path),
        stdin=answers_script(3) + "een antwoord zonder ja\n",
    )
    assert done.returncode == 0, done.stderr
    record = read_journal(journal_files(tmp_path)[0])
    assert [(a.number, a.confirmed) for a in record.answers] == [
        (1, True),
        (2, True),
        (3, True),
        (4, False),
    ]
    assert not record.finished
    assert "Je hebt 3 antwoorden bewaard" in done.stdout


def test_the_next_start_offers_to_resume_at_the_first_unanswered_question(tmp_path):
    run_cli("vragen", "--text", "--pace", "0", "--journal", str(tmp_path), stdin=answers_script(4))
    rest = "".join(f"later antwoord {n}\nja\n" for n in range(5, 11))
    done = run_cli("--text", "--pace", "0", "--journal", str(tmp_path), stdin="ja\n" + rest)
    assert done.returncode == 0, done.stderr
    assert "gestopt bij vraag 5" in done.stdout
    assert "Vraag 5 van 10." in done.stdout and "Vraag 4 van 10." not in done.stdout
    files = journal_files(tmp_path)
    assert len(files) == 1  # the same session, completed
    record = read_journal(files[0])
    assert [a.number for a in record.answers] == list(range(1, 11)) and record.finished


def test_declining_to_resume_is_remembered(tmp_path):
    run_cli("vragen", "--text", "--pace", "0", "--journal", str(tmp_path), stdin=answers_script(2))
    first = run_cli("--text", "--pace", "0", "--journal", str(tmp_path), stdin="nee\nstop\n")
    assert "gestopt bij vraag 3" in first.stdout
    second = run_cli("--text", "--pace", "0", "--journal", str(tmp_path), stdin="stop\n")
    assert "gestopt bij" not in second.stdout


def test_declining_to_resume_after_asking_for_the_questions_asks_question_1(tmp_path):
    run_cli("vragen", "--text", "--pace", "0", "--journal", str(tmp_path), stdin=answers_script(2))
    done = run_cli(
        "vragen",
        "--text",
        "--pace",
        "0",
        "--journal",
        str(tmp_path),
        stdin="nee\nNieuw begin\nja\n",
    )
    assert done.returncode == 0, done.stderr
    assert "gestopt bij vraag 3" in done.stdout
    after = done.stdout.split("gestopt bij vraag 3", 1)[1]
    assert "Vraag 1 van 10." in after and "Wat wil je doen?" not in after
    # Two sessions (possibly within the same second, so their names do not sort by time).
    kept = sorted(
        [(a.number, a.text) for a in read_journal(f).answers] for f in journal_files(tmp_path)
    )
    assert kept == [
        [(1, "Mijn antwoord op vraag 1"), (2, "Mijn antwoord op vraag 2")],
        [(1, "Nieuw begin")],
    ]


def test_typed_bytes_that_are_not_utf8_are_kept_and_said(tmp_path, content):
    """The bug report: `printf 'vragen\\n\\xff\\xfe kapot\\nja\\n' | hartsverbinding --text`
    ended in a traceback and lost the answer."""
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "--text", "--pace", "0", "--journal", str(tmp_path)],
        input=b"vragen\n\xff\xfe kapot\nja\n",
        capture_output=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    assert content.line("input_replaced").encode() in done.stdout
    record = read_journal(journal_files(tmp_path)[0])
    assert [(a.text, a.confirmed) for a in record.answers] == [("\ufffd\ufffd kapot", True)]


def test_the_exercise_plays_to_its_end_with_no_input_at_pace_0(tmp_path, content):
    done = run_cli("oefening", "--text", "--pace", "0", "--journal", str(tmp_path), stdin="")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    steps = [step.say for step in content.practices[0].steps]
    assert [line for line in lines if line in steps] == steps
    record = read_journal(journal_files(tmp_path)[0])
    assert record.finished and record.practices == ["oefening"]


def test_typed_commands_steer_the_exercise(tmp_path, content):
    steps = content.practices[0].steps
    done = run_cli(
        "oefening",
        "--text",
        "--pace",
        "0",
        "--journal",
        str(tmp_path),
        stdin="volgende\npauze\nverder\nstop\n",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    # "volgende" in the first pause; "pauze" in the second step's pause; "verder" says that
    # step again; "stop" ends.
    assert out.count(steps[0].say) == 1
    assert out.count(steps[1].say) == 2
    assert steps[2].say not in out
    assert content.line("paused") in out and out[-1] == content.line("goodbye")


def test_real_pauses_wait_scaled_by_pace(tmp_path):
    folder = copy_content(tmp_path)
    (folder / "practices" / "10-oefening-hartsverbinding.yaml").write_text(
        "id: oefening\nkind: exercise\ntitle: kort\nphrasings: [oefening]\nintro: Kort.\n"
        "steps:\n  - say: Adem in.\n    pause: 2\n  - say: Adem uit.\n    pause: 2\n"
        "outro: Klaar.\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    done = run_cli(
        "oefening",
        "--text",
        "--pace",
        "0.5",
        "--content",
        str(folder),
        "--journal",
        str(tmp_path / "j"),
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started >= 2.0  # two pauses of 2 s at half pace really waited


def test_a_journal_folder_that_cannot_be_made_gives_one_clear_message(tmp_path):
    blocker = tmp_path / "bestand"
    blocker.write_text("ik ben geen map")
    done = run_cli("vragen", "--text", "--pace", "0", "--journal", str(blocker / "journal"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "--journal DIR" in done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["meditatie"], "there is no practice 'meditatie'"),
        (["--pace", "snel"], "'snel' is not a number"),
        (["--pace", "-1"], "give a factor from 0 to 10"),
        (["vragen", "extra", "woorden"], "unknown command"),
    ],
)
def test_bad_command_lines_exit_2_with_one_message(tmp_path, args, expected):
    done = run_cli(*args, "--text", "--journal", str(tmp_path))
    assert done.returncode == 2 and expected in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_config_file_names_its_line(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("pace: 1\npatience: nooit\n")
    done = run_cli("--text", "--config", str(config), "--journal", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "config.yaml, line 2: patience: expected a number" in done.stderr


def test_kill_9_keeps_every_answer_confirmed_before_it(tmp_path):
    """A real SIGKILL of a running session; every answer confirmed before it is on disk."""
    process = start_session("vragen", "--text", "--pace", "0", "--journal", str(tmp_path))
    captions = Captions(process)
    assert process.stdin
    try:
        for number in range(1, 5):
            process.stdin.write(f"antwoord {number} dat blijft\nja\n")
            process.stdin.flush()
            # Wait until the next question is asked: the dialog has moved on.
            assert captions.wait_for(f"Vraag {number + 1} van 10\\.", 30)
        process.stdin.write("een antwoord nog niet bevestigd\n")
        process.stdin.flush()
        assert captions.wait_for("Ik hoorde: een antwoord nog niet bevestigd", 30)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    record = read_journal(journal_files(tmp_path)[0])
    assert [(a.number, a.text, a.confirmed) for a in record.answers] == [
        (1, "antwoord 1 dat blijft", True),
        (2, "antwoord 2 dat blijft", True),
        (3, "antwoord 3 dat blijft", True),
        (4, "antwoord 4 dat blijft", True),
        (5, "een antwoord nog niet bevestigd", False),
    ]
    assert not record.finished
    # no temporary file; the killed session's lock file stays until the next start
    hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert [name for name in hidden if not name.endswith(".lock")] == []
    again = run_cli("--text", "--pace", "0", "--journal", str(tmp_path), stdin="stop\n")
    assert "gestopt bij vraag 5" in again.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- the runtime loop with fake devices -----------------------------------------------------


class ScriptedInput:
    """Gives utterances at set moments (seconds after the first get); then ends or stays silent."""

    def __init__(self, script: list[tuple[float, str]], end: bool = True) -> None:
        self.script = list(script)
        self.end = end
        self.modes: list[ListenMode] = []
        self._start: float | None = None

    def listen(self, mode: ListenMode) -> None:
        if not self.modes or self.modes[-1] is not mode:
            self.modes.append(mode)

    def get(self, timeout: float) -> Utterance | InputEnded | None:
        now = time.monotonic()
        if self._start is None:
            self._start = now
        if self.script and now - self._start >= self.script[0][0]:
            return Utterance(self.script.pop(0)[1])
        if not self.script and self.end:
            return InputEnded()
        time.sleep(min(timeout, 0.01))
        return None

    def close(self) -> None:
        pass


class RecordingOutput(TextOutput):
    def __init__(self, pace: float) -> None:
        super().__init__(io.StringIO(), pace)
        self.started: list[object] = []
        self.stops = 0

    def start(self, item) -> None:
        self.started.append(item)
        super().start(item)

    def stop(self) -> None:
        self.stops += 1
        super().stop()


def _session(content, tmp_path, input_, output, patience=30.0):
    journal = Journal(tmp_path, Labels(**content.journal))
    warnings: list[str] = []
    return Session(content, output, input_, journal, patience, warnings.append), warnings


def test_input_is_never_taken_while_a_line_plays(content, tmp_path):
    input_ = ScriptedInput([], end=True)
    output = RecordingOutput(pace=0)
    session, _ = _session(content, tmp_path, input_, output)
    session.run(Begin("oefening"))
    assert ListenMode.OFF in input_.modes and ListenMode.COMMAND in input_.modes
    assert any(isinstance(item, Pause) for item in output.started)


def test_a_command_during_a_pause_cuts_it_short(content, tmp_path):
    input_ = ScriptedInput([(0.3, "pauze"), (0.6, "stop")])
    output = RecordingOutput(pace=1)  # the first pause lasts 7 s unless cut
    session, _ = _session(content, tmp_path, input_, output)
    started = time.monotonic()
    session.run(Begin("oefening"))
    assert time.monotonic() - started < 5
    assert output.stops >= 2
    said = [item.text for item in output.started if isinstance(item, Say)]
    assert content.line("paused") in said and said[-1] == content.line("goodbye")


def test_silence_reminds_once_then_waits_quietly(content, tmp_path):
    input_ = ScriptedInput([(0.5, "stop")])
    output = RecordingOutput(pace=0)
    session, _ = _session(content, tmp_path, input_, output, patience=0.1)
    session.run(Begin("vragen"))
    said = [item.text for item in output.started if isinstance(item, Say)]
    assert said.count(content.line("reprompt_answer")) == 1


def test_cues_mark_listening_for_an_answer(content, tmp_path):
    input_ = ScriptedInput([(0, "een antwoord"), (0, "ja")])
    output = RecordingOutput(pace=0)
    session, _ = _session(content, tmp_path, input_, output)
    session.run(Begin("vragen"))
    kinds = [item.kind.value for item in output.started if isinstance(item, Cue)]
    assert kinds[:2] == ["listen_start", "listen_stop"]


def test_text_input_reads_lines_then_stays_ended():
    reader = TextInput(io.BytesIO(b"een\ntwee\n"))
    got = [reader.get(1), reader.get(1), reader.get(1), reader.get(1)]
    assert got == [Utterance("een"), Utterance("twee"), InputEnded(), InputEnded()]


def test_text_input_waits_for_a_slow_typist():
    read_end, write_end = os.pipe()
    reader = TextInput(os.fdopen(read_end, "rb"))
    assert reader.get(0.05) is None
    writer = os.fdopen(write_end, "w")
    threading.Timer(0.1, lambda: (writer.write("hallo\n"), writer.close())).start()
    assert reader.get(5) == Utterance("hallo")


def test_closing_text_input_ends_its_reading_thread():
    """At a terminal input never ends by itself: close() must end the thread (a thread left
    reading stdin at exit aborts the interpreter, tests/test_terminal.py)."""
    read_end, write_end = os.pipe()
    stream = os.fdopen(read_end, "rb")
    before = set(threading.enumerate())
    try:
        reader = TextInput(stream)
        assert reader.get(0.05) is None
        reader.close()
        reader.close()
        assert set(threading.enumerate()) - before == set()  # (others may have ended)
    finally:
        os.close(write_end)  # first: the end of input frees a thread still reading
        stream.close()


def test_closing_text_input_ends_it_while_lines_keep_coming():
    """A source that is always readable does not keep close() waiting."""
    forever = "while True: print('ja')"
    source = subprocess.Popen([sys.executable, "-c", forever], stdout=subprocess.PIPE)
    try:
        assert source.stdout is not None
        reader = TextInput(source.stdout)
        assert reader.get(5) == Utterance("ja")
        closing = threading.Thread(target=reader.close, daemon=True)
        closing.start()
        closing.join(10)
        assert not closing.is_alive()
    finally:
        source.kill()
        source.wait()


def test_text_input_reads_a_file_to_its_last_unended_line(tmp_path):
    typed = tmp_path / "typed.txt"
    typed.write_bytes(b"een\r\ntwee\n\xffdrie")
    with typed.open("rb") as stream:
        reader = TextInput(stream)
        got = [reader.get(5) for _ in range(5)]
        reader.close()
    assert got == [
        Utterance("een"),
        Utterance("twee"),
        Notice(NoticeKind.INPUT_REPLACED),
        Utterance("\ufffddrie"),
        InputEnded(),
    ]


def test_a_journal_that_cannot_be_written_is_said_and_caught_up_later(content, tmp_path):
    """The journal folder disappears mid-session (a removed drive): the answer is kept in
    memory, the user is told, and it is written once the folder is back."""
    folder = tmp_path / "journal"
    moved = tmp_path / "away"

    def script() -> list[tuple[float, str]]:
        return [
            (0.0, "eerste"),
            (0.0, "ja"),
            (0.3, "tweede"),
            (0.3, "ja"),
            (0.6, "derde"),
            (0.6, "ja"),
            (0.6, "stop"),
        ]

    class Saboteur(ScriptedInput):
        def get(self, timeout: float):
            got = super().get(timeout)
            if got == Utterance("tweede"):
                folder.rename(moved)
                folder.write_text("geen map")
            if got == Utterance("derde"):
                folder.unlink()
                moved.rename(folder)
            return got

    output = RecordingOutput(pace=0)
    journal = Journal(folder, Labels(**content.journal))
    warnings: list[str] = []
    session = Session(content, output, Saboteur(script()), journal, 30, warnings.append)
    session.run(Begin("vragen"))
    said = [item.text for item in output.started if isinstance(item, Say)]
    assert content.line("journal_failed") in said
    assert any("could not be written" in w for w in warnings)
    record = read_journal(journal_files(folder)[0])
    assert [(a.text, a.confirmed) for a in record.answers] == [
        ("eerste", True),
        ("tweede", True),
        ("derde", True),
    ]
