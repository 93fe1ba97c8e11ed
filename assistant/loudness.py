"""Loudness as people hear it (ITU-R BS.1770-4), and lines made to match it, without clicks.

Every line the assistant speaks, whoever rendered it (a recording, Piper, the system voice),
is brought to one integrated loudness before it is cached, so no line jumps out or sinks away;
the listener's volume is applied as it is played, as a plain gain (assistant/speaker/volume.py).
Each speech item also fades in and out over a few milliseconds, so it never starts or stops
with a click.

The meter is BS.1770's: K-weighting (a high shelf and a high pass, derived for any sample rate
the way libebur128 derives them, which reproduces the standard's 48 kHz coefficients), mean
square over 400 ms blocks with 75 % overlap, an absolute gate at -70 LUFS and a relative gate
10 LU below. It is written with numpy rather than taken from pyloudnorm, because pyloudnorm
filters with scipy, and scipy.signal costs about 80 MB of resident memory and most of a second
to import (several seconds on a Raspberry Pi), next to a speech model that already needs
300 MB; the tests check this meter against pyloudnorm. The filter runs in the frequency domain
(one FFT over the padded line); the padding outlasts the filters' impulse responses, so the
result is the same as filtering sample by sample.

True peak (BS.1770 annex 2) is the highest sample after 4x oversampling, done with soxr.

Pure functions of `AudioChunk`s; safe from any thread.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import soxr
from numpy.lib.stride_tricks import sliding_window_view

from assistant.audio import AudioChunk

# -20 LUFS: the level of spoken-word streams and podcasts at their quiet end (AES TD1004
# suggests -16 to -20 LUFS for streamed speech; EBU R 128 broadcast is -23). It leaves 19 dB
# between the average and the peak ceiling, which natural speech (recorded voices have peaks
# 12-18 dB above their loudness) fits into without limiting, and a small speaker is still
# loud enough at full volume. The listener's `volume` setting only ever takes it down from here.
SPEECH_LUFS = -20.0
PEAK_CEILING_DBFS = -1.0  # true peak; leaves room for the resampling to the device's rate
MAX_LIMITING_DB = 6.0  # peaks limited by at most this much; beyond, the line stays quieter
FADE_SECONDS = 0.008  # raised-cosine fade at each end of a speech item: no click, no lost onset

BLOCK_SECONDS = 0.4  # BS.1770 gating block
STEP_SECONDS = 0.1  # 75 % overlap
ABSOLUTE_GATE = -70.0  # LUFS
RELATIVE_GATE = -10.0  # LU below the absolutely gated loudness
_OFFSET = -0.691  # BS.1770: makes a 1 kHz sine read its RMS level in dBFS (+3 dB for a sine)
_FULL_SCALE = 32768.0
_PAD_SECONDS = 0.5  # longer than the K-weighting's impulse response at any rate
_OVERSAMPLE = 4
_LIMITER_SECONDS = 0.005  # the limiter's gain dips over this much on either side of a peak
_LIMITER_MARGIN_DB = 0.3


def integrated_loudness(chunk: AudioChunk) -> float:
    """The gated loudness of `chunk` in LUFS; -inf for silence or no audio.

    A chunk shorter than one 400 ms block is measured as one block of its own length (the mean
    square over the sound itself), so a short "Ja." reads as loud as it sounds instead of being
    diluted by padding."""
    if chunk.frames == 0:
        return -math.inf
    weighted = _k_weighted(chunk.array().astype(np.float64) / _FULL_SCALE, chunk.rate)
    block = round(BLOCK_SECONDS * chunk.rate)
    if len(weighted) < block:
        powers = np.array([np.mean(weighted * weighted)])
    else:
        step = round(STEP_SECONDS * chunk.rate)
        # Mean squares of all blocks at once, from a running sum of the squares.
        sums = np.concatenate(([0.0], np.cumsum(weighted * weighted)))
        starts = np.arange(0, len(weighted) - block + 1, step)
        powers = (sums[starts + block] - sums[starts]) / block
    return _gated(powers)


def true_peak_dbfs(chunk: AudioChunk) -> float:
    """The highest level between the samples too (4x oversampled), in dBFS; -inf for silence."""
    if chunk.frames == 0:
        return -math.inf
    values = chunk.array().astype(np.float32) / np.float32(_FULL_SCALE)
    upsampled = soxr.resample(values, chunk.rate, chunk.rate * _OVERSAMPLE)
    peak = max(float(np.max(np.abs(upsampled))), float(np.max(np.abs(values))))
    return -math.inf if peak == 0.0 else 20.0 * math.log10(peak)


def normalise_loudness(
    chunk: AudioChunk, target: float = SPEECH_LUFS, ceiling: float = PEAK_CEILING_DBFS
) -> AudioChunk:
    """`chunk` brought to `target` LUFS, never with a true peak above `ceiling` dBFS. A few
    peaks that would go over (a plosive, a voice's louder syllable) are limited, by at most
    MAX_LIMITING_DB, so the line still plays as loud as the others; a line that would need
    more than that is left quieter instead (reported by `loudness_gain`). Silence stays
    silence."""
    gain = loudness_gain(chunk, target, ceiling)
    louder = scale(chunk, 10.0 ** (gain / 20.0))
    if true_peak_dbfs(louder) <= ceiling:
        return louder
    limited = limit_peaks(louder, ceiling)
    # Limiting aims a little under the ceiling and takes a little loudness: what room is
    # left is given back, up to the ceiling and no further than the target.
    room = min(ceiling - true_peak_dbfs(limited), target - integrated_loudness(limited))
    return scale(limited, 10.0 ** (room / 20.0)) if room > 0 else limited


def loudness_gain(
    chunk: AudioChunk, target: float = SPEECH_LUFS, ceiling: float = PEAK_CEILING_DBFS
) -> float:
    """The gain in dB that `normalise_loudness` applies before limiting the peaks."""
    loudness = integrated_loudness(chunk)
    if not math.isfinite(loudness):
        return 0.0
    peak = true_peak_dbfs(chunk)
    return min(target - loudness, ceiling + MAX_LIMITING_DB - peak)


def limit_peaks(chunk: AudioChunk, ceiling: float = PEAK_CEILING_DBFS) -> AudioChunk:
    """The peaks above `ceiling` dBFS brought under it by a gain that dips smoothly around
    each (5 ms on either side: no click, no pumping), the rest of the line untouched."""
    values = chunk.array().astype(np.float64)
    # Samples aim a little lower, for the peaks between samples that true peak counts.
    limit = _FULL_SCALE * 10.0 ** ((ceiling - _LIMITER_MARGIN_DB) / 20.0)
    needed = np.minimum(1.0, limit / np.maximum(np.abs(values), 1e-9))
    reach = max(1, round(_LIMITER_SECONDS * chunk.rate))
    width = 2 * reach + 1
    # The least gain any sample within reach needs, then its average over the same reach:
    # every sample still gets no more gain than it needs, and the gain moves smoothly.
    lowest = sliding_window_view(np.pad(needed, reach, mode="edge"), width).min(axis=1)
    smooth = np.convolve(np.pad(lowest, reach, mode="edge"), np.ones(width) / width, "valid")
    limited = AudioChunk.from_array(values * smooth, chunk.rate)
    over = true_peak_dbfs(limited) - ceiling
    return scale(limited, 10.0 ** (-over / 20.0)) if over > 0 else limited


def scale(chunk: AudioChunk, factor: float) -> AudioChunk:
    """Every sample times `factor` (a volume of 0.5 is -6 dB)."""
    if factor == 1.0 or chunk.frames == 0:
        return chunk
    return AudioChunk.from_array(chunk.array().astype(np.float64) * factor, chunk.rate)


def fade_edges(chunk: AudioChunk, seconds: float = FADE_SECONDS) -> AudioChunk:
    """`chunk` rising from silence and falling back to it over `seconds` at each end
    (raised cosine: no step in level or in slope, so no click)."""
    values = chunk.array().astype(np.float64)
    length = min(round(seconds * chunk.rate), len(values) // 2)
    if length == 0:
        return chunk
    # Starts at exactly 0 and reaches 1 one sample after the fade: both ends are true zeros.
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(length) / length)
    values[:length] *= ramp
    values[len(values) - length :] *= ramp[::-1]
    return AudioChunk.from_array(values, chunk.rate)


# --- the meter's parts --------------------------------------------------------------------------


def _gated(powers: np.ndarray) -> float:
    with np.errstate(divide="ignore"):
        levels = _OFFSET + 10.0 * np.log10(powers)
    kept = powers[levels > ABSOLUTE_GATE]
    if len(kept) == 0:
        return -math.inf
    relative = _OFFSET + 10.0 * math.log10(float(np.mean(kept))) + RELATIVE_GATE
    kept = powers[(levels > ABSOLUTE_GATE) & (levels > relative)]
    return _OFFSET + 10.0 * math.log10(float(np.mean(kept)))


@lru_cache(maxsize=8)
def k_weighting(rate: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The two K-weighting stages at `rate`, each as (b, a) biquad coefficients."""
    # Stage 1, the head's acoustic effect: a high shelf of about +4 dB above 1.5 kHz.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf_b = np.array([(vh + vb * k / q + k * k), 2.0 * (k * k - vh), (vh - vb * k / q + k * k)])
    shelf_a = np.array([a0, 2.0 * (k * k - 1.0), 1.0 - k / q + k * k])
    shelf = (shelf_b / a0, shelf_a / a0)
    # Stage 2, RLB weighting: a high pass at about 38 Hz.
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1.0 + k / q + k * k
    pass_b = np.array([1.0, -2.0, 1.0])
    pass_a = np.array([a0, 2.0 * (k * k - 1.0), 1.0 - k / q + k * k])
    return (shelf, (pass_b, pass_a / a0))


def _k_weighted(values: np.ndarray, rate: int) -> np.ndarray:
    size = 1 << math.ceil(math.log2(len(values) + round(_PAD_SECONDS * rate)))
    spectrum = np.fft.rfft(values, size)
    # The filters' response on the FFT's frequencies: the polynomials in z^-1 at e^(-jw).
    z = np.exp(-2j * np.pi * np.fft.rfftfreq(size))
    for b, a in k_weighting(rate):
        spectrum *= np.polyval(b[::-1], z) / np.polyval(a[::-1], z)
    return np.fft.irfft(spectrum, size)[: len(values)]
