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
import soxr

from assistant.errors import UserError
from assistant.i18n import _

SAMPLE_WIDTH = 2  # bytes: 16-bit signed little-endian
RESAMPLE_QUALITY = "HQ"  # soxr's 20-bit quality: cheaper per second than np.interp was


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
    """`chunk` at `rate`, band-limited: soxr's high-quality filter keeps what lies below both
    Nyquist frequencies at full level and takes everything above the lower one down by more
    than 80 dB, so nothing folds back (plain interpolation from 48 to 16 kHz would bring a
    hiss at 10 kHz back at 6 kHz, right in the band speech recognition listens to). The length
    is the input's duration at the new rate, rounded. For a whole piece of audio (a line, a
    file); a stream in blocks needs `StreamResampler`, which keeps the filter's state."""
    if chunk.rate == rate:
        return chunk
    count = round(chunk.frames * rate / chunk.rate)
    if not chunk.samples.strip(b"\0"):  # silence (pauses are long): no filter needed
        return AudioChunk(bytes(SAMPLE_WIDTH * count), rate)
    converted = soxr.resample(chunk.array(), chunk.rate, rate, quality=RESAMPLE_QUALITY)
    return AudioChunk(converted.astype("<i2", copy=False).tobytes(), rate)


class StreamResampler:
    """Resamples a stream that arrives in blocks (a microphone), as if it were one piece.

    Resampling each block on its own would restart the filter at every border: a step or a
    phase jump ten times a second. This keeps one soxr stream instead, so one instance per
    open stream (a new one when the device is opened again, or its rate changes). Not for use
    from two threads at once.

    soxr gives out its output in uneven portions (it filters in blocks of its own). To keep
    every block's output exactly the block's duration at the new rate, the output runs a
    fixed `LAG_SECONDS` behind (silence at the very start), which covers soxr's own delay at
    the usual microphone rates (44.1 and 48 kHz, and 16, 22.05, 24 kHz); at rates where soxr
    holds back more (8 or 96 kHz) a block now and then comes out shorter and the next makes up
    for it. The total never drifts: after any number of blocks, exactly the input's duration
    minus the lag has come out.
    """

    LAG_SECONDS = 0.05

    def __init__(self, rate_in: int, rate_out: int) -> None:
        self.rate_in, self.rate_out = rate_in, rate_out
        self._stream = soxr.ResampleStream(
            rate_in, rate_out, 1, dtype="int16", quality=RESAMPLE_QUALITY
        )
        self.lag = round(self.LAG_SECONDS * rate_out)  # output frames
        # Resampled and not given out yet; it starts as the lag's silence, and soxr's own
        # start-up delay is taken out of that.
        self._waiting = np.zeros(self.lag, dtype=np.int16)
        self._taken = 0  # input frames so far
        self._given = 0  # output frames so far

    def __call__(self, chunk: AudioChunk) -> AudioChunk:
        if chunk.rate != self.rate_in:
            raise ValueError(f"a {chunk.rate} Hz block in a {self.rate_in} Hz stream")
        if self.rate_in == self.rate_out:
            return chunk
        self._taken += chunk.frames
        produced = self._stream.resample_chunk(chunk.array())
        self._waiting = np.concatenate((self._waiting, produced))
        due = self._taken * self.rate_out // self.rate_in - self._given
        out, self._waiting = self._waiting[:due], self._waiting[due:]
        self._given += len(out)
        return AudioChunk(out.astype("<i2", copy=False).tobytes(), self.rate_out)


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
    """Any PCM or float WAV (8 to 32-bit, any channels, plain or extensible header) as one mono
    16-bit chunk at its own rate. A recording cut off early gives the audio that is there."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(_("{path}: no such audio file.").format(path=path)) from None
    except IsADirectoryError:
        raise UserError(
            _("{path} is a folder; give one audio file (a WAV recording).").format(path=path)
        ) from None
    except OSError as error:
        raise UserError(
            _("{path}: cannot be read ({reason}).").format(
                path=path, reason=error.strerror or error
            )
        ) from None
    try:
        return wav_audio(data)
    except ValueError as error:
        raise UserError(
            _(
                "{path}: not a readable WAV file ({error}). Give a PCM WAV recording, "
                "for example one made with 'arecord -f S16_LE -r 16000 FILE.wav'."
            ).format(path=path, error=error)
        ) from None


def wav_audio(data: bytes) -> AudioChunk:
    """The bytes of a WAV file as one mono 16-bit chunk (ValueError when they are not one)."""
    form, samples = _parse_riff(data)
    frame = form.width * form.channels
    usable = samples[: len(samples) - len(samples) % frame]
    values = _to_float(usable, form).reshape(-1, form.channels).mean(axis=1)
    return AudioChunk.from_array(values, form.rate)


@dataclass(frozen=True)
class _Format:
    encoding: int  # 1: integer PCM, 3: IEEE float
    channels: int
    rate: int
    width: int  # bytes per sample


_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


def _parse_riff(data: bytes) -> tuple[_Format, bytes]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(_("no RIFF/WAVE header"))
    form: _Format | None = None
    position = 12
    while position + 8 <= len(data):
        name, size = (
            data[position : position + 4],
            int.from_bytes(data[position + 4 : position + 8], "little"),
        )
        body = data[position + 8 : position + 8 + size]
        if name == b"fmt ":
            form = _parse_format(body)
        elif name == b"data":
            if form is None:
                raise ValueError(_("audio before its format"))
            return form, body  # shorter than `size` when the recording was cut off
        position += 8 + size + size % 2  # chunks are padded to an even length
    raise ValueError(_("no audio in the file") if form else _("no format chunk"))


def _parse_format(body: bytes) -> _Format:
    if len(body) < 16:
        raise ValueError(_("format chunk too short"))
    encoding = int.from_bytes(body[0:2], "little")
    channels = int.from_bytes(body[2:4], "little")
    rate = int.from_bytes(body[4:8], "little")
    bits = int.from_bytes(body[14:16], "little")
    if encoding == _EXTENSIBLE and len(body) >= 26:
        encoding = int.from_bytes(body[24:26], "little")  # the sub-format GUID starts with it
    width = (bits + 7) // 8
    if encoding not in (_PCM, _FLOAT):
        raise ValueError(
            _("encoding {encoding} is not PCM; convert it, e.g. with sox").format(encoding=encoding)
        )
    if channels < 1 or rate < 1 or width not in ((1, 2, 3, 4) if encoding == _PCM else (4, 8)):
        raise ValueError(
            _("unsupported format ({bits}-bit, {channels} channels, {rate} Hz)").format(
                bits=bits, channels=channels, rate=rate
            )
        )
    return _Format(encoding, channels, rate, width)


def _to_float(raw: bytes, form: _Format) -> np.ndarray:
    """Samples as floats on the 16-bit scale, whatever their encoding and width."""
    if form.encoding == _FLOAT:
        kind = "<f4" if form.width == 4 else "<f8"
        return np.frombuffer(raw, dtype=kind).astype(np.float64) * 32767.0
    data = np.frombuffer(raw, dtype=np.uint8)
    if form.width == 1:  # 8-bit WAV is unsigned
        return (data.astype(np.float64) - 128.0) * 256.0
    if form.width == 3:
        triples = data.reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return values.astype(np.float64) / 256.0
    kind = "<i2" if form.width == 2 else "<i4"
    scale = 1.0 if form.width == 2 else 65536.0
    return np.frombuffer(raw, dtype=kind).astype(np.float64) / scale


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
