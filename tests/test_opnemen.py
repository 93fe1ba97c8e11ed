"""`hartsverbinding opnemen` through the command line, with real parts: real Dutch speech as
the coach reading (--mic FILE.wav), answers spoken to the real Vosk engine (the Korean test
model, with Korean words standing in for ja/opnieuw/stop), the real espeak-ng voice, and then
a real session rendered to a WAV that must hold the recordings sample for sample."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, resample, rms, silence, write_wav
from assistant.content.recordings import RecordingFolder
from assistant.loudness import integrated_loudness
from assistant.studio.take import MARGIN
from assistant.voice.cache import finish_line
from tests.helpers import (
    KOREAN_QUESTIONS,
    KOREAN_STOP,
    KOREAN_YES,
    RATE,
    espeak,
    find_in,
    human_clips,
    korean_model_dir,
    korean_yes_content,
    run_cli,
    silences,
)

pytestmark = [pytest.mark.files, pytest.mark.vosk, pytest.mark.voice]

KOREAN_AGAIN = KOREAN_QUESTIONS  # a word the Korean model hears well, standing in for "opnieuw"
STORE_RATE = 22050
PRACTICE = """\
id: kort
kind: exercise
title: een korte oefening
phrasings: [kort]
intro: Een korte oefening.
steps:
  - say: Adem rustig in.
    pause: 3
  - say: En adem weer uit.
    pause: 4
outro: Dat was het.
"""
KEYS = ["kort.intro", "kort.steps.1", "kort.steps.2", "kort.outro"]


def studio_content(folder: Path) -> Path:
    """The shipped content plus Korean words for ja, opnieuw and stop, and a practice of four
    lines (so a whole recording run stays short)."""
    content = korean_yes_content(folder)
    path = content / "commands.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("  stop: [stop,", f"  stop: [{KOREAN_STOP}, stop,"),
        ("  opnieuw: [opnieuw,", f"  opnieuw: [{KOREAN_AGAIN}, opnieuw,"),
    ):
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    (content / "practices" / "05-kort.yaml").write_text(PRACTICE, encoding="utf-8")
    return content


@dataclass(frozen=True)
class Mic:
    """A recording standing in for the coach's microphone, and where each reading starts."""

    path: Path
    starts: list[float]  # seconds

    def audio(self) -> AudioChunk:
        """As the program hears it (read at the rate takes are kept at)."""
        return resample(read_wav(self.path), STORE_RATE)


def coach(path: Path, takes: list[tuple[int, str | None]]) -> Mic:
    """Each take: a human clip read by "the coach", the silence that ends it, then the spoken
    answer (None: nothing, for typed answers)."""
    clips = human_clips()
    audio = silence(0.5, RATE)
    starts = []
    for index, word in takes:
        starts.append(audio.seconds)
        audio = audio + clips[index].audio() + silence(3.0, RATE)
        if word is not None:
            audio = audio + espeak(word, "ko") + silence(1.5, RATE)
    write_wav(path, audio)
    return Mic(path, starts)


def opnemen(content: Path, mic: Mic, out: Path, *more: str, stdin: str = "", model: bool = True):
    args = ["opnemen", "kort", "--content", str(content), "--mic", str(mic.path)]
    args += ["--speaker", str(out.with_suffix(".wav")), "--timeline", str(out.with_suffix(".json"))]
    if model:
        args += ["--model", str(korean_model_dir())]
    return run_cli(*args, *more, stdin=stdin, env=_env(out.parent), timeout=180)


