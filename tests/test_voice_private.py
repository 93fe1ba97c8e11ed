"""A private line (the person's own words read back) is rendered without touching the disk.

The real voice (pyttsx3 with espeak-ng in its worker process) renders a line through
`CachedVoice.render_private` under strace, every process and thread followed: no file may be
opened for writing (besides /dev/null), renamed, linked, truncated or removed, and the cache
folder does not appear. The same run with `render` does write the cache entry, so the trace
sees what it has to. An engine that can only write named files (SAPI5, macOS) gets a private
folder in RAM and its file is gone once read: shown with a stand-in engine, as those engines
do not run here.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.voice import worker
from tests.helpers import ROOT, require_espeak
from tests.programs import need_program

pytestmark = [pytest.mark.files, pytest.mark.voice]

LINE = "Ik hoorde: ik ben vaak streng voor mezelf. Zeg ja om het te bewaren."
SCRIPT = """
import sys
from pathlib import Path
from assistant.dialog.messages import Style
from assistant.voice import VoiceSettings, make_voice
voice = make_voice(VoiceSettings(), Path(sys.argv[1]))
render = voice.render_private if sys.argv[3] == "private" else voice.render
audio = render(sys.argv[2], Style.PROMPT)
voice.close()
assert audio.seconds > 1.0, audio.seconds
"""
# ftruncate is not listed: it needs a descriptor opened for writing, which the open shows
# (libpulse, loaded with espeak-ng, sizes a memfd, RAM only, that way).
WRITES = re.compile(
    r"open(at)?\(.*(O_WRONLY|O_RDWR|O_CREAT)|creat\(|rename|\bunlink|\blink(at)?\(|symlink"
    r"|\btruncate\("
)


def _traced_writes(tmp_path: Path, how: str) -> tuple[list[str], str]:
    need_program("strace", "espeak-ng")
    trace = tmp_path / f"{how}.trace"
    script = tmp_path / "render.py"
    script.write_text(SCRIPT, encoding="utf-8")
    cache = tmp_path / f"cache-{how}"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [
            *("strace", "-f", "--seccomp-bpf", "-qq", "-e", "trace=%file,%desc", "-o", str(trace)),
            *(sys.executable, str(script), str(cache), LINE, how),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = trace.read_text(errors="replace")
    writes = [
        line
        for line in text.splitlines()
        if WRITES.search(line) and '"/dev/null"' not in line and " = -1 " not in line
    ]
    return writes, text


def test_a_private_line_never_touches_the_disk(tmp_path: Path) -> None:
    writes, trace = _traced_writes(tmp_path, "private")
    assert '"assistant.voice.worker"' in trace  # the worker process was followed too
    assert writes == []
    assert not (tmp_path / "cache-private").exists()


def test_the_trace_sees_an_ordinary_line_being_cached(tmp_path: Path) -> None:
    writes, _ = _traced_writes(tmp_path, "cached")
    cache = str(tmp_path / "cache-cached")
    assert any(cache in line and "O_CREAT" in line for line in writes), writes
    assert any("rename" in line and cache in line for line in writes), writes


def test_the_espeak_engine_renders_into_memory() -> None:
    require_espeak()
    import pyttsx3

    assert worker.renders_into_memory(pyttsx3.init())


class FileOnlyEngine:
    """Stands in for SAPI5 or NSSpeechSynthesizer: writes a WAV to the named file, nothing
    else. (Those engines only run on Windows and macOS.)"""

    def __init__(self) -> None:
        self.proxy = None
        self.properties: dict[str, Any] = {}
        self.written: list[Path] = []
        self._pending: tuple[str, str] | None = None

    def setProperty(self, name: str, value: Any) -> None:  # pyttsx3's names
        self.properties[name] = value

    def save_to_file(self, text: str, name: str) -> None:
        self._pending = (text, name)

    def runAndWait(self) -> None:  # pyttsx3's names
        assert self._pending is not None
        _text, name = self._pending
        path = Path(name)
        self.written.append(path)
        path.write_bytes(b"RIFF" + bytes(100))


def test_an_engine_that_needs_a_file_gets_one_in_ram_and_it_is_gone_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "runtime"  # what $XDG_RUNTIME_DIR is on a systemd machine: tmpfs
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    engine = FileOnlyEngine()
    assert not worker.renders_into_memory(engine)
    with contextlib.ExitStack() as cleanup:
        folders: list[Path] = []

        def folder() -> Path:
            folders.append(worker._scratch_folder(cleanup))
            return folders[-1]

        reply = worker._render(engine, worker.RenderLine(LINE, "nl", 150), folder)
        assert isinstance(reply, worker.Rendered) and reply.data.startswith(b"RIFF")
        (written,) = engine.written
        assert written.parent == folders[0] and folders[0].parent == runtime
        assert (folders[0].stat().st_mode & 0o777) == 0o700
        assert not written.exists()  # deleted as soon as it was read
    assert not folders[0].exists()  # and the folder with the worker
    assert engine.properties["volume"] == 1.0  # the volume is applied when played


def _session_cache(tmp_path: Path, name: str, answer: str) -> set[str]:
    """A spoken session (rendered to a file) with one typed answer: the voice cache it leaves."""
    from tests.helpers import run_cli

    cache = tmp_path / f"cache-{name}"
    done = run_cli(
        "vragen",
        "--speaker",
        str(tmp_path / f"{name}.wav"),
        "--pace",
        "0",
        "--journal",
        str(tmp_path / f"journal-{name}"),
        stdin=f"{answer}\nja\nstop\n",
        env={"XDG_CACHE_HOME": str(cache)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert answer in (tmp_path / f"journal-{name}").glob("*.md").__next__().read_text("utf-8")
    return {str(path.relative_to(cache)) for path in cache.rglob("*") if path.is_file()}


def test_two_sessions_that_differ_only_in_the_answer_leave_the_same_cache(tmp_path: Path) -> None:
    """The read-back ("Ik hoorde: <answer> ...") is spoken in both, and kept in neither."""
    first = _session_cache(tmp_path, "first", "ik ben vaak streng voor mezelf")
    second = _session_cache(tmp_path, "second", "ik gun mezelf rust en ruimte")
    assert first, "the session rendered nothing into the cache"
    assert first == second
