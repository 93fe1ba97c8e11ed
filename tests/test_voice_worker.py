"""The worker processes contain the engine's troubles: hangs, crashes, a missing Dutch voice.

These faults cannot be caused with the real engine on demand, so fake workers stand in for it
(module-level functions the worker process imports by name); everything around them is real.
"""

from __future__ import annotations

import io
import os
import time
import wave
from pathlib import Path

import pytest

from assistant.dialog.messages import Style
from assistant.errors import UserError
from assistant.voice import Pyttsx3Voice, VoiceError, VoiceSettings
from assistant.voice.worker import NO_AUDIO, Channel, Failed, ListVoices, Rendered, Voices

pytestmark = [pytest.mark.files, pytest.mark.voice]

DUTCH = (("gmw/nl", "Dutch", ("nl",)),)
ENGLISH_ONLY = (("gmw/en", "English (Great Britain)", ("en-gb",)), ("roa/fr", "French", ("fr",)))
PID_FILE = "HV_TEST_WORKER_PIDS"


def _tone_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes((b"\x00\x40\x00\xc0") * 2205)  # 0.2 s of a loud square wave
    return buffer.getvalue()


def _note_pid() -> None:
    with open(os.environ[PID_FILE], "a") as pids:
        pids.write(f"{os.getpid()}\n")


def hanging_worker(channel: Channel) -> None:
    """Lists a Dutch voice, then hangs on the line 'hang' (as pyttsx3 can when reused)."""
    _note_pid()
    while True:
        request = channel.recv()
        if isinstance(request, ListVoices):
            channel.send(Voices(DUTCH))
        elif request.text == "hang":
            time.sleep(600)
        else:
            channel.send(Rendered(_tone_wav()))
            return


def crashing_worker(channel: Channel) -> None:
    while True:
        request = channel.recv()
        if isinstance(request, ListVoices):
            channel.send(Voices(DUTCH))
        else:
            os._exit(3)


def english_worker(channel: Channel) -> None:
    while True:
        channel.recv()
        channel.send(Voices(ENGLISH_ONLY))


def printing_worker(channel: Channel) -> None:
    print("Audio saved to somewhere", flush=True)  # what pyttsx3 does
    os.write(1, b"and C code writing to fd 1\n")
    hanging_worker(channel)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead, only not yet collected
        return stat.read().split(") ")[1][0] != "Z"


@pytest.mark.timed
def test_a_hanging_worker_is_killed_after_the_timeout_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = tmp_path / "pids"
    monkeypatch.setenv(PID_FILE, str(pids))
    voice = Pyttsx3Voice(VoiceSettings(timeout=1.0), worker=f"{__name__}:hanging_worker")
    try:
        assert voice.render("gewoon", Style.PROMPT).frames > 0
        started = time.monotonic()
        with pytest.raises(VoiceError, match="longer than 1 s"):
            voice.render("hang", Style.PROMPT)
        assert 1.0 <= time.monotonic() - started < 3.0
        hung = int(pids.read_text().split()[1])  # the second worker took the line 'hang'
        assert not _alive(hung)
        assert voice.render("weer gewoon", Style.PROMPT).frames > 0
    finally:
        voice.close()
    assert not any(_alive(int(pid)) for pid in pids.read_text().split())


def test_a_crashing_worker_gives_a_voice_error_and_the_next_line_is_tried_again() -> None:
    voice = Pyttsx3Voice(VoiceSettings(timeout=5.0), worker=f"{__name__}:crashing_worker")
    try:
        with pytest.raises(VoiceError, match="stopped unexpectedly"):
            voice.render("een regel", Style.PROMPT)
        starts = voice.worker_starts
        with pytest.raises(VoiceError, match="stopped unexpectedly"):
            voice.render("nog een regel", Style.PROMPT)
        assert voice.worker_starts > starts
    finally:
        voice.close()


def test_voice_error_is_not_a_user_error() -> None:
    # The runtime shows the line as text and carries on; a UserError would end the program.
    assert not issubclass(VoiceError, UserError)


def test_no_dutch_voice_gives_the_install_message() -> None:
    voice = Pyttsx3Voice(VoiceSettings(timeout=5.0), worker=f"{__name__}:english_worker")
    try:
        with pytest.raises(UserError, match="No Dutch voice") as caught:
            voice.render("Hallo", Style.PROMPT)
        assert "sudo apt-get install espeak-ng" in caught.value.message
    finally:
        voice.close()


def test_what_a_worker_prints_never_reaches_our_stdout(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # capfd captures file descriptor 1 itself, which a worker would inherit.
    monkeypatch.setenv(PID_FILE, str(tmp_path / "pids"))
    voice = Pyttsx3Voice(worker=f"{__name__}:printing_worker")
    try:
        assert voice.render("Dit mag niet op het scherm komen.", Style.PROMPT).frames > 0
    finally:
        voice.close()
    assert capfd.readouterr().out == ""


def test_the_real_worker_keeps_pyttsx3_off_our_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    voice = Pyttsx3Voice()
    try:
        assert voice.render("Dit mag niet op het scherm komen.", Style.PROMPT).frames > 0
    finally:
        voice.close()
    assert capfd.readouterr().out == ""


def silent_then_working_worker(channel: Channel) -> None:
    """The first process asked to render writes nothing (as pyttsx3's espeak driver now and
    then does); every later one renders. The first is the one that creates the marker file."""
    while True:
        request = channel.recv()
        if isinstance(request, ListVoices):
            channel.send(Voices(DUTCH))
            continue
        try:
            os.close(os.open(os.environ[PID_FILE], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            first = True
        except FileExistsError:
            first = False
        channel.send(Failed(NO_AUDIO) if first else Rendered(_tone_wav()))
        return


def test_a_line_the_engine_wrote_no_audio_for_is_rendered_again_in_a_fresh_worker(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(PID_FILE, str(tmp_path / "failed-once"))
    voice = Pyttsx3Voice(worker=f"{__name__}:silent_then_working_worker")
    try:
        audio = voice.render("Adem in.", Style.GUIDE)
    finally:
        voice.close()
    assert audio.seconds > 0.1 and voice.retries == 1
