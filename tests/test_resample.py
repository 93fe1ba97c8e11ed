"""Resampling without aliasing: tones above the new Nyquist frequency are filtered out instead
of folding into the speech band, in one piece and block by block (the microphone's path),
and a stream of blocks comes out as long as its input, with no drift, like the one-piece
conversion. Real numpy tones through real soxr; the microphone's own path through a fake
PortAudio stream (the device's rate cannot be chosen on the test machine's sound server)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from assistant.audio import AudioChunk, StreamResampler, resample
from assistant.microphone import DeviceMicrophone
from assistant.microphone.device import Callback

pytestmark = pytest.mark.pure

AMPLITUDE = 16000.0  # about -6 dBFS: room for the filter's ripple, far above rounding noise


def tone(frequency: float, rate: int, seconds: float = 2.0) -> AudioChunk:
    t = np.arange(round(seconds * rate)) / rate
    return AudioChunk.from_array(AMPLITUDE * np.sin(2 * np.pi * frequency * t), rate)


def level_db(values: np.ndarray) -> float:
    """RMS of the middle half (clear of the edges) relative to the tone put in, in dB."""
    middle = values[len(values) // 4 : 3 * len(values) // 4].astype(np.float64)
    rms = float(np.sqrt(np.mean(middle * middle)))
    return 20 * np.log10(max(rms, 1e-9) / (AMPLITUDE / np.sqrt(2)))


def level_at(values: np.ndarray, frequency: float, rate: int) -> float:
    """The level of one frequency in `values`, relative to the tone put in, in dB."""
    window = np.hanning(len(values))
    spectrum = np.abs(np.fft.rfft(values.astype(np.float64) * window))
    bins = np.fft.rfftfreq(len(values), 1 / rate)
    near = np.abs(bins - frequency) < 30
    amplitude = 2 * float(np.max(spectrum[near])) / np.sum(window)
    return 20 * np.log10(max(amplitude, 1e-9) / AMPLITUDE)


def streamed(chunk: AudioChunk, rate: int, block_ms: int = 100) -> tuple[np.ndarray, int]:
    """`chunk` resampled block by block, as the microphone does; and the stream's lag."""
    resampler = StreamResampler(chunk.rate, rate)
    step = chunk.rate * block_ms // 1000
    values = chunk.array()
    parts = [
        resampler(AudioChunk(values[start : start + step].tobytes(), chunk.rate)).array()
        for start in range(0, len(values), step)
    ]
    return np.concatenate(parts), resampler.lag


SOURCES = [48000, 44100]
ABOVE = [8500, 9000, 10000, 12000, 14000, 20000]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("frequency", ABOVE)
def test_a_tone_above_8_khz_is_gone_at_16_khz(source: int, frequency: int) -> None:
    once = resample(tone(frequency, source), 16000)
    assert once.rate == 16000
    assert level_db(once.array()) < -60
    by_blocks, lag = streamed(tone(frequency, source), 16000)
    assert level_db(by_blocks[lag:]) < -60


@pytest.mark.parametrize("source", SOURCES)
def test_a_1_khz_tone_passes_at_full_level(source: int) -> None:
    once = resample(tone(1000, source), 16000)
    assert level_db(once.array()) == pytest.approx(0.0, abs=0.1)
    assert level_at(once.array(), 1000, 16000) == pytest.approx(0.0, abs=0.1)
    by_blocks, lag = streamed(tone(1000, source), 16000)
    assert level_db(by_blocks[lag:]) == pytest.approx(0.0, abs=0.1)


def test_speech_band_edges_pass_and_the_old_aliases_are_absent() -> None:
    # 10, 12 and 14 kHz at 48 kHz used to come back at 6, 4 and 2 kHz at full level.
    mix = tone(10000, 48000).array().astype(np.float64) + tone(7000, 48000).array()
    out = resample(AudioChunk.from_array(mix / 2, 48000), 16000).array()
    assert level_at(out, 7000, 16000) == pytest.approx(-6.0, abs=0.3)  # 7 kHz passes
    assert level_at(out, 6000, 16000) < -60  # where 10 kHz folded to


def test_upsampling_for_the_speaker_makes_no_images() -> None:
    # A 5 kHz tone at 22.05 kHz played at 48 kHz: nothing at its mirror image, 17.05 kHz.
    out = resample(tone(5000, 22050), 48000)
    assert out.rate == 48000
    assert out.frames == round(tone(5000, 22050).frames * 48000 / 22050)
    assert level_at(out.array(), 5000, 48000) == pytest.approx(0.0, abs=0.1)
    assert level_at(out.array(), 22050 - 5000, 48000) < -60


