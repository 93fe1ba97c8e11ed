"""Audio as small values: a chunk of 16-bit mono PCM that knows its own length.

Everything that moves sound around (microphone, recognizer, voice, speaker) speaks in
`AudioChunk`s, so a WAV file and a live device look the same to the code behind them.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import UserError

SAMPLE_WIDTH = 2  # bytes: 16-bit signed little-endian


@dataclass(frozen=True)
class AudioChunk:
    """Mono 16-bit little-endian PCM at `rate` samples per second."""

    samples: bytes
    rate: int

    @property
    def frames(self) -> int:
        return len(self.samples) // SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    @property
    def milliseconds(self) -> int:
        return round(self.seconds * 1000)

    def array(self) -> np.ndarray:
        return np.frombuffer(self.samples, dtype="<i2")

    @staticmethod
    def from_array(values: np.ndarray, rate: int) -> AudioChunk:
        clipped = np.clip(np.rint(values), -32768, 32767).astype("<i2")
        return AudioChunk(clipped.tobytes(), rate)

    def __add__(self, other: AudioChunk) -> AudioChunk:
        if other.rate != self.rate:
            other = resample(other, self.rate)
        return AudioChunk(self.samples + other.samples, self.rate)


def silence(seconds: float, rate: int) -> AudioChunk:
    return AudioChunk(bytes(SAMPLE_WIDTH * max(0, round(seconds * rate))), rate)


def resample(chunk: AudioChunk, rate: int) -> AudioChunk:
    """Linear-interpolation resampling: enough for speech recognition and for cues."""
    if chunk.rate == rate or chunk.frames == 0:
        return AudioChunk(chunk.samples, rate) if chunk.frames == 0 else chunk
    source = chunk.array().astype(np.float64)
    count = round(chunk.frames * rate / chunk.rate)
    positions = np.arange(count) * (chunk.rate / rate)
    return AudioChunk.from_array(np.interp(positions, np.arange(chunk.frames), source), rate)


def split(chunk: AudioChunk, milliseconds: int) -> Iterator[AudioChunk]:
    """The same audio in pieces of `milliseconds`, as a microphone would deliver it."""
    step = max(1, chunk.rate * milliseconds // 1000) * SAMPLE_WIDTH
    for start in range(0, len(chunk.samples), step):
        yield AudioChunk(chunk.samples[start : start + step], chunk.rate)


def rms(chunk: AudioChunk) -> float:
    """Root-mean-square level, 0 for digital silence, 32767 for a full-scale square wave."""
    if chunk.frames == 0:
        return 0.0
    values = chunk.array().astype(np.float64)
    return float(np.sqrt(np.mean(values * values)))


def read_wav(path: Path) -> AudioChunk:
    """Any PCM WAV (8/16/24/32-bit, any channels) as one mono 16-bit chunk at its own rate."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise UserError(f"{path}: no such audio file.") from None
    except (wave.Error, EOFError, OSError) as error:
        raise UserError(
            f"{path}: not a readable WAV file ({error}). Give a PCM WAV recording, "
            "for example one made with 'arecord -f S16_LE -r 16000 FILE.wav'."
        ) from None
    if rate <= 0 or channels <= 0 or width not in (1, 2, 3, 4):
        raise UserError(f"{path}: unsupported WAV format ({width * 8}-bit, {rate} Hz).")
    values = _pcm_to_float(raw, width).reshape(-1, channels).mean(axis=1)
    return AudioChunk.from_array(values, rate)


def _pcm_to_float(raw: bytes, width: int) -> np.ndarray:
    """PCM bytes as floats on the 16-bit scale, whatever their width."""
    usable = len(raw) - len(raw) % width
    data = np.frombuffer(raw[:usable], dtype=np.uint8)
    if width == 1:  # 8-bit WAV is unsigned
        return (data.astype(np.float64) - 128.0) * 256.0
    if width == 3:
        triples = data.reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return values.astype(np.float64) / 256.0
    kind = "<i2" if width == 2 else "<i4"
    scale = 1.0 if width == 2 else 65536.0
    return np.frombuffer(data.tobytes(), dtype=kind).astype(np.float64) / scale


def wav_bytes(chunk: AudioChunk) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(chunk.rate)
        wav.writeframes(chunk.samples)
    return buffer.getvalue()


def write_wav(path: Path, chunk: AudioChunk) -> None:
    path.write_bytes(wav_bytes(chunk))
