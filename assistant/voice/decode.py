"""The engine's audio file as an AudioChunk, with its silent lead-in and tail cut off.

espeak-ng writes WAV, SAPI5 writes WAV, macOS writes AIFF; all 16-bit PCM. The trailing quarter
second espeak-ng adds would lengthen every pause in the content, so edges are trimmed here.
"""

from __future__ import annotations

import io
import math
import struct
import wave

import numpy as np

from assistant.audio import AudioChunk
from assistant.voice.base import VoiceError

EDGE_THRESHOLD = 100  # about -50 dBFS: below this the engine's edges count as silence
EDGE_KEEP_SECONDS = 0.03  # a little room either side, so no consonant is clipped


def decode_speech(data: bytes) -> AudioChunk:
    if data[:4] == b"RIFF":
        return _decode_wav(data)
    if data[:4] == b"FORM" and data[8:12] in (b"AIFF", b"AIFC"):
        return _decode_aiff(data)
    raise VoiceError("the speech engine wrote audio in an unknown format")


def _mono(values: np.ndarray, channels: int, rate: int) -> AudioChunk:
    usable = len(values) - len(values) % channels
    mixed = values[:usable].astype(np.float64).reshape(-1, channels).mean(axis=1)
    return AudioChunk.from_array(mixed, rate)


def _decode_wav(data: bytes) -> AudioChunk:
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise VoiceError(f"the speech engine wrote a broken WAV file ({error})") from None
    if width != 2 or channels < 1 or rate <= 0:
        raise VoiceError(f"the speech engine wrote {width * 8}-bit audio; 16-bit was expected")
    return _mono(np.frombuffer(raw[: len(raw) - len(raw) % 2], dtype="<i2"), channels, rate)


def _decode_aiff(data: bytes) -> AudioChunk:
    chunks: dict[bytes, bytes] = {}
    position = 12
    while position + 8 <= len(data):
        name = data[position : position + 4]
        (size,) = struct.unpack(">I", data[position + 4 : position + 8])
        chunks[name] = data[position + 8 : position + 8 + size]
        position += 8 + size + size % 2  # chunks are padded to even length
    comm, ssnd = chunks.get(b"COMM"), chunks.get(b"SSND")
    if comm is None or ssnd is None or len(comm) < 18 or len(ssnd) < 8:
        raise VoiceError("the speech engine wrote a broken AIFF file")
    channels, _frames, width = struct.unpack(">hIh", comm[:8])
    rate = _extended(comm[8:18])
    compression = comm[18:22] if data[8:12] == b"AIFC" else b"NONE"
    if width != 16 or compression not in (b"NONE", b"sowt", b"twos") or channels < 1:
        raise VoiceError("the speech engine wrote AIFF audio that is not 16-bit PCM")
    offset = struct.unpack(">I", ssnd[:4])[0]
    raw = ssnd[8 + offset :]
    dtype = "<i2" if compression == b"sowt" else ">i2"
    return _mono(np.frombuffer(raw[: len(raw) - len(raw) % 2], dtype=dtype), channels, round(rate))


def _extended(raw: bytes) -> float:
    """An 80-bit IEEE extended float, as AIFF stores its sample rate."""
    exponent, mantissa = struct.unpack(">HQ", raw)
    sign = -1.0 if exponent & 0x8000 else 1.0
    exponent &= 0x7FFF
    if exponent == 0 and mantissa == 0:
        return 0.0
    return sign * math.ldexp(mantissa, exponent - 16383 - 63)


def trim_edges(chunk: AudioChunk) -> AudioChunk:
    values = chunk.array()
    loud = np.nonzero(np.abs(values.astype(np.int32)) > EDGE_THRESHOLD)[0]
    if len(loud) == 0:
        return AudioChunk(b"", chunk.rate)
    keep = round(EDGE_KEEP_SECONDS * chunk.rate)
    start = max(0, int(loud[0]) - keep)
    end = min(len(values), int(loud[-1]) + 1 + keep)
    return AudioChunk(values[start:end].tobytes(), chunk.rate)
