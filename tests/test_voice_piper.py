"""The Piper voice: real Piper with the English voice from PyPI (no Dutch Piper voice can be had
on the build machines; nothing here depends on the language), in its long-lived worker.

Hangs and crashes cannot be caused with the real engine on demand, so fake workers stand in
for it there (module-level functions the worker process imports by name).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import rms
from assistant.dialog.messages import Style
from assistant.speaker import Segment, at_volume
from assistant.voice import CachedVoice, Pyttsx3Voice, VoiceError, VoiceSettings, make_voice
from assistant.voice.piper_voice import NOMINAL_RATE, SENTENCE_SILENCE, PiperVoice
from assistant.voice.worker import (
    Channel,
    LoadPiper,
    Ready,
    Rendered,
    RenderPiper,
)
from tests.helpers import english_piper_voice

pytestmark = [pytest.mark.files, pytest.mark.voice]

LINE = "Breathe in deeply and calmly, and out again."
TWO_SENTENCES = "Once more. Deeply in, and calmly out again."
PID_FILE = "HV_TEST_WORKER_PIDS"


@pytest.fixture(scope="module")
def voice() -> Iterator[PiperVoice]:
    piper = PiperVoice(english_piper_voice())
    piper.load()
    yield piper
    piper.close()


def _frames_of_silence(chunk_values: np.ndarray, rate: int) -> int:
    """The longest run of 10 ms frames below -50 dBFS inside the audio."""
    frame = rate // 100
    count = len(chunk_values) // frame
    levels = np.abs(chunk_values[: count * frame].astype(np.int32)).reshape(count, frame).max(1)
    longest = run = 0
    for quiet in levels < 100:
        run = run + 1 if quiet else 0
        longest = max(longest, run)
    return longest


def test_a_line_is_real_speech_at_the_voices_own_rate(voice: PiperVoice) -> None:
    config = json.loads(english_piper_voice().with_suffix(".onnx.json").read_text())
    audio = voice.render(LINE, Style.PROMPT)
    assert audio.rate == config["audio"]["sample_rate"] == 22050
    assert 1.5 < audio.seconds < 6
    assert rms(audio) > 1000  # speech, not silence or hiss
    values = audio.array()
    assert np.abs(values[: audio.rate // 100]).max() < 3000  # edges trimmed to a soft start


def test_the_guide_is_slower_than_prompts_by_the_rate_setting(voice: PiperVoice) -> None:
    prompt = voice.render(LINE, Style.PROMPT)  # 150 words per minute
    guide = voice.render(LINE, Style.GUIDE)  # 120
    assert voice.length_scale(Style.GUIDE) == pytest.approx(NOMINAL_RATE / 120)
    assert voice.length_scale(Style.PROMPT) == pytest.approx(NOMINAL_RATE / 150)
    # Piper stretches phonemes, not the pauses its model predicts: a little less than 150/120.
    assert 1.1 < guide.seconds / prompt.seconds < 1.4


def test_sentences_of_one_line_get_a_breath_between_them(voice: PiperVoice) -> None:
    # Piper's own sentence ends and starts are quiet for about 0.3 s together, and its longest
    # pause inside a sentence (at a comma) about as long: the added silence comes on top.
    audio = voice.render(TWO_SENTENCES, Style.GUIDE)
    longest = _frames_of_silence(audio.array(), audio.rate) / 100
    assert SENTENCE_SILENCE + 0.15 <= longest < SENTENCE_SILENCE + 0.6


def test_the_volume_is_left_to_the_playback(voice: PiperVoice, tmp_path) -> None:
    """Piper renders at full level, so one cache entry serves every volume: the volume is
    applied after the loudness step, as the line is played, as for every other voice."""
    from assistant.voice.cache import CachedVoice

    quiet = PiperVoice(english_piper_voice(), VoiceSettings())  # for a session at volume 0.25
    try:
        assert quiet.identity(Style.PROMPT) == voice.identity(Style.PROMPT)
        loud = CachedVoice(voice, tmp_path).render(LINE, Style.PROMPT)
        soft_cache = CachedVoice(quiet, tmp_path)
        soft = at_volume(Segment.speech(soft_cache.render(LINE, Style.PROMPT), LINE), 0.25).audio
    finally:
        quiet.close()
    assert soft_cache.hits == 1 and quiet.renders == 0  # the same entry, nothing rendered
    assert rms(soft) / rms(loud) == pytest.approx(0.25, rel=0.01)


def test_one_worker_serves_every_line(voice: PiperVoice) -> None:
    starts = voice.worker_starts
    for text in ("One.", "Two lines now.", "And a third one."):
        assert voice.render(text, Style.PROMPT).frames > 0
    assert voice.worker_starts == starts


def test_an_empty_line_is_no_audio_and_no_worker_call(voice: PiperVoice) -> None:
    before = voice.renders
    assert voice.render("   ", Style.PROMPT).frames == 0
    assert voice.renders == before


def test_identity_names_engine_voice_and_rate(voice: PiperVoice) -> None:
    prompt, guide = voice.identity(Style.PROMPT), voice.identity(Style.GUIDE)
    assert prompt.startswith("piper|en_US-joe-medium.onnx|63201294-")
    assert prompt != guide and "volume" not in prompt  # the volume is applied when played
    system = Pyttsx3Voice()
    try:
        assert system.identity(Style.PROMPT) != prompt
    finally:
        system.close()


def test_identity_changes_with_the_voice_file(tmp_path: Path) -> None:
    model = english_piper_voice()
    copy = tmp_path / model.name
    shutil.copyfile(model, copy)
    config = json.loads(model.with_suffix(".onnx.json").read_text())
    config["inference"]["noise_scale"] = 0.5
    copy.with_suffix(".onnx.json").write_text(json.dumps(config))
    original = PiperVoice(model)
    changed = PiperVoice(copy)
    try:
        assert original.identity(Style.PROMPT) != changed.identity(Style.PROMPT)
    finally:
        original.close()
        changed.close()


def test_the_second_render_of_a_line_comes_from_the_cache(tmp_path: Path) -> None:
    inner = PiperVoice(english_piper_voice())
    cached = CachedVoice(inner, tmp_path / "voice")
    try:
        first = cached.render(LINE, Style.GUIDE)
        started = time.perf_counter()
        again = cached.render(LINE, Style.GUIDE)
        assert time.perf_counter() - started < 0.5
        assert again.samples == first.samples
        assert (cached.hits, cached.misses, inner.renders) == (1, 1, 1)
    finally:
        cached.close()


@pytest.mark.parametrize(
    ("problem", "reason"),
    [("missing", "no such voice file"), ("broken", "not a Piper voice configuration")],
)
def test_an_unusable_voice_file_is_a_voice_error(tmp_path: Path, problem: str, reason: str) -> None:
    model = tmp_path / "nl_NL-test-low.onnx"
    if problem == "broken":
        model.write_bytes(b"not a model")
        model.with_suffix(".onnx.json").write_text("{not json")
    with pytest.raises(VoiceError, match=reason):
        PiperVoice(model)


def test_a_model_onnxruntime_cannot_load_fails_at_load_not_mid_session(tmp_path: Path) -> None:
    model = tmp_path / "en_US-broken-medium.onnx"
    model.write_bytes(b"\x08\x07garbage, not an onnx graph")
    shutil.copyfile(
        english_piper_voice().with_suffix(".onnx.json"), model.with_suffix(".onnx.json")
    )
    voice = PiperVoice(model, VoiceSettings(timeout=30))
    try:
        with pytest.raises(VoiceError):
            voice.load()
    finally:
        voice.close()


# --- the factory: Piper first, the system voice as the fallback, said once ------------------


def test_the_factory_prefers_a_configured_piper_voice(tmp_path: Path) -> None:
    said: list[str] = []
    settings = VoiceSettings(voice=str(english_piper_voice()))
    voice = make_voice(settings, tmp_path / "cache", tmp_path / "voices", say=said.append)
    try:
        assert isinstance(voice.inner, PiperVoice)
        assert said == []
    finally:
        voice.close()


@pytest.mark.timed
def test_a_downloaded_voice_is_used_by_name_and_without_any_setting(tmp_path: Path) -> None:
    voices = tmp_path / "voices"
    folder = voices / "en_US-joe-medium"
    folder.mkdir(parents=True)
    model = english_piper_voice()
    for path in (model, model.with_suffix(".onnx.json")):
        (folder / path.name).symlink_to(path)
    for setting in ("en_US-joe-medium", None):
        said: list[str] = []
        voice = make_voice(
            VoiceSettings(voice=setting), tmp_path / "cache", voices, say=said.append
        )
        try:
            assert isinstance(voice.inner, PiperVoice), setting
            assert voice.inner.file.model == folder / "en_US-joe-medium.onnx"
            assert said == []
        finally:
            voice.close()


def test_nothing_configured_and_nothing_downloaded_is_the_system_voice_quietly(
    tmp_path: Path,
) -> None:
    said: list[str] = []
    voice = make_voice(VoiceSettings(), tmp_path / "cache", tmp_path / "voices", say=said.append)
    try:
        assert isinstance(voice.inner, Pyttsx3Voice)
        assert voice.identity(Style.PROMPT).startswith("pyttsx3|gmw/nl|")
        assert said == []
    finally:
        voice.close()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("missing.onnx", "cannot be used: .*no such voice file"),
        ("nl_NL-mls_5809-low", "not downloaded yet .*voice download nl_NL-mls_5809-low"),
    ],
)
def test_a_piper_voice_that_cannot_be_had_falls_back_saying_so_once(
    tmp_path: Path, setting: str, expected: str
) -> None:
    said: list[str] = []
    value = str(tmp_path / setting) if setting.endswith(".onnx") else setting
    voice = make_voice(
        VoiceSettings(voice=value), tmp_path / "cache", tmp_path / "voices", say=said.append
    )
    try:
        assert isinstance(voice.inner, Pyttsx3Voice)
        assert voice.inner.settings.voice is None  # the Dutch system voice, not the Piper name
        assert voice.identity(Style.PROMPT).startswith("pyttsx3|gmw/nl|")
        assert len(said) == 1 and "system voice" in said[0]
        assert re.search(expected, said[0]), said
    finally:
        voice.close()


# --- faults in the worker -------------------------------------------------------------------


def _note_pid() -> None:
    with open(os.environ[PID_FILE], "a") as pids:
        pids.write(f"{os.getpid()}\n")


def _tone(rate: int = 22050) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((b"\x00\x40\x00\xc0") * 2205)
    return buffer.getvalue()


def hanging_piper_worker(channel: Channel) -> None:
    """Loads, renders, and hangs on the line 'hang'."""
    _note_pid()
    while True:
        request = channel.recv()
        if isinstance(request, LoadPiper):
            channel.send(Ready(22050))
        elif isinstance(request, RenderPiper) and request.text == "hang":
            time.sleep(600)
        else:
            channel.send(Rendered(_tone()))


def crashing_piper_worker(channel: Channel) -> None:
    _note_pid()
    while True:
        request = channel.recv()
        if isinstance(request, RenderPiper) and request.text == "crash":
            os._exit(3)
        channel.send(Ready(22050) if isinstance(request, LoadPiper) else Rendered(_tone()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"


@pytest.mark.timed
def test_a_hung_worker_is_killed_replaced_and_only_that_line_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = tmp_path / "pids"
    monkeypatch.setenv(PID_FILE, str(pids))
    voice = PiperVoice(
        english_piper_voice(), VoiceSettings(timeout=1.0), worker=f"{__name__}:hanging_piper_worker"
    )
    try:
        voice.load()
        assert voice.render("one", Style.PROMPT).frames > 0
        assert voice.render("two", Style.PROMPT).frames > 0
        assert voice.worker_starts == 1  # one worker for the session, not one per line
        deadline = voice.deadline("hang", Style.PROMPT)  # 1 s, and 0.4 s to say one word
        assert deadline == pytest.approx(1.4)
        started = time.monotonic()
        with pytest.raises(VoiceError, match=r"longer than 1\.4 s"):
            voice.render("hang", Style.PROMPT)
        assert deadline <= time.monotonic() - started < deadline + 2.0
        first = int(pids.read_text().split()[0])
        assert not _alive(first)
        assert voice.render("three", Style.PROMPT).frames > 0
        assert voice.worker_starts == 2
    finally:
        voice.close()
    assert not any(_alive(int(pid)) for pid in pids.read_text().split())


def test_a_crashed_worker_gives_a_voice_error_and_the_next_line_is_spoken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PID_FILE, str(tmp_path / "pids"))
    voice = PiperVoice(
        english_piper_voice(),
        VoiceSettings(timeout=5.0),
        worker=f"{__name__}:crashing_piper_worker",
    )
    try:
        assert voice.render("before", Style.PROMPT).frames > 0
        with pytest.raises(VoiceError, match="stopped unexpectedly"):
            voice.render("crash", Style.PROMPT)
        assert voice.render("after", Style.PROMPT).frames > 0
        assert voice.worker_starts == 2
    finally:
        voice.close()


def test_a_worker_without_piper_says_so(tmp_path: Path) -> None:
    """The real worker, in a process where `import piper` fails as without the extra."""
    from tests.helpers import hide_piper

    env = hide_piper(tmp_path / "hide")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", env["PYTHONPATH"])
        voice = PiperVoice(english_piper_voice())
        try:
            with pytest.raises(VoiceError, match="Piper is not installed"):
                voice.load()
        finally:
            voice.close()
