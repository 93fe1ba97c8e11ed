"""Output to a sound device through sounddevice, with an exact end of playback and a fast stop.

The stream stays open for the whole session: HDMI audio on a Raspberry Pi sleeps when idle and
would clip the first words of every line. The callback only copies queued samples; everything
else (resampling, queueing) happens in the caller's thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

import numpy as np

from assistant.audio import resample
from assistant.speaker.base import Segment, SpeakerError

BLOCK_SECONDS = 0.02  # stop() is heard within one block of this, plus the device's own latency


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as error:  # the Python package is there, the PortAudio library is not
        raise SpeakerError(
            f"Sound output needs the PortAudio library ({error}). On Debian or Raspberry Pi "
            "OS: sudo apt-get install libportaudio2"
        ) from None
    return sounddevice


class DeviceSpeaker:
    def __init__(self, device: int | str | None = None) -> None:
        sd = _sounddevice()
        self._changed = threading.Condition()
        self._queue: deque[np.ndarray] = deque()
        self._offset = 0  # frames of the first queued array already played
        self._queued_frames = 0
        self._ends_at = 0.0  # stream time at which the last written sample leaves the device
        self._error: str | None = None
        self._closing = False
        try:
            info = sd.query_devices(device, "output")
            self.rate = int(info["default_samplerate"])  # its own rate: some refuse others
            self.channels = self._channels(sd, device, self.rate, int(info["max_output_channels"]))
            self._stream = sd.OutputStream(
                device=device,
                samplerate=self.rate,
                channels=self.channels,
                dtype="int16",
                blocksize=max(1, round(self.rate * BLOCK_SECONDS)),
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as error:
            name = "the default sound output" if device is None else f"sound output '{device}'"
            raise SpeakerError(
                f"Cannot play sound on {name}: {error}. Check that a speaker is connected, or "
                "use --speaker FILE.wav to write the sound to a file."
            ) from None
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
        return float(self._stream.latency)

    def play(self, segment: Segment) -> None:
        if self._error is not None:
            raise SpeakerError(f"The sound output stopped: {self._error}")
        audio = resample(segment.audio, self.rate)
        if audio.frames == 0:
            return
        with self._changed:
            self._queue.append(audio.array())
            self._queued_frames += audio.frames

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout)
        with self._changed:
            # First the callback must have written everything...
            while self._queued_frames > 0:
                left = deadline - time.monotonic()
                if left <= 0 or self._error is not None:
                    return False
                self._changed.wait(left)
            ends_at = self._ends_at
        # ...then the device must have played it: PortAudio's stream clock says when.
        while True:
            behind = ends_at - self._stream.time
            if behind <= 0:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._changed:
                if self._ends_at < ends_at:  # stop() was called meanwhile
                    return True
                self._changed.wait(min(behind, left))

    def stop(self) -> None:
        with self._changed:
            self._queue.clear()
            self._offset = 0
            self._queued_frames = 0
            self._ends_at = 0.0
            self._changed.notify_all()

    def close(self) -> None:
        if self._closing:
            return
        self.stop()
        self._closing = True
        self._error = "the speaker was closed"
        self._stream.abort()  # drop what the device still holds; stop() would let it drain
        self._stream.close()

    # --- the audio thread ---------------------------------------------------------------

    def _callback(self, outdata: np.ndarray, frames: int, times: Any, status: Any) -> None:
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
                heard_at = times.outputBufferDacTime or times.currentTime + self._stream.latency
                self._ends_at = heard_at + written / self.rate
                if self._queued_frames == 0:
                    self._changed.notify_all()
        outdata[:] = mono.reshape(-1, 1)

    def _finished(self) -> None:
        # PortAudio ends a stream by itself only when the device fails or vanishes.
        with self._changed:
            if self._error is None and not self._closing:
                self._error = "the device stopped working"
            self._changed.notify_all()
