"""Output to a sound device through sounddevice, with an exact end of playback and a fast stop.

The stream stays open for the whole session: HDMI audio on a Raspberry Pi sleeps when idle and
would clip the first words of every line. The callback only copies queued samples; everything
else (resampling, queueing) happens in the caller's thread.

A device that fails (unplugged, its sound server gone) ends the stream by itself: `failure`
says so, `play` refuses, and `reopen` re-initialises PortAudio and opens the device again.
When somebody else re-initialises PortAudio (the microphone retrying its device), the stream is
reopened at once and what was still queued plays on.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from typing import Any

import numpy as np

from assistant.audio import resample
from assistant.i18n import _
from assistant.portaudio import PORTAUDIO, PortAudio, Recovery, sounddevice_module
from assistant.speaker.base import Segment, SpeakerError

BLOCK_SECONDS = 0.02  # stop() is heard within one block of this, plus the device's own latency
STALL_SECONDS = 10.0  # a running stream whose callback is not called for this long has failed


def _sounddevice() -> Any:
    return sounddevice_module(SpeakerError)


class DeviceSpeaker:
    def __init__(self, device: int | str | None = None, *, portaudio: PortAudio | None = None):
        _sounddevice()
        self.device = device
        self._portaudio = portaudio or PORTAUDIO
        self._changed = threading.Condition()
        self._queue: deque[np.ndarray] = deque()
        self._offset = 0  # frames of the first queued array already played
        self._queued_frames = 0
        self._ends_at = 0.0  # stream time at which the last written sample leaves the device
        self._error: str | None = None
        self._closing = False
        self._stream: Any = None
        self._token: object | None = None  # the open stream's mark for its finished callback
        self._recovery = Recovery(self._portaudio)
        self._latency = 0.0
        self._called_at = time.monotonic()  # when the callback last ran
        self.rate = 0
        self.channels = 1
        self.device_name = ""
        with self._portaudio.lock:
            self._open()
            self._portaudio.hold(self)

    def _open(self) -> None:
        """Open and start the stream; called with the PortAudio lock held."""
        sd = _sounddevice()
        device = self.device
        token = object()
        stream: Any = None
        self._token = token
        try:
            info = sd.query_devices(device, "output")
            rate = int(info["default_samplerate"])  # its own rate: some refuse others
            channels = self._channels(sd, device, rate, int(info["max_output_channels"]))
            stream = sd.OutputStream(
                device=device,
                samplerate=rate,
                channels=channels,
                dtype="int16",
                blocksize=max(1, round(rate * BLOCK_SECONDS)),
                callback=self._callback,
                finished_callback=lambda: self._finished(token),
            )
            with self._changed:
                if rate != self.rate:  # what is queued was resampled for the old device
                    self._clear()
                self.rate, self.channels = rate, channels
                self._ends_at = 0.0  # the old stream's clock means nothing to the new one
            self._latency = float(stream.latency)
            self._called_at = time.monotonic()
            stream.start()
        except (sd.PortAudioError, ValueError) as error:
            self._token = None
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
            name = (
                _("the default sound output")
                if device is None
                else _("sound output '{device}'").format(device=device)
            )
            raise SpeakerError(
                _(
                    "Cannot play sound on {name}: {error}. Check that a speaker is connected, or "
                    "use --speaker FILE.wav to write the sound to a file."
                ).format(name=name, error=error)
            ) from None
        self._stream = stream
        self.device_name = str(info["name"])

    @staticmethod
    def _channels(sd: Any, device: int | str | None, rate: int, most: int) -> int:
        # Mono if the device takes it; HDMI and some USB devices only take stereo.
        try:
            sd.check_output_settings(device=device, channels=1, dtype="int16", samplerate=rate)
            return 1
        except (sd.PortAudioError, ValueError):
            return max(1, min(2, most))

    @property
    def latency(self) -> float:
        """Seconds between the callback writing a sample and the device playing it."""
        return self._latency

    @property
    def failure(self) -> str | None:
        """Why the device stopped working, or None while it works (or once it is closed)."""
        return None if self._closing else self._error

    def play(self, segment: Segment) -> None:
        if self._error is not None:
            raise SpeakerError(_("The sound output stopped: {error}").format(error=self._error))
        audio = resample(segment.audio, self.rate)
        if audio.frames == 0:
            return
        with self._changed:
            self._queue.append(audio.array())
            self._queued_frames += audio.frames

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout)
        # First the callback must have written everything...
        while True:
            with self._changed:
                if self._queued_frames == 0:
                    ends_at = self._ends_at
                    break
                left = deadline - time.monotonic()
                if left <= 0 or self._error is not None:
                    return False
                self._changed.wait(min(left, 1.0))
            self._check_alive()  # outside `_changed`: it takes the PortAudio lock
        # ...then the device must have played it: PortAudio's stream clock says when.
        while True:
            now = self._stream_time()
            if now is None:
                return False
            behind = ends_at - now
            if behind <= 0:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._changed:
                if self._ends_at < ends_at:  # stop() was called meanwhile, or a restart
                    return True
                self._changed.wait(min(behind, left))

    def _check_alive(self) -> None:
        """A stream that a restart could not reopen, or one that stopped calling back without
        ending (a stalled device), has failed: `wait` must not wait for it for ever."""
        with self._portaudio.lock:
            if self._closing or self._error is not None:
                return
            if self._stream is None:
                self._fail("the device could not be opened again")
            elif time.monotonic() - self._called_at > STALL_SECONDS:
                self._fail("the device stopped taking sound")

    def _stream_time(self) -> float | None:
        with self._portaudio.lock:
            if self._error is not None:
                return None
            if self._stream is None:  # a restart could not reopen it
                self._fail("the device could not be opened again")
                return None
            try:
                return float(self._stream.time)
            except Exception as error:  # a stream that cannot tell the time is not working
                self._fail(f"the device stopped answering ({error})")
                return None

    def stop(self) -> None:
        with self._changed:
            self._clear()
            self._ends_at = 0.0
            self._changed.notify_all()

    def _clear(self) -> None:
        self._queue.clear()
        self._offset = 0
        self._queued_frames = 0

    def reopen(self) -> None:
        """Open the device again after it failed, with PortAudio re-initialised first (a
        device that vanished is not found otherwise). Raises SpeakerError while it cannot be
        used. What was queued before the failure is dropped."""
        with self._portaudio.lock:
            if self._closing:
                raise SpeakerError(_("The sound output was closed."))
            if self._error is None:
                return

            def open_afresh() -> None:
                self._close_stream()
                self.stop()
                self._open()

            self._recovery.open(open_afresh)
            self._error = None

    def close(self) -> None:
        if self._closing:
            return
        self.stop()
        with self._portaudio.lock:
            self._closing = True
            self._error = "the speaker was closed"
            self._portaudio.release(self)
            self._close_stream()
        with self._changed:
            self._changed.notify_all()

    def _close_stream(self) -> None:
        stream, self._stream, self._token = self._stream, None, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.abort()  # drop what the device still holds; stop() would let it drain
            with contextlib.suppress(Exception):
                stream.close()

    def _fail(self, why: str) -> None:
        with self._changed:
            if self._error is None and not self._closing:
                self._error = why
                self._recovery.mark_failed()
            self._changed.notify_all()

    # --- PortAudio restarts (called by PortAudio.restart, with its lock held) ---------------

    def drop_stream(self) -> None:
        self._close_stream()

    def reopen_stream(self) -> None:
        if self._closing or self._error is not None:
            return  # a failed device waits for `reopen`
        try:
            self._open()
        except SpeakerError as error:
            self._fail(error.message)

    # --- the audio thread ---------------------------------------------------------------

    def _callback(self, outdata: np.ndarray, frames: int, times: Any, status: Any) -> None:
        self._called_at = time.monotonic()
        mono = np.zeros(frames, dtype=np.int16)
        written = 0
        with self._changed:
            while written < frames and self._queue:
                head = self._queue[0]
                take = min(frames - written, len(head) - self._offset)
                mono[written : written + take] = head[self._offset : self._offset + take]
                written += take
                self._offset += take
                if self._offset == len(head):
                    self._queue.popleft()
                    self._offset = 0
            if written:
                self._queued_frames -= written
                # outputBufferDacTime is when this block's first sample is heard; some host
                # APIs leave it 0, and then the stream's reported latency is the best guess.
                heard_at = times.outputBufferDacTime or times.currentTime + self._latency
                self._ends_at = heard_at + written / self.rate
                if self._queued_frames == 0:
                    self._changed.notify_all()
        outdata[:] = mono.reshape(-1, 1)

    def _finished(self, token: object) -> None:
        # PortAudio ends a stream by itself only when the device fails or vanishes (or the
        # callback raised); a stream closed here on purpose has lost its token first.
        if token is self._token:
            self._fail("the device stopped working")
