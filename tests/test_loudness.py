"""Even loudness through the real path: espeak-ng lines of every length and style, rendered by
the real voice in its worker and kept by the real cache, all play at one loudness (BS.1770);
the cues sit at their set distance below it; the volume setting takes everything down from
there (0.5 is 6 dB) as it is played, once, without rendering anything again; no line starts or
ends with a click."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, resample
from assistant.content.recordings import RecordingFolder
from assistant.dialog.messages import Cue, CueKind, PlayRecording, Say, Style
from assistant.loudness import SPEECH_LUFS, integrated_loudness, scale, true_peak_dbfs
from assistant.preferences import Preferences
from assistant.session.spoken import SpokenOutput
from assistant.speaker import FileSpeaker, Segment, at_volume
from assistant.voice import CachedVoice, Pyttsx3Voice, VoiceSettings, cue_audio, make_voice
from assistant.voice.cache import finish_line
from assistant.voice.cues import BELL_LU, TONE_LU
from assistant.voice.recorded import RecordedVoice
from tests.helpers import human_clips, require_espeak

pytestmark = [pytest.mark.files, pytest.mark.voice]

LINES = [
    ("Ja.", Style.PROMPT),  # shorter than one 400 ms measuring block
    ("Nee, dank je.", Style.PROMPT),
    ("Wil je de oefening doen, of de vragen? Zeg oefening of vragen.", Style.PROMPT),
    ("Adem in... en adem uit.", Style.GUIDE),
    (
        "We beginnen met de oefening Hartsverbinding. Ga rustig zitten, met je voeten op de "
        "grond, en sluit je ogen als dat prettig voelt.",
        Style.GUIDE,
    ),
    ("Compassie is het vermogen om het lijden van een ander te zien.", Style.READING),
    ("SLUIT JE OGEN!", Style.PROMPT),  # shouted by the text, not by the sound
]


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CachedVoice]:
    require_espeak()
    voice = make_voice(VoiceSettings(), tmp_path_factory.mktemp("cache"))
    yield voice
    voice.close()


def test_the_engine_itself_is_uneven(voice: CachedVoice) -> None:
    # What the normalisation is for: espeak-ng's own lines differ by several LU.
    assert isinstance(voice.inner, Pyttsx3Voice)
    raw = [integrated_loudness(voice.inner.render(text, style)) for text, style in LINES]
    assert max(raw) - min(raw) > 2.0


def test_every_line_plays_at_the_same_loudness(voice: CachedVoice) -> None:
    first = [voice.render(text, style) for text, style in LINES]
    again = [voice.render(text, style) for text, style in LINES]  # now from the cache
    assert voice.misses == len(LINES) and voice.hits == len(LINES)
    assert again == first
    levels = [integrated_loudness(audio) for audio in first]
    assert max(levels) - min(levels) < 1.0, levels
    assert all(abs(level - SPEECH_LUFS) < 0.5 for level in levels), levels
    assert all(true_peak_dbfs(audio) <= -0.9 for audio in first)


def test_no_line_starts_or_ends_with_a_click(voice: CachedVoice) -> None:
    for text, style in LINES:
        values = voice.render(text, style).array().astype(np.int32)
        assert values[0] == 0 and values[-1] == 0, text
        edge = round(0.008 * 22050)
        # In the fades the level only grows from zero: no sudden step at either end.
        steps = np.abs(np.diff(values))
        assert np.max(steps[:edge]) <= np.max(steps) and np.max(np.abs(values[:4])) < 50
        assert np.max(np.abs(values[-4:])) < 50


@pytest.mark.parametrize("rate", [22050, 48000])
def test_the_cues_sit_at_their_distance_below_the_speech(voice: CachedVoice, rate: int) -> None:
    speech = np.mean([integrated_loudness(voice.render(text, style)) for text, style in LINES])
    for kind, offset in (
        (CueKind.BELL, BELL_LU),
        (CueKind.LISTEN_START, TONE_LU),
        (CueKind.LISTEN_STOP, TONE_LU),
    ):
        level = integrated_loudness(cue_audio(kind, rate))
        assert level - speech == pytest.approx(offset, abs=0.5), kind
        half = integrated_loudness(at_volume(Segment.cue(cue_audio(kind, rate)), 0.5).audio)
        assert half - level == pytest.approx(-6.02, abs=0.1)
    assert BELL_LU < TONE_LU < 0


def test_half_the_volume_is_six_db_quieter_and_needs_no_new_render(
    voice: CachedVoice, tmp_path: Path
) -> None:
    text, style = LINES[2]
    full = voice.render(text, style)  # cached by now
    quiet_inner = Pyttsx3Voice(VoiceSettings())  # a session at volume 0.5: the same voice
    quiet = CachedVoice(quiet_inner, voice.folder)
    try:
        softer = at_volume(Segment.speech(quiet.render(text, style), text), 0.5).audio
        assert quiet_inner.renders == 0  # the same entry: the volume is applied as it is played
        assert integrated_loudness(softer) - integrated_loudness(full) == pytest.approx(
            -6.02, abs=0.1
        )
        # The same sound, through the engine:
        private = at_volume(Segment.speech(quiet.render_private(text, style), text), 0.5).audio
        assert quiet_inner.renders == 1
        assert integrated_loudness(private) == pytest.approx(integrated_loudness(softer), abs=0.1)
    finally:
        quiet.close()


def test_the_volume_and_the_persons_gain_are_applied_once_as_played(
    voice: CachedVoice, tmp_path: Path
) -> None:
    """Volume 0.5 and one *zachter* step, through the session's output into a WAV: a line, a
    cue and the person's own answer played back each come out exactly 0.5 x -3 dB under their
    finished level (the voice's, the cue's, the loudness step's): applied once, not twice."""
    wav, timeline = tmp_path / "out.wav", tmp_path / "out.json"
    speaker = FileSpeaker(wav, timeline)
    output = SpokenOutput(voice, speaker, io.StringIO(), pace=0.0, volume=0.5)
    output.adjust(Preferences(volume_step=-1))
    text, style = LINES[2]
    answer = resample(read_wav(human_clips()[1].path), speaker.rate)
    for item in (Say(text, style), Cue(CueKind.BELL), PlayRecording(answer)):
        output.start(item)
    speaker.close()  # not output.close(): the voice is the module's
    finished = [voice.render(text, style), cue_audio(CueKind.BELL, 22050), finish_line(answer)]
    factor = 0.5 * 10 ** (-3 / 20)
    played = _played(wav, timeline)
    assert len(played) == len(finished)
    for heard, made in zip(played, finished, strict=True):
        assert heard.frames == made.frames
        expected = made.array().astype(np.float64) * factor
        assert np.max(np.abs(heard.array() - expected)) <= 0.5 + 1e-9  # one rounding, no more
        assert integrated_loudness(heard) - integrated_loudness(made) == pytest.approx(
            20 * math.log10(factor), abs=0.05
        )


def _played(wav: Path, timeline: Path) -> list[AudioChunk]:
    """Each segment of a rendered WAV, cut out by its timeline."""
    audio = read_wav(wav)
    values = audio.array()
    return [
        AudioChunk.from_array(
            values[round(entry["start"] * audio.rate) : round(entry["end"] * audio.rate)],
            audio.rate,
        )
        for entry in json.loads(timeline.read_text(encoding="utf-8"))
    ]


def test_piper_lines_play_as_loud_as_the_system_voice(voice: CachedVoice, tmp_path: Path) -> None:
    """The second kind of voice: Piper (the English test voice) through the same cache lands
    at the same loudness as espeak-ng; the coach's recordings are the third kind
    (tests/test_recordings.py)."""
    from assistant.voice.piper_voice import PiperVoice
    from tests.helpers import english_piper_voice

    piper = PiperVoice(english_piper_voice(), VoiceSettings())
    try:
        cached = CachedVoice(piper, tmp_path / "piper")
        english = ["Yes.", "Breathe in, and breathe out.", "Take all the time you need."]
        levels = [integrated_loudness(cached.render(text, Style.GUIDE)) for text in english]
    finally:
        piper.close()
    system = [integrated_loudness(voice.render(text, style)) for text, style in LINES[1:4]]
    assert max(levels + system) - min(levels + system) < 1.0, (levels, system)


@pytest.mark.parametrize("gain", [0.05, 0.3, 1.0])  # a coach far from the microphone, or close
def test_a_recorded_line_plays_as_loud_as_the_system_voice(
    voice: CachedVoice, tmp_path: Path, gain: float
) -> None:
    """The coach's recording (real Dutch speech at its own level) against the system voice's
    lines: one loudness, through the same step (Piper's lines are checked where Piper is)."""
    folder = RecordingFolder(tmp_path)
    clip = human_clips()[1]
    take = read_wav(clip.path)
    folder.save("say.welcome", clip.text, scale(take, gain))
    recorded = RecordedVoice({clip.text: folder.wav("say.welcome")}, voice)
    heard = recorded.render(clip.text, Style.PROMPT)
    assert recorded.played == 1
    system = [integrated_loudness(voice.render(text, style)) for text, style in LINES]
    level = integrated_loudness(heard)
    assert abs(level - float(np.mean(system))) < 1.0, (level, system)
    assert true_peak_dbfs(heard) <= -0.9
