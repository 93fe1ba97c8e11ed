"""The real Dutch voice: pyttsx3 with espeak-ng, in its worker process."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, rms
from assistant.config import load_settings
from assistant.dialog.messages import Style
from assistant.speaker import Segment, at_volume
from assistant.voice import Pyttsx3Voice
from assistant.voice.decode import trim_edges
from tests.programs import need_program

pytestmark = [pytest.mark.files, pytest.mark.voice]

LINE = "Adem diep en rustig in, en weer uit."


@pytest.fixture(scope="module")
def voice() -> Iterator[Pyttsx3Voice]:
    voice = Pyttsx3Voice()
    yield voice
    voice.close()


def test_the_dutch_espeak_voice_is_found(voice: Pyttsx3Voice) -> None:
    assert voice.voice.id == "gmw/nl"
    assert "nl" in voice.voice.languages


def test_a_rendered_line_is_speech_not_silence(voice: Pyttsx3Voice) -> None:
    audio = voice.render(LINE, Style.PROMPT)
    assert audio.rate == 22050
    assert 1.0 < audio.seconds < 6.0
    assert rms(audio) > 1000  # speech level, far above espeak-ng's digital silence


def _edge_silence(audio: AudioChunk) -> tuple[float, float]:
    loud = np.nonzero(np.abs(audio.array().astype(np.int32)) > 100)[0]
    return loud[0] / audio.rate, (audio.frames - 1 - loud[-1]) / audio.rate


def test_the_engines_silent_tail_is_trimmed(voice: Pyttsx3Voice) -> None:
    # espeak-ng ends every line with about 0.24 s of silence, which would lengthen each pause.
    lead, tail = _edge_silence(voice.render(LINE, Style.PROMPT))
    assert lead <= 0.035
    assert tail <= 0.035


def test_the_guide_style_is_slower_than_prompts(voice: Pyttsx3Voice) -> None:
    prompt = voice.render(LINE, Style.PROMPT)
    guide = voice.render(LINE, Style.GUIDE)
    assert guide.seconds > prompt.seconds * 1.15  # 120 against 150 words per minute


def test_each_line_is_exactly_what_espeak_ng_says_at_that_rate(
    voice: Pyttsx3Voice, tmp_path: Path
) -> None:
    # A reused pyttsx3 engine applies a rate change a line late and carries state between
    # lines; a fresh worker per line must give espeak-ng's own output, sample for sample.
    need_program("espeak-ng")
    lines = ["Nog een keer.", LINE, "Voel wat het met je doet."]
    styles = [Style.PROMPT, Style.GUIDE, Style.READING, Style.GUIDE, Style.PROMPT]
    for number, style in enumerate(styles):
        text = lines[number % len(lines)]
        reference = tmp_path / f"{number}.wav"
        rate = str(voice.settings.for_style(style).rate)
        subprocess.run(
            ["espeak-ng", "-v", "nl", "-s", rate, "-w", str(reference), text], check=True
        )
        assert voice.render(text, style).samples == trim_edges(read_wav(reference)).samples


def test_the_engine_renders_at_full_volume_and_leaves_the_volume_to_the_playback(
    tmp_path: Path,
) -> None:
    # The cache brings each line to one loudness, and the volume is applied after that, as
    # the line is played (tests/test_loudness.py); a volume applied by the engine would only
    # be undone.
    quiet_config, plain_config = tmp_path / "quiet.yaml", tmp_path / "plain.yaml"
    quiet_config.write_text("volume: 0.3\n", encoding="utf-8")
    plain_config.write_text("volume: 1.0\n", encoding="utf-8")
    quiet_settings = load_settings(quiet_config)
    quiet_voice = Pyttsx3Voice(quiet_settings.voice)
    try:
        assert quiet_settings.volume == 0.3
        # No volume reaches the voice: it is the same voice at any volume.
        assert quiet_voice.settings == load_settings(plain_config).voice
        quiet = quiet_voice.render(LINE, Style.PROMPT)
    finally:
        quiet_voice.close()
    loud = Pyttsx3Voice()
    try:
        full = loud.render(LINE, Style.PROMPT)
    finally:
        loud.close()
    # The same level (not compared byte for byte: under heavy load espeak's driver has given
    # two renders of one line that differ in a few milliseconds and a few per cent of level, a
    # known flakiness of it; a volume applied by the engine would show as 0.3 of the level).
    assert rms(quiet) == pytest.approx(rms(full), rel=0.1)
    played = at_volume(Segment.speech(quiet, LINE), 0.3).audio  # the same render, played
    assert rms(played) / rms(quiet) == pytest.approx(0.3, rel=0.01)


def test_an_empty_line_is_no_audio_and_no_engine_call(voice: Pyttsx3Voice) -> None:
    before = voice.renders
    assert voice.render("   ", Style.PROMPT).frames == 0
    assert voice.renders == before


def test_identity_names_voice_and_rate(voice: Pyttsx3Voice) -> None:
    assert voice.identity(Style.GUIDE) == "pyttsx3|gmw/nl|rate=120"
    assert voice.identity(Style.PROMPT) != voice.identity(Style.READING)
