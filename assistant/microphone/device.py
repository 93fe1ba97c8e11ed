"""A real input device through PortAudio (sounddevice), at whatever rate the device likes."""

from __future__ import annotations

import contextlib
import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from assistant.audio import AudioChunk, StreamResampler
from assistant.device_names import SoundDevice, device_line, query_devices
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.microphone.base import MicrophoneError
from assistant.portaudio import PORTAUDIO, PortAudio, Recovery, sounddevice_module

log = logging.getLogger(__name__)

BLOCK_MS = 100
# Audio kept for a reader that falls behind (a slow Pi decoding a long answer) before the oldest
# is dropped. Long, because a late answer is better than lost words: the recognizer catches up
# in the silence that ends every answer. 30 s of 48 kHz stereo is under 6 MB.
QUEUE_SECONDS = 30.0
REPORT_EVERY = 10.0  # seconds between two log lines about lost audio
STALL_SECONDS = 10.0  # a running stream that delivers nothing for this long has failed

Callback = Callable[[Any, int, Any, Any], None]


class InputStream(Protocol):
    """The part of `sounddevice.RawInputStream` this module uses (tests swap in a fake)."""

    samplerate: float
    channels: int

    @property
    def active(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


StreamFactory = Callable[[str | int | None, Callback, Callable[[], None]], InputStream]


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_rate: int


def _sounddevice() -> Any:
    return sounddevice_module(MicrophoneError)


def find_input_device(device: str | int | None) -> InputDevice:
    """The device `device` names (an index, part of a name, or None for the default)."""
    sd = _sounddevice()
    try:
        info: dict[str, Any] = sd.query_devices(device, "input")
    except (ValueError, sd.PortAudioError) as error:
        which = (
            _("the default microphone")
            if device is None
            else _("microphone {device}").format(device=repr(device))
        )
        raise MicrophoneError(
            _(
                "Cannot use {which}: {error}. 'hartsverbinding devices' lists the microphones; "
                "choose one with --mic NAME or --mic NUMBER."
            ).format(which=which, error=error)
        ) from None
    return InputDevice(
        index=int(info["index"]),
        name=str(info["name"]),
        channels=int(info["max_input_channels"]),
        default_rate=round(float(info["default_samplerate"])),
    )


def list_devices() -> list[str]:
    """One line per input device: index, name, input channels, default rate (for `devices`)."""
    return [device_line(device, "input") for device in _input_devices()]


def _input_devices() -> list[SoundDevice]:
    try:
        devices = query_devices()
    except UserError as error:
        raise MicrophoneError(error.message) from None
    return [device for device in devices if device.inputs > 0]


def open_device_stream(
    device: str | int | None, callback: Callback, finished: Callable[[], None]
) -> InputStream:
    """A 16-bit stream at the device's own default rate: many USB microphones (notably on a
    Raspberry Pi) refuse 16 kHz, so the rate is converted afterwards, not asked of the device."""
    sd = _sounddevice()
    found = find_input_device(device)
    errors = []
    # Mono first; some devices only open with their native channel count.
    for channels in dict.fromkeys((1, min(2, found.channels))):
        try:
            stream: InputStream = sd.RawInputStream(
                samplerate=found.default_rate,
                blocksize=found.default_rate * BLOCK_MS // 1000,
                device=found.index,
                channels=channels,
                dtype="int16",
                callback=callback,
                finished_callback=finished,
            )
            return stream
        except sd.PortAudioError as error:
            errors.append(
                ngettext("{count} channel: {error}", "{count} channels: {error}", channels).format(
                    count=channels, error=error
                )
            )
    raise MicrophoneError(
        _(
            "Cannot open microphone {name} at {rate} Hz ({errors}). Try another with --mic, "
            "or --mic FILE.wav."
        ).format(name=repr(found.name), rate=found.default_rate, errors="; ".join(errors))
    )


class DeviceMicrophone:
    """Live audio from an input device.

    The PortAudio callback only copies bytes into a bounded queue; everything slow (channel
    mixing, resampling, recognition) happens in the reader's thread, because a callback that
    takes too long makes the device overflow ("Input overflowed" on a Pi).

    A device that fails is reported by `read` (MicrophoneError); the next `start` then
    re-initialises PortAudio first, because a vanished device is not found again otherwise.
    When somebody else re-initialises PortAudio (the speaker retrying its device), the stream
    is reopened at once, without any error.
    """

    realtime = True

    def __init__(
        self,
        device: str | int | None,
        rate: int = 16000,
        *,
        queue_seconds: float = QUEUE_SECONDS,
        stream_factory: StreamFactory | None = None,
        portaudio: PortAudio | None = None,
    ) -> None:
        self.device = device
        self.rate = rate
        if stream_factory is None:
            find_input_device(device)  # a wrong --mic fails now, before the model loads
        self._factory = stream_factory or open_device_stream
        self._portaudio = portaudio or PORTAUDIO
        size = max(1, round(queue_seconds * 1000 / BLOCK_MS))
        self._queue: queue.Queue[bytes] = queue.Queue(size)
        self._stream: InputStream | None = None
        self._format = (rate, 1)  # the open stream's rate and channels
        # One filter state per open stream: made on the first read after each (re)open.
        self._resampler: StreamResampler | None = None
        self._token: object | None = None  # the open stream's mark for its finished callback
        self._finished = False
        self._heard_at = time.monotonic()  # when the callback last delivered audio
        self._wanted = False  # started and not closed: reopened after a PortAudio restart
        self._recovery = Recovery(self._portaudio)
        self._overflow_flags = 0  # written only by the callback thread
        self._dropped = 0  # written only by the callback thread
        self._reported = 0
        self._reported_at = -REPORT_EVERY

    @property
    def ended(self) -> bool:
        return False

    @property
    def overflows(self) -> int:
        """Device overflows plus chunks dropped because the reader fell behind."""
        return self._overflow_flags + self._dropped

    @property
    def device_rate(self) -> int | None:
        """The rate the device actually runs at (before resampling), once started."""
        return None if self._stream is None else self._format[0]

    @property
    def dropped(self) -> int:
        return self._dropped

    def start(self) -> None:
        with self._portaudio.lock:
            if self._stream is not None:
                return
            self._recovery.open(self._open)
            self._wanted = True
            self._portaudio.hold(self)

    def _open(self) -> None:
        """Open and start a stream; called with the PortAudio lock held."""
        while not self._queue.empty():  # audio from before a restart is stale
            self._queue.get_nowait()
        self._resampler = None  # and so is the filter's memory of it
        token = object()
        self._finished = False
        self._heard_at = time.monotonic()
        self._token = token
        try:
            stream = self._factory(self.device, self._callback, lambda: self._on_finished(token))
        except MicrophoneError:
            self._token = None
            raise
        except Exception as error:
            self._token = None
            raise MicrophoneError(
                _("Cannot open microphone {device}: {error}").format(
                    device=repr(self.device), error=error
                )
            ) from None
        try:
            stream.start()
            self._format = (round(stream.samplerate), stream.channels)
        except Exception as error:
            self._token = None
            with contextlib.suppress(Exception):
                stream.close()
            raise MicrophoneError(
                _("Cannot start microphone {device}: {error}").format(
                    device=repr(self.device), error=error
                )
            ) from None
        self._stream = stream

    def _callback(self, indata: Any, frames: int, when: Any, status: Any) -> None:
        self._heard_at = time.monotonic()
        if getattr(status, "input_overflow", False):
            self._overflow_flags += 1
        data = bytes(indata)
        try:
            self._queue.put_nowait(data)
        except queue.Full:
            # Fresh audio matters more than old audio nobody read: drop the oldest.
            with contextlib.suppress(queue.Empty):
                self._queue.get_nowait()
            self._dropped += 1
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(data)

    def _on_finished(self, token: object) -> None:
        # PortAudio ends a stream by itself only when the device fails or vanishes; a stream
        # closed here on purpose (close, a restart) has lost its token first.
        if token is self._token:
            self._finished = True

    def read(self, timeout: float) -> AudioChunk | None:
        self._report_losses()
        if not self._wanted:
            raise MicrophoneError(_("The microphone is not started."))
        try:
            data = self._queue.get(timeout=timeout)
        except queue.Empty:
            if self._stopped():
                raise MicrophoneError(
                    _(
                        "Microphone {device} stopped delivering audio "
                        "(unplugged or taken by another program?)."
                    ).format(device=repr(self.device))
                ) from None
            return None
        chunk = self._to_chunk(data)
        resampler = self._resampler
        if resampler is None or resampler.rate_in != chunk.rate:
            resampler = self._resampler = StreamResampler(chunk.rate, self.rate)
        return resampler(chunk)

    def _stopped(self) -> bool:
        """True when the device has failed; its generation is kept for the next start."""
        with self._portaudio.lock:
            stream = self._stream
            try:
                stopped = stream is None or self._finished or not stream.active
            except Exception:  # a vanished device's stream may not even answer
                stopped = True
            # A device delivers audio all the time, silence too: one that stalled has failed,
            # even if its stream still says it is running.
            stopped = stopped or time.monotonic() - self._heard_at > STALL_SECONDS
            if stopped:
                self._recovery.mark_failed()
            return stopped

    def _to_chunk(self, data: bytes) -> AudioChunk:
        rate, channels = self._format
        if channels == 1:
            return AudioChunk(data, rate)
        usable = len(data) - len(data) % (2 * channels)
        frames = np.frombuffer(data[:usable], dtype="<i2").reshape(-1, channels)
        return AudioChunk.from_array(frames.astype(np.float64).mean(axis=1), rate)

    def _report_losses(self) -> None:
        lost = self.overflows
        # Once per loss episode at most every REPORT_EVERY seconds: a struggling Pi would
        # otherwise fill the log ten times a second.
        now = time.monotonic()
        if lost > self._reported and now - self._reported_at >= REPORT_EVERY:
            log.warning(
                "microphone lost audio %d time(s) so far (%d device overflows, %d chunks "
                "dropped by a slow reader)",
                lost,
                self._overflow_flags,
                self._dropped,
            )
            self._reported = lost
            self._reported_at = now

    def close(self) -> None:
        with self._portaudio.lock:
            self._wanted = False
            self._portaudio.release(self)
            self._close_stream()

    def _close_stream(self) -> None:
        stream, self._stream, self._token = self._stream, None, None
        if stream is None:
            return
        # A vanished device cannot be stopped cleanly; nothing more to do than try.
        for step in (stream.stop, stream.close):
            try:
                step()
            except Exception as error:
                log.warning("closing microphone %r: %s", self.device, error)

    # --- PortAudio restarts (called by PortAudio.restart, with its lock held) ---------------

    def drop_stream(self) -> None:
        self._close_stream()

    def reopen_stream(self) -> None:
        if not self._wanted:
            return
        try:
            self._recovery.open(self._open)  # PortAudio is fresh: no second restart
        except MicrophoneError as error:
            # `read` reports it, and the reader's next `start` restarts and tries again.
            log.warning("microphone not reopened after a PortAudio restart: %s", error.message)
