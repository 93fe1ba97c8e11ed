"""The BS.1770 loudness meter, true peak, normalisation, fades and volume, on real signals:
numpy tones, the human Dutch clips, and pyloudnorm (the reference implementation) to agree
with."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from assistant.audio import AudioChunk, read_wav, resample
from assistant.loudness import (
    PEAK_CEILING_DBFS,
    SPEECH_LUFS,
    fade_edges,
    integrated_loudness,
    k_weighting,
    loudness_gain,
    normalise_loudness,
    scale,
    true_peak_dbfs,
)
from tests.helpers import NL_HUMAN

pytestmark = pytest.mark.pure


def sine(frequency: float, rate: int, seconds: float, amplitude: float = 32767.0) -> AudioChunk:
    t = np.arange(round(seconds * rate)) / rate
    return AudioChunk.from_array(amplitude * np.sin(2 * np.pi * frequency * t), rate)


def reference(chunk: AudioChunk) -> float:
    return float(pyloudnorm.Meter(chunk.rate).integrated_loudness(chunk.array() / 32768.0))


def test_the_filters_at_48_khz_are_the_standards() -> None:
    (shelf_b, shelf_a), (pass_b, pass_a) = k_weighting(48000)
    # ITU-R BS.1770-4, tables 1 and 2.
    np.testing.assert_allclose(shelf_b, [1.53512485958697, -2.69169618940638, 1.19839281085285])
    np.testing.assert_allclose(shelf_a, [1.0, -1.69065929318241, 0.73248077421585])
    np.testing.assert_allclose(pass_b, [1.0, -2.0, 1.0])
    np.testing.assert_allclose(pass_a, [1.0, -1.99004745483398, 0.99007225036621], rtol=1e-9)


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
def test_a_full_scale_1_khz_sine_reads_minus_3_lufs(rate: int) -> None:
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS.
    assert integrated_loudness(sine(997, rate, 5.0)) == pytest.approx(-3.01, abs=0.05)
    assert integrated_loudness(sine(997, rate, 5.0, 3276.7)) == pytest.approx(-23.01, abs=0.05)


def test_it_agrees_with_pyloudnorm_on_real_speech() -> None:
    clips = sorted(NL_HUMAN.glob("*.wav"))
    assert len(clips) >= 10
    for path in clips:
        for clip in (read_wav(path), resample(read_wav(path), 22050)):
            # pyloudnorm derives its filters slightly differently (about 0.1 LU at 16 kHz).
            assert integrated_loudness(clip) == pytest.approx(reference(clip), abs=0.2), path


def test_silence_is_minus_infinity_and_keeps_its_gain() -> None:
    quiet = AudioChunk(bytes(2 * 22050), 22050)
    assert integrated_loudness(quiet) == -math.inf
    assert integrated_loudness(AudioChunk(b"", 22050)) == -math.inf
    assert normalise_loudness(quiet) == quiet


def test_a_short_sound_is_measured_over_its_own_length() -> None:
    # Shorter than one 400 ms block: a 0.2 s tone reads as loud as the same tone held longer.
    long, short = sine(1000, 22050, 2.0, 8000), sine(1000, 22050, 0.2, 8000)
    assert integrated_loudness(short) == pytest.approx(integrated_loudness(long), abs=0.1)


def test_gating_ignores_the_silence_around_speech() -> None:
    tone = sine(1000, 22050, 2.0, 8000)
    padded = AudioChunk(bytes(2 * 22050) + tone.samples + bytes(4 * 22050), 22050)
    # Only the blocks that straddle the tone's edges pull it down a little; the plain mean
    # over all 8 s would be 6 dB down.
    assert integrated_loudness(padded) == pytest.approx(integrated_loudness(tone), abs=1.0)
    assert integrated_loudness(padded) == pytest.approx(reference(padded), abs=0.2)


def test_true_peak_sees_between_the_samples() -> None:
    # A quarter-rate sine sampled 45 degrees off its crests: every sample is at 0.707 of the
    # real peak, so the sample peak is 3 dB low; the true peak is not.
    rate = 48000
    t = np.arange(rate) / rate
    values = 16000 * np.sin(2 * np.pi * (rate / 4) * t + np.pi / 4)
    chunk = AudioChunk.from_array(values, rate)
    sample_peak = 20 * math.log10(np.max(np.abs(chunk.array())) / 32768)
    assert true_peak_dbfs(chunk) == pytest.approx(20 * math.log10(16000 / 32768), abs=0.3)
    assert true_peak_dbfs(chunk) > sample_peak + 2.5


@pytest.mark.parametrize("path", sorted(NL_HUMAN.glob("*.wav"))[:6], ids=lambda p: p.stem)
def test_normalised_speech_reads_the_target(path: object) -> None:
    clip = read_wav(NL_HUMAN / str(path))
    done = normalise_loudness(clip)
    if loudness_gain(clip) == pytest.approx(SPEECH_LUFS - integrated_loudness(clip)):
        assert integrated_loudness(done) == pytest.approx(SPEECH_LUFS, abs=0.1)
    assert true_peak_dbfs(done) <= PEAK_CEILING_DBFS + 0.1


def test_a_line_that_would_clip_is_kept_below_the_ceiling() -> None:
    # Clicks on silence: loud peaks, little loudness. Bringing it to -20 LUFS would clip.
    values = np.zeros(22050)
    values[::2205] = 30000
    chunk = AudioChunk.from_array(values, 22050)
    done = normalise_loudness(chunk)
    assert true_peak_dbfs(done) == pytest.approx(PEAK_CEILING_DBFS, abs=0.1)
    assert integrated_loudness(done) < SPEECH_LUFS


def test_fades_start_and_end_at_zero_without_a_step() -> None:
    loud = AudioChunk.from_array(np.full(22050, 20000.0), 22050)  # the worst case: full DC
    faded = fade_edges(loud).array().astype(np.float64)
    assert faded[0] == 0 and faded[-1] == 0
    length = round(0.008 * 22050)
    assert faded[length] == 20000 and faded[-length - 1] == 20000  # only the edges change
    # A raised cosine: no step anywhere, the largest one well below the plain level.
    assert np.max(np.abs(np.diff(faded))) < 20000 * np.pi / (2 * length) * 1.01


def test_fading_a_very_short_sound_keeps_its_middle() -> None:
    tiny = AudioChunk.from_array(np.full(10, 1000.0), 22050)
    faded = fade_edges(tiny).array()
    assert faded[0] == 0 and faded[-1] != 1000 and len(faded) == 10


def test_volume_one_half_is_six_db_quieter() -> None:
    tone = sine(1000, 22050, 2.0, 16000)
    half = scale(tone, 0.5)
    assert integrated_loudness(half) - integrated_loudness(tone) == pytest.approx(-6.02, abs=0.05)
    assert scale(tone, 1.0) is tone


def test_a_few_loud_peaks_are_limited_so_the_line_comes_near_the_target() -> None:
    """Real speech with one loud click in it: one gain would leave the whole line quieter to
    keep that click under the ceiling; the limiter takes the click down instead, smoothly."""
    clip = read_wav(sorted(NL_HUMAN.glob("*.wav"))[0])
    values = clip.array().astype(np.float64) * 10 ** (-3.5 / 20)  # speech with headroom
    middle = len(values) // 2
    values[middle : middle + 20] = 32000.0  # 1 ms at full scale
    peaky = AudioChunk.from_array(values, clip.rate)
    done = normalise_loudness(peaky)
    one_gain = integrated_loudness(peaky) + PEAK_CEILING_DBFS - true_peak_dbfs(peaky)
    assert one_gain < SPEECH_LUFS - 2.0  # one gain alone would leave it clearly quieter
    # Limited, it comes within a dB (the click itself counted towards the loudness at first).
    assert integrated_loudness(done) > SPEECH_LUFS - 1.0
    assert true_peak_dbfs(done) <= PEAK_CEILING_DBFS + 0.05
    # Away from the click the line is the plain gain of the original: nothing else changed.
    ratio = done.array()[: middle - 2000].astype(np.float64)
    original = peaky.array()[: middle - 2000].astype(np.float64)
    loud = np.abs(original) > 1000
    assert np.allclose(
        ratio[loud] / original[loud], np.median(ratio[loud] / original[loud]), rtol=0.01
    )
