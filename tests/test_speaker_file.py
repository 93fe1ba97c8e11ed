"""FileSpeaker: one WAV and a timeline that agree, written faster than real time."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, rms, silence
from assistant.dialog.messages import CueKind, Style
from assistant.speaker import FileSpeaker, Segment, SpeakerError
from assistant.voice import Pyttsx3Voice, cue_audio

pytestmark = [pytest.mark.files, pytest.mark.voice]

STEPS = [
    ("Adem diep en rustig in, en weer uit.", 3.0),
    ("Adem in... en adem uit.", 1.5),
    ("Word je bewust van je hele lichaam.", 1.0),
    ("Van je tenen... tot je kruin.", 2.25),
]
SILENT_RMS = 1.0  # digital silence; espeak-ng speech is in the thousands


@pytest.fixture(scope="module")
def voice() -> Iterator[Pyttsx3Voice]:
    voice = Pyttsx3Voice()
    yield voice
    voice.close()


def _exercise(voice: Pyttsx3Voice) -> list[Segment]:
    """Bell, each step and its pause, a listening cue, bell: as the runtime will play them."""
    segments = [Segment.cue(cue_audio(CueKind.BELL, 44100))]  # another rate: gets resampled
    for text, pause in STEPS:
        segments.append(Segment.speech(voice.render(text, Style.GUIDE), text))
        segments.append(Segment.pause(pause, 16000))
    segments.append(Segment.cue(cue_audio(CueKind.LISTEN_START, 22050)))
    segments.append(Segment.cue(cue_audio(CueKind.BELL, 22050)))
    return segments


def _slice(audio: AudioChunk, entry: dict[str, Any]) -> AudioChunk:
    start, end = round(entry["start"] * audio.rate), round(entry["end"] * audio.rate)
    return AudioChunk(audio.samples[2 * start : 2 * end], audio.rate)


def _silent_runs(audio: AudioChunk, window: float = 0.01) -> list[tuple[float, float]]:
    """Stretches of digital silence of 0.5 s or more, found from the samples alone."""
    size = round(window * audio.rate)
    values = np.abs(audio.array().astype(np.int32))
    count = len(values) // size
    quiet = values[: count * size].reshape(count, size).max(axis=1) <= 100
    runs, start = [], None
    for index, is_quiet in enumerate([*quiet, False]):
        if is_quiet and start is None:
            start = index
        elif not is_quiet and start is not None:
            if (index - start) * window >= 0.5:
                runs.append((start * window, index * window))
            start = None
    return runs


@pytest.mark.timed
def test_the_wav_and_the_timeline_agree(voice: Pyttsx3Voice, tmp_path: Path) -> None:
    wav, timeline_path = tmp_path / "out.wav", tmp_path / "out.json"
    speaker = FileSpeaker(wav, timeline_path)
    segments = _exercise(voice)
    started = time.perf_counter()
    for segment in segments:
        speaker.play(segment)
        assert speaker.wait(0.0)  # nothing to wait for: a file is not real time
    speaker.close()
    assert time.perf_counter() - started < 2.0  # far less than the audio lasts

    audio = read_wav(wav)
    timeline = json.loads(timeline_path.read_text(encoding="utf-8"))
    assert audio.rate == 22050
    assert [entry["kind"] for entry in timeline] == [segment.kind for segment in segments]
    assert timeline[0]["start"] == 0
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(timeline))
    assert abs(audio.seconds - timeline[-1]["end"]) < 1e-6
    speech = [entry for entry in timeline if entry["kind"] == "speech"]
    assert [entry["text"] for entry in speech] == [text for text, _ in STEPS]
    assert all("text" not in entry for entry in timeline if entry["kind"] != "speech")

    for entry in timeline:
        level = rms(_slice(audio, entry))
        if entry["kind"] == "pause" and entry["end"] - entry["start"] >= 1.0:
            assert level <= SILENT_RMS, entry
        if entry["kind"] in ("speech", "cue"):
            assert level > 500, entry

    # The silences heard in the file are the pauses, within 150 ms (the speech's own edges
    # must not stretch them), found without looking at the timeline.
    pauses = [(entry["start"], entry["end"]) for entry in timeline if entry["kind"] == "pause"]
    runs = _silent_runs(audio)
    assert len(runs) == len(pauses)
    for (run_start, run_end), (start, end) in zip(runs, pauses, strict=True):
        assert abs((run_end - run_start) - (end - start)) <= 0.15


def test_pause_lengths_are_kept_to_the_sample(tmp_path: Path) -> None:
    speaker = FileSpeaker(tmp_path / "p.wav", tmp_path / "p.json", rate=22050)
    speaker.play(Segment.pause(2.5, 22050))
    speaker.play(Segment.pause(0.25, 8000))
    speaker.close()
    timeline = json.loads((tmp_path / "p.json").read_text())
    # Within one sample, also for a pause made at another rate.
    assert [entry["end"] for entry in timeline] == pytest.approx([2.5, 2.75], abs=1 / 22050)
    assert abs(read_wav(tmp_path / "p.wav").frames - 2.75 * 22050) <= 1


def test_stop_keeps_what_was_played_and_close_twice_is_harmless(tmp_path: Path) -> None:
    speaker = FileSpeaker(tmp_path / "s.wav")
    speaker.play(Segment.cue(cue_audio(CueKind.LISTEN_START, 22050)))
    speaker.stop()
    speaker.play(Segment.pause(1.0, 22050))
    speaker.close()
    speaker.close()
    assert abs(read_wav(tmp_path / "s.wav").seconds - 1.18) < 1e-3
    assert not (tmp_path / "s.json").exists()
    with pytest.raises(SpeakerError):
        speaker.play(Segment.pause(1.0, 22050))


def test_unwritable_targets_are_reported_up_front(tmp_path: Path) -> None:
    with pytest.raises(SpeakerError, match="cannot write"):
        FileSpeaker(tmp_path / "missing" / "out.wav")
    with pytest.raises(SpeakerError, match="folder does not exist"):
        FileSpeaker(tmp_path / "out.wav", tmp_path / "missing" / "out.json")


def test_a_pause_segment_is_silence_of_its_length() -> None:
    segment = Segment.pause(1.5, 16000)
    assert segment.kind == "pause"
    assert segment.audio == silence(1.5, 16000)