def render(content: Path, out: Path):
    done = run_cli(
        "kort",
        "--content",
        str(content),
        "--speaker",
        str(out.with_suffix(".wav")),
        "--timeline",
        str(out.with_suffix(".json")),
        "--journal",
        str(out.parent / "journal"),
        env=_env(out.parent),
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return read_wav(out.with_suffix(".wav")), json.loads(out.with_suffix(".json").read_text()), done


def _env(folder: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(folder / "cache")}


def _span(audio: AudioChunk, segment: dict) -> AudioChunk:
    first, last = round(segment["start"] * audio.rate), round(segment["end"] * audio.rate)
    return AudioChunk(audio.samples[first * 2 : last * 2], audio.rate)


def _recording(content: Path, key: str) -> AudioChunk:
    return read_wav(RecordingFolder(content).wav(key))


@dataclass(frozen=True)
class Studio:
    content: Path
    first: Mic
    second: Mic
    runs: tuple  # the two opnemen runs
    folder: Path


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    folder = tmp_path_factory.mktemp("opnemen")
    content = studio_content(folder)
    # The intro read twice (the first take is redone), step 1 kept, then stop at step 2.
    first = coach(
        folder / "first.wav",
        [(0, KOREAN_AGAIN), (1, KOREAN_YES), (2, KOREAN_YES), (3, KOREAN_STOP)],
    )
    run1 = opnemen(content, first, folder / "first-out")
    assert run1.returncode == 0, run1.stderr
    # Later: it goes on at step 2.
    second = coach(folder / "second.wav", [(4, KOREAN_YES), (5, KOREAN_YES)])
    run2 = opnemen(content, second, folder / "second-out")
    assert run2.returncode == 0, run2.stderr
    return Studio(content, first, second, (run1, run2), folder)


def test_each_kept_take_is_the_coachs_reading_trimmed(studio: Studio) -> None:
    index = RecordingFolder(studio.content).index()
    assert list(index) == KEYS
    assert [entry.text for entry in index.values()] == [
        "Een korte oefening.",
        "Adem rustig in.",
        "En adem weer uit.",
        "Dat was het.",
    ]
    for key, mic, take in (
        ("kort.intro", studio.first, 1),  # the second take: the first one was redone
        ("kort.steps.1", studio.first, 2),
        ("kort.steps.2", studio.second, 0),
        ("kort.outro", studio.second, 1),
    ):
        recording = _recording(studio.content, key)
        assert recording.rate == STORE_RATE
        # Sample for sample a piece of what the microphone heard, starting just before the
        # reading (the silence before it trimmed to the margin) ...
        offset = find_in(mic.audio(), recording) / STORE_RATE
        assert mic.starts[take] - MARGIN - 0.1 <= offset <= mic.starts[take] + 0.3, key
        # ... and no longer than the reading itself with its margins.
        clip = human_clips()[[1, 2, 4, 5][KEYS.index(key)]].audio()
        assert recording.seconds <= clip.seconds + 2 * MARGIN + 0.05, key
        assert recording.seconds >= clip.seconds * 0.6, key


def test_the_coach_hears_each_take_as_it_will_sound(studio: Studio) -> None:
    out = read_wav(studio.folder / "first-out.wav")
    timeline = json.loads((studio.folder / "first-out.json").read_text())
    intro = [s for s in timeline if s["kind"] == "speech" and s["text"] == "Een korte oefening."]
    assert len(intro) == 3  # said by the system voice, then each of the two takes played back
    kept = finish_line(_recording(studio.content, "kort.intro"))
    assert _span(out, intro[2]) == kept
    assert _span(out, intro[1]) != kept  # the take that was redone
    cues = [s for s in timeline if s["kind"] == "cue"]
    assert len(cues) == 2 * 4  # a rising tone before each take, a falling one after it


def test_stopped_half_way_the_next_run_goes_on_where_it_left_off(studio: Studio) -> None:
    run1, run2 = studio.runs
    shown = [line.split()[-1] for line in run1.stdout.splitlines() if line.startswith("[")]
    assert shown == ["kort.intro", "kort.steps.1", "kort.steps.2"]
    assert "'hartsverbinding opnemen kort' goes on at kort.steps.2" in run1.stderr
    assert "2 of 4 lines have a recording" in run1.stderr
    shown = [line.split()[-1] for line in run2.stdout.splitlines() if line.startswith("[")]
    assert shown == ["kort.steps.2", "kort.outro"]
    assert "2 of 4 lines to record" in run2.stderr
    assert "4 of 4 lines have a recording" in run2.stderr
    for run in (run1, run2):  # what can never be recorded is said, once
        assert run.stderr.count("say.read_back, say.resume_offer, say.goodbye_saved") == 1


@pytest.fixture(scope="module")
def rendered(studio: Studio):
    return render(studio.content, studio.folder / "render")


def test_a_session_plays_the_recordings_sample_for_sample(studio: Studio, rendered) -> None:
    audio, timeline, done = rendered
    speech = [s for s in timeline if s["kind"] == "speech"]
    texts = [entry.text for entry in RecordingFolder(studio.content).index().values()]
    assert [s["text"] for s in speech[:4]] == texts
    for key, segment in zip(KEYS, speech, strict=False):
        played = _span(audio, segment).array().astype(np.int32)
        expected = finish_line(_recording(studio.content, key)).array().astype(np.int32)
        assert len(played) == len(expected), key
        assert np.max(np.abs(played - expected)) <= 2, key
    assert "stale" not in done.stderr


def test_a_recorded_line_is_as_loud_as_a_system_voice_line(rendered) -> None:
    audio, timeline, _ = rendered
    speech = [s for s in timeline if s["kind"] == "speech"]
    recorded = [integrated_loudness(_span(audio, s)) for s in speech[:4]]
    synthesised = [integrated_loudness(_span(audio, s)) for s in speech[4:]]  # the goodbye
    assert synthesised
    levels = recorded + synthesised
    print(f"recorded {[round(x, 2) for x in recorded]}, system voice {synthesised} LUFS")
    assert max(levels) - min(levels) < 1.0, levels


def test_the_pauses_stay_as_the_content_says(rendered) -> None:
    audio, timeline, _ = rendered
    pauses = [s for s in timeline if s["kind"] == "pause"]
    assert [round(s["end"] - s["start"], 3) for s in pauses] == [3.0, 4.0]
    for segment in pauses:
        assert not _span(audio, segment).samples.strip(b"\0")
    # From the samples alone: every run of a second or more of silence is one of the pauses.
    runs = silences(audio)
    print(f"silences measured from the samples: {runs} s (content: 3, 4)")
    assert len(runs) == 2, runs
    assert all(abs(m - p) <= 0.15 for m, p in zip(runs, [3, 4], strict=True)), runs


def test_a_changed_line_is_reported_stale_synthesised_and_recorded_again(
    studio: Studio, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(studio.content, content)
    practice = content / "practices" / "05-kort.yaml"
    practice.write_text(
        PRACTICE.replace("Adem rustig in.", "Adem rustig en diep in."), encoding="utf-8"
    )
    audio, timeline, done = render(content, tmp_path / "render")
    stale = [line for line in done.stderr.splitlines() if "kort.steps.1" in line]
    assert len(stale) == 1 and "stale" in stale[0] and "Adem rustig in." in stale[0], done.stderr
    speech = {s["text"]: s for s in timeline if s["kind"] == "speech"}
    played = _span(audio, speech["Adem rustig en diep in."])
    recording = finish_line(_recording(content, "kort.steps.1"))
    assert played.frames != recording.frames  # the system voice, not the old recording
    assert rms(played) > 300
    assert _span(audio, speech["En adem weer uit."]) == finish_line(
        _recording(content, "kort.steps.2")
    )
    # opnemen says so too, and records that line only.
    mic = coach(tmp_path / "mic.wav", [(6, KOREAN_YES)])
    again = opnemen(content, mic, tmp_path / "again")
    assert again.returncode == 0, again.stderr
    assert "1 of 4 lines to record" in again.stderr
    shown = [line.split()[-1] for line in again.stdout.splitlines() if line.startswith("[")]
    assert shown == ["kort.steps.1"]
    _, _, after = render(content, tmp_path / "after")
    assert "kort.steps.1" not in after.stderr


def test_choices_can_be_typed(studio: Studio, tmp_path: Path) -> None:
    """Without speaking: again, hear it again, keep; leave a line; stop."""
    content = tmp_path / "content"
    shutil.copytree(studio.content, content)
    shutil.rmtree(content / "recordings")
    mic = coach(tmp_path / "mic.wav", [(0, None), (1, None), (2, None), (3, None)])
    done = opnemen(
        content,
        mic,
        tmp_path / "out",
        stdin="opnieuw\nwat?\nherhaal\nja\noverslaan\nstop\n",
        model=False,
    )
    assert done.returncode == 0, done.stderr
    assert "'wat?' is not one of the choices" in done.stderr
    assert list(RecordingFolder(content).index()) == ["kort.intro"]
    assert find_in(mic.audio(), _recording(content, "kort.intro")) / STORE_RATE > mic.starts[1] - 1
    timeline = json.loads((tmp_path / "out.json").read_text())
    intro = [s for s in timeline if s["kind"] == "speech" and s["text"] == "Een korte oefening."]
    assert len(intro) == 4  # the system voice, the first take, the second take twice
    assert "goes on at kort.steps.1" in done.stderr


def test_nothing_to_record_by_that_name(studio: Studio) -> None:
    done = run_cli("opnemen", "niets", "--content", str(studio.content))
    assert done.returncode == 2
    assert "'niets'" in done.stderr and "kort, oefening, vragen, text, say" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_where_recordings_cannot_be_kept_is_said_before_recording(tmp_path: Path):
    content = studio_content(tmp_path)
    (content / "recordings").write_text("not a folder", encoding="utf-8")
    mic = coach(tmp_path / "mic.wav", [(0, None)])
    done = opnemen(content, mic, tmp_path / "out", model=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "recordings cannot be written there" in done.stderr and "--content" in done.stderr
    assert not (tmp_path / "out.wav").exists()  # found before anything was played


def test_a_take_nobody_answers_is_not_kept(tmp_path: Path):
    content = studio_content(tmp_path)
    mic = coach(tmp_path / "mic.wav", [(0, None)])
    done = opnemen(content, mic, tmp_path / "out", model=False)  # nothing typed either
    assert done.returncode == 0, done.stderr
    assert "the take is not kept" in done.stderr
    assert RecordingFolder(content).index() == {}
    assert "goes on at kort.intro" in done.stderr


def test_a_broken_index_costs_the_recordings_not_the_session(studio: Studio, tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(studio.content, content)
    (content / "recordings" / "index.yaml").write_text("kort.intro: [\n", encoding="utf-8")
    audio, timeline, done = render(content, tmp_path / "render")
    assert "index.yaml" in done.stderr and "Every line is synthesised" in done.stderr
    first = next(s for s in timeline if s["kind"] == "speech")
    assert _span(audio, first) != finish_line(_recording(content, "kort.intro"))
    mic = coach(tmp_path / "mic.wav", [(0, None)])
    refused = opnemen(content, mic, tmp_path / "out", model=False)
    assert refused.returncode == 2 and "index.yaml" in refused.stderr
    assert "Traceback" not in refused.stderr
