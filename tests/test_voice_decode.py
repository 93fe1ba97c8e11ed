"""Decoding what the engines write (WAV everywhere, AIFF on macOS) and trimming silent edges."""

from __future__ import annotations

import io
import struct
import wave

import numpy as np
import pytest

from assistant.audio import AudioChunk
from assistant.voice.base import VoiceError
from assistant.voice.decode import decode_speech, trim_edges

pytestmark = pytest.mark.pure

RAMP = np.arange(-3000, 3000, 7, dtype=np.int16)


def _wav(values: np.ndarray, rate: int, channels: int, width: int = 2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(values.tobytes())
    return buffer.getvalue()


def _extended(value: float) -> bytes:
    exponent = int(np.floor(np.log2(value)))
    mantissa = int(value * 2 ** (63 - exponent))
    return struct.pack(">HQ", exponent + 16383, mantissa)


def _aiff(values: np.ndarray, rate: int, kind: bytes = b"AIFF", compression: bytes = b"") -> bytes:
    frames = len(values)
    comm = struct.pack(">hIh", 1, frames, 16) + _extended(rate) + compression
    dtype = "<i2" if compression == b"sowt" else ">i2"
    ssnd = struct.pack(">II", 0, 0) + values.astype(dtype).tobytes()
    body = kind + b"COMM" + struct.pack(">I", len(comm)) + comm
    body += b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    return b"FORM" + struct.pack(">I", len(body)) + body


def test_mono_wav_is_read_as_it_is() -> None:
    chunk = decode_speech(_wav(RAMP, 22050, 1))
    assert chunk.rate == 22050
    assert np.array_equal(chunk.array(), RAMP)


def test_stereo_wav_is_mixed_to_mono() -> None:
    stereo = np.stack([RAMP, RAMP // 3], axis=1).reshape(-1)
    chunk = decode_speech(_wav(stereo, 16000, 2))
    assert chunk.frames == len(RAMP)
    assert abs(int(chunk.array()[10]) - round((int(RAMP[10]) + int(RAMP[10]) // 3) / 2)) <= 1


@pytest.mark.parametrize(
    ("kind", "compression"), [(b"AIFF", b""), (b"AIFC", b"NONE"), (b"AIFC", b"sowt")]
)
def test_macos_aiff_is_read(kind: bytes, compression: bytes) -> None:
    chunk = decode_speech(_aiff(RAMP, 22050, kind, compression))
    assert chunk.rate == 22050
    assert np.array_equal(chunk.array(), RAMP)


def test_unknown_or_unsupported_audio_is_a_voice_error() -> None:
    with pytest.raises(VoiceError):
        decode_speech(b"OggS" + bytes(100))
    with pytest.raises(VoiceError, match="16-bit"):
        decode_speech(_wav(np.zeros(100, dtype=np.uint8), 22050, 1, width=1))


def test_trim_keeps_30_ms_around_the_sound() -> None:
    rate = 10000
    values = np.zeros(rate, dtype=np.int16)
    values[4000:5000] = 5000
    values[6000:6100] = 50  # below the threshold: counts as silence
    trimmed = trim_edges(AudioChunk(values.tobytes(), rate))
    assert trimmed.frames == 1000 + 2 * 300
    assert trim_edges(AudioChunk(bytes(2000), rate)).frames == 0
