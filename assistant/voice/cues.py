"""Soft cues made in code: a bell to open and close the exercise, small tones for listening.

Quiet on purpose (well below speech level) and free of clicks: every cue fades in and out.
"""

from __future__ import annotations

import numpy as np

from assistant.audio import AudioChunk
from assistant.dialog.messages import CueKind

BELL_SECONDS = 2.5
TONE_SECONDS = 0.18

_BELL_PITCH = 528.0
# A struck bowl: inharmonic partials, the higher ones dying away sooner.
_BELL_PARTIALS = ((1.0, 1.0, 1.2), (2.76, 0.45, 0.55), (5.40, 0.22, 0.3), (8.93, 0.1, 0.18))
_BELL_PEAK = 0.3  # of full scale
_TONE_PEAK = 0.18
_TONE_LOW, _TONE_HIGH = 523.25, 784.0  # C5 and G5: a gentle fifth


def cue_audio(kind: CueKind, rate: int) -> AudioChunk:
    if kind is CueKind.BELL:
        return _bell(rate)
    if kind is CueKind.LISTEN_START:
        return _glide(_TONE_LOW, _TONE_HIGH, rate)
    return _glide(_TONE_HIGH, _TONE_LOW, rate)


def _times(seconds: float, rate: int) -> np.ndarray:
    return np.arange(round(seconds * rate)) / rate


def _fades(count: int, fade_in: int, fade_out: int) -> np.ndarray:
    envelope = np.ones(count)
    envelope[:fade_in] = np.sin(np.linspace(0.0, np.pi / 2, fade_in)) ** 2
    envelope[count - fade_out :] = np.cos(np.linspace(0.0, np.pi / 2, fade_out)) ** 2
    return envelope


def _bell(rate: int) -> AudioChunk:
    t = _times(BELL_SECONDS, rate)
    wave = np.zeros_like(t)
    for ratio, level, decay in _BELL_PARTIALS:
        wave += level * np.exp(-t / decay) * np.sin(2 * np.pi * _BELL_PITCH * ratio * t)
    wave *= _fades(len(t), round(0.004 * rate), round(0.3 * rate))
    wave *= _BELL_PEAK * 32767 / max(1e-9, float(np.max(np.abs(wave))))
    return AudioChunk.from_array(wave, rate)


def _glide(start_hz: float, end_hz: float, rate: int) -> AudioChunk:
    t = _times(TONE_SECONDS, rate)
    # The frequency moves smoothly; the phase is its running sum, so the glide has no jumps.
    frequency = start_hz + (end_hz - start_hz) * (0.5 - 0.5 * np.cos(np.pi * t / TONE_SECONDS))
    phase = 2 * np.pi * np.cumsum(frequency) / rate
    half = len(t) // 2
    wave = np.sin(phase) * _fades(len(t), half, len(t) - half) * _TONE_PEAK * 32767
    return AudioChunk.from_array(wave, rate)
