"""The coach's recordings: a key for every line known ahead, the recordings folder with the hash
of each recording's text (stale ones found and named), the recorded voice in front of the
synthetic one, and takes trimmed from real Dutch speech."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, resample, silence, split
from assistant.content import load_content
from assistant.content.recordings import (
    RecordingFolder,
    RecordingsError,
    problems,
    text_sha256,
)
from assistant.dialog.lines import known_lines, recordable_lines, unrecordable_keys
from assistant.dialog.machine import Dialog
from assistant.dialog.messages import Begin, Say, Style
from assistant.loudness import integrated_loudness
from assistant.speaker import Segment, at_volume
from assistant.studio.take import MARGIN, TakeRecorder
from assistant.voice.cache import finish_line
from assistant.voice.recorded import RecordedVoice
from tests.helpers import copy_content, find_in, human_clips

pytestmark = [pytest.mark.files, pytest.mark.voice]

RATE = 22050


def _clip(index: int = 0) -> AudioChunk:
    return resample(read_wav(human_clips()[index].path), RATE)


# --- keys -----------------------------------------------------------------------------------


def test_every_line_known_ahead_has_one_stable_key(content):
    lines = recordable_lines(content)
    keys = [line.key for line in lines]
    assert len(keys) == len(set(keys))
    by_key = {line.key: line for line in lines}
    assert by_key["oefening.steps.3"].text == content.practices[0].steps[2].say
    assert by_key["oefening.steps.3"].style is Style.GUIDE
    assert by_key["vragen.questions.4"].text == "Vraag 4 van 10. Mag het er zijn?"
    assert by_key["say.not_understood.2"].text == content.lines["not_understood"][1]
    assert by_key["say.goodbye_saved.one"].text == content.singular["goodbye_saved"][0]
    assert by_key["text.compassie.title"].text == "Compassie"
    assert by_key["text.compassie.2"].style is Style.READING
    said = [a.text for a in Dialog(content).handle(Begin(None)) if isinstance(a, Say)]
    assert by_key["say.menu"].text == said[-1]  # the menu as the dialog words it
    # Everything rendered ahead can be recorded, and the other way round.
    assert {text for text, _ in known_lines(content)} == {line.text for line in lines}


def test_a_new_variant_moves_no_recording(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "assistant.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  welcome: Welkom bij Hartsverbinding. Fijn dat je er bent.\n"
    assert old in text
    new = (
        "  welcome:\n    - Welkom bij Hartsverbinding. Fijn dat je er bent.\n    - Welkom terug.\n"
    )
    path.write_text(text.replace(old, new), encoding="utf-8")
    lines = {line.key: line.text for line in recordable_lines(load_content(folder))}
    assert lines["say.welcome"] == "Welkom bij Hartsverbinding. Fijn dat je er bent."
    assert lines["say.welcome.2"] == "Welkom terug."


def test_lines_with_words_known_only_in_a_session_cannot_be_recorded(content):
    assert unrecordable_keys(content) == [
        "say.read_back",
        "say.resume_offer",
        "say.goodbye_saved",
        "say.look_back",  # the looking back lines carry earlier answers and their dates
        "say.read_answers",
        "say.read_question",
        "say.kept_answer",
        "say.goodbye_unwritten",  # how many answers could not be written
        "say.look_back_asked",  # an earlier answer with the words of its question then
        "say.menu_packs",  # the other packs installed, said in the menu
        "say.switch_pack",
    ]


# --- the folder -----------------------------------------------------------------------------


def test_a_kept_recording_is_current_until_its_text_changes(tmp_path):
    folder = RecordingFolder(tmp_path)
    take = _clip()
    old_mask = os.umask(0o022)
    try:
        folder.save("oefening.steps.1", "Adem in.", take)
        folder.save("say.welcome", "Welkom.", take)
    finally:
        os.umask(old_mask)
    assert read_wav(folder.wav("oefening.steps.1")) == take  # kept as recorded
    for path in (folder.wav("say.welcome"), folder.index_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # content: the coach's to share
    assert not list(folder.folder.glob(".*"))  # no temp files left
    assert folder.index()["say.welcome"].sha256 == text_sha256("Welkom.")

    survey = folder.survey({"oefening.steps.1": "Adem in.", "say.welcome": "Welkom."})
    assert set(survey.current) == {"oefening.steps.1", "say.welcome"}
    assert survey.stale == () and survey.missing == ()
    assert survey.by_text({"say.welcome": "Welkom."}) == {"Welkom.": folder.wav("say.welcome")}

    survey = folder.survey({"oefening.steps.1": "Adem diep in.", "say.goodbye": "Dag."})
    assert survey.current == {}
    assert [(s.key, s.recorded, s.now) for s in survey.stale] == [
        ("oefening.steps.1", "Adem in.", "Adem diep in."),
        ("say.welcome", "Welkom.", None),
    ]
    assert survey.missing == ("oefening.steps.1", "say.goodbye")
    said = problems(survey, folder)
    assert len(said) == 2
    assert "oefening.steps.1" in said[0] and "Adem in." in said[0] and "Adem diep in." in said[0]
    assert "say.welcome" in said[1]


def test_a_step_put_in_before_recorded_ones_moves_no_recording_out_of_use(tmp_path):
    folder = RecordingFolder(tmp_path)
    first, second = _clip(0), _clip(1)
    folder.save("kort.steps.1", "Adem in.", first)
    folder.save("kort.steps.2", "Adem uit.", second)
    # A new first step: the recorded words are now steps 2 and 3.
    lines = {"kort.steps.1": "Zit rustig.", "kort.steps.2": "Adem in.", "kort.steps.3": "Adem uit."}
    assert folder.adopt(lines) == [
        ("kort.steps.1", "kort.steps.2"),
        ("kort.steps.2", "kort.steps.3"),
    ]
    assert read_wav(folder.wav("kort.steps.2")) == first
    assert read_wav(folder.wav("kort.steps.3")) == second
    survey = folder.survey(lines)
    assert set(survey.current) == {"kort.steps.2", "kort.steps.3"}
    assert [s.key for s in survey.stale] == ["kort.steps.1"] and survey.missing == ("kort.steps.1",)
    assert folder.adopt(lines) == []  # nothing left to take along


def test_a_recording_whose_file_is_gone_is_synthesised_and_said(tmp_path):
    folder = RecordingFolder(tmp_path)
    folder.save("say.welcome", "Welkom.", _clip())
    folder.wav("say.welcome").unlink()
    survey = folder.survey({"say.welcome": "Welkom."})
    assert survey.current == {} and survey.lost == ("say.welcome",)
    assert "say.welcome.wav" in problems(survey, folder)[0]


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        ("say.welcome: [broken\n", "line 2"),
        ("- a list\n", "not a list of keys"),
        ("say.welcome: {text: Welkom.}\n", "say.welcome needs a sha256 and a text"),
    ],
)
def test_a_broken_index_is_named_and_says_what_to_do(tmp_path, index, expected):
    folder = RecordingFolder(tmp_path)
    folder.folder.mkdir()
    folder.index_path.write_text(index, encoding="utf-8")
    with pytest.raises(RecordingsError) as caught:
        folder.survey({})
    assert str(folder.index_path) in caught.value.message
    assert expected in caught.value.message and "opnemen" in caught.value.message


# --- the recorded voice ---------------------------------------------------------------------


class _Synthetic:
    """Stands in for the session voice: says which lines reached it."""

    def __init__(self) -> None:
        self.rendered: list[tuple[str, bool]] = []
        self.closed = False

    def render(self, text: str, style: Style) -> AudioChunk:
        self.rendered.append((text, False))
        return silence(0.5, RATE)

    def render_private(self, text: str, style: Style) -> AudioChunk:
        self.rendered.append((text, True))
        return silence(0.5, RATE)

    def retune(self, rate_factor: float) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def test_a_recorded_line_plays_after_the_loudness_step_at_the_volume(tmp_path):
    folder = RecordingFolder(tmp_path)
    quiet = AudioChunk.from_array(_clip().array() * 0.1, RATE)  # a coach far from the mic
    folder.save("say.welcome", "Welkom.", quiet)
    inner = _Synthetic()
    voice = RecordedVoice({"Welkom.": folder.wav("say.welcome")}, inner)
    full = voice.render("Welkom.", Style.GUIDE)
    assert full == finish_line(read_wav(folder.wav("say.welcome")))
    assert integrated_loudness(full) == pytest.approx(-20.0, abs=0.5)
    # At volume 0.5, as it is played (the volume is applied there, to every line alike):
    half = at_volume(Segment.speech(voice.render("Welkom.", Style.PROMPT), "Welkom."), 0.5).audio
    assert np.max(np.abs(half.array().astype(int) * 2 - full.array().astype(int))) <= 2
    voice.render("Tot ziens.", Style.PROMPT)
    voice.render_private("Welkom.", Style.PROMPT)  # never a recording: the person's words
    assert inner.rendered == [("Tot ziens.", False), ("Welkom.", True)]
    assert voice.played == 2
    voice.close()
    assert inner.closed


def test_a_damaged_recording_is_synthesised(tmp_path):
    path = tmp_path / "say.welcome.wav"
    path.write_bytes(b"RIFF junk")
    inner = _Synthetic()
    voice = RecordedVoice({"Welkom.": path}, inner)
    assert voice.render("Welkom.", Style.PROMPT) == silence(0.5, RATE)
    voice.render("Welkom.", Style.PROMPT)
    assert inner.rendered == [("Welkom.", False)] * 2 and voice.played == 0


# --- takes ----------------------------------------------------------------------------------


def _record(audio: AudioChunk, recorder: TakeRecorder):
    for chunk in split(audio, 100):
        take = recorder.feed(chunk)
        if take is not None:
            return take, chunk
    return recorder.finish(), None


def _span_above(audio: AudioChunk, level: float) -> tuple[float, float]:
    """Where frames of 10 ms are louder than `level`: first start and last end, in seconds."""
    frame = audio.rate // 100
    values = audio.array().astype(np.float64)
    count = len(values) // frame
    levels = np.sqrt((values[: count * frame].reshape(count, frame) ** 2).mean(axis=1))
    loud = np.flatnonzero(levels > level)
    return loud[0] / 100, (loud[-1] + 1) / 100


@pytest.mark.parametrize("index", range(len(human_clips())))
def test_a_take_ends_on_silence_and_keeps_the_sound_with_a_short_margin(index):
    clip = _clip(index)
    lead = 1.0
    audio = silence(lead, RATE) + clip + silence(4.0, RATE) + clip
    recorder = TakeRecorder(RATE, end_silence=2.5)
    take, _ = _record(audio, recorder)
    assert take.heard and not take.cut_off
    speech_start, speech_end = _span_above(clip, 200.0)  # the speech, as the detector hears it
    # Ended 2.5 s after the speech, before the second clip.
    assert recorder.seconds == pytest.approx(lead + speech_end + 2.5, abs=0.15)
    # Cut from the audio itself, holding all of the speech with its margin ...
    begins = find_in(audio, take.audio) / RATE - lead
    ends = begins + take.audio.seconds
    assert begins <= max(-lead, speech_start - MARGIN) + 0.001
    assert ends >= speech_end + MARGIN - 0.001
    # ... and keeping no more than MARGIN of quiet at either end: the sound reaches the edges.
    sound_start, sound_end = _span_above(take.audio, 50.0)
    assert sound_start <= MARGIN + 0.011
    assert take.audio.seconds - sound_end <= MARGIN + 0.011


def test_a_take_without_speech_is_nothing_and_a_long_one_is_cut_off():
    nothing, _ = _record(silence(5.0, RATE), TakeRecorder(RATE))
    assert not nothing.heard and nothing.audio.frames == 0
    endless = _clip(1) + _clip(2) + _clip(3)
    take, _ = _record(endless, TakeRecorder(RATE, most=4.0))
    assert take.heard and take.cut_off and take.audio.seconds <= 4.0