@pytest.mark.parametrize("source", SOURCES)
def test_block_by_block_equals_one_piece(source: int) -> None:
    rng = np.random.default_rng(7)
    noise = AudioChunk.from_array(rng.normal(0, 4000, 10 * source), source)  # all frequencies
    once = resample(noise, 16000).array().astype(np.int32)
    by_blocks, lag = streamed(noise, 16000)
    assert lag == 800  # 50 ms
    assert not by_blocks[:lag].any()  # the lag is silence
    aligned = by_blocks[lag:].astype(np.int32)
    assert np.max(np.abs(aligned - once[: len(aligned)])) <= 3  # rounding, nothing more


@pytest.mark.parametrize("source", [*SOURCES, 16000 * 3 // 2, 22050])
def test_every_block_gives_its_own_duration_with_no_drift(source: int) -> None:
    resampler = StreamResampler(source, 16000)
    step = source // 10
    rng = np.random.default_rng(3)
    total = 0
    for _ in range(2000):  # 200 s of microphone blocks
        block = AudioChunk.from_array(rng.normal(0, 3000, step), source)
        out = resampler(block)
        assert out.frames == 1600
        total += out.frames
    assert total == 2000 * 1600


@pytest.mark.parametrize("source", [96000, 8000, 32000])
def test_at_unusual_rates_uneven_blocks_still_add_up(source: int) -> None:
    resampler = StreamResampler(source, 16000)
    step = source // 10
    rng = np.random.default_rng(5)
    total = 0
    behind = []
    for count in range(1, 2001):
        total += resampler(AudioChunk.from_array(rng.normal(0, 3000, step), source)).frames
        behind.append(count * 1600 - total)
    assert min(behind) >= 0
    assert max(behind[1000:]) <= max(behind[:1000])  # a bounded wobble, not a drift
    assert max(behind) < 1600


def test_a_block_at_the_wrong_rate_is_refused() -> None:
    resampler = StreamResampler(48000, 16000)
    with pytest.raises(ValueError, match="44100"):
        resampler(tone(1000, 44100, 0.1))


def test_one_piece_lengths_and_silence() -> None:
    for frames in (0, 1, 2, 3, 4799, 4800, 4801):
        chunk = AudioChunk(bytes(2 * frames), 48000)
        assert resample(chunk, 16000).frames == round(frames / 3)
    assert resample(tone(1000, 16000), 16000) == tone(1000, 16000)


# --- the microphone -------------------------------------------------------------------------


class ToneStream:
    """A 48 kHz mono device delivering a 1 kHz tone plus a loud 12 kHz hiss in 100 ms blocks."""

    samplerate = 48000.0
    channels = 1

    def __init__(self, callback: Callback, finished: Callable[[], None], blocks: int) -> None:
        self._callback, self._finished, self._blocks = callback, finished, blocks
        self.active = False
        self.done = threading.Event()

    def start(self) -> None:
        self.active = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        t = np.arange(self._blocks * 4800) / 48000
        mix = 0.5 * AMPLITUDE * (np.sin(2 * np.pi * 1000 * t) + np.sin(2 * np.pi * 12000 * t))
        values = mix.astype("<i2")
        for block in range(self._blocks):
            self._callback(values[block * 4800 : (block + 1) * 4800].tobytes(), 4800, None, None)
        self.done.set()

    def stop(self) -> None:
        self.active = False

    def close(self) -> None:
        self.active = False


def test_the_microphone_resamples_its_stream_without_aliases_or_seams() -> None:
    made: list[ToneStream] = []

    def factory(device: Any, callback: Callback, finished: Callable[[], None]) -> ToneStream:
        made.append(ToneStream(callback, finished, blocks=30))
        return made[-1]

    mic = DeviceMicrophone("fake", stream_factory=factory)
    mic.start()
    try:
        assert made[0].done.wait(10)
        chunks = [mic.read(1.0) for _ in range(30)]
        # Opened again (a PortAudio restart): a fresh filter, starting with its lag again.
        mic.drop_stream()
        mic.reopen_stream()
        assert made[1].done.wait(10)
        again = [mic.read(1.0) for _ in range(30)]
    finally:
        mic.close()
    for run in (chunks, again):
        assert all(c is not None and c.rate == 16000 and c.frames == 1600 for c in run)
        values = np.concatenate([c.array() for c in run if c is not None])
        assert not values[:800].any()  # the stream's lag, from a fresh filter
        steady = values[1600:-1600]
        assert level_at(steady, 1000, 16000) == pytest.approx(-6.0, abs=0.2)
        assert level_at(steady, 4000, 16000) < -66  # where 12 kHz folded to (-6 dB in)
        # No seams at the block borders: the tone is as smooth there as anywhere else.
        expected_step = 2 * np.pi * 1000 / 16000 * 0.5 * AMPLITUDE
        assert np.max(np.abs(np.diff(steady.astype(np.float64)))) < expected_step * 1.05
