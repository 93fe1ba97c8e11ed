"""Output to a WAV file plus a timeline of its segments, as fast as the audio can be written.

Both hold the person's words (the read-back of an answer is spoken, and its text is in the
timeline), so both are private (0600), like the journal, whatever the umask.
"""

from __future__ import annotations

import json
import os
import stat
import wave
from pathlib import Path
from typing import Any

from assistant.audio import SAMPLE_WIDTH, resample
from assistant.durable import FILE_MODE, write_durably
from assistant.i18n import _
from assistant.speaker.base import Segment, SpeakerError

FILE_RATE = 22050  # the voice's own rate: speech goes in unchanged


class FileSpeaker:
    """Everything that would be heard, in one WAV; segments are 'played' the moment they come,
    so wait() is always True and stop() has nothing left to cut."""

    def __init__(self, wav_path: Path, timeline_path: Path | None = None, rate: int = FILE_RATE):
        self.wav_path = wav_path
        self.timeline_path = timeline_path
        self.rate = rate
        self._frames = 0
        self._timeline: list[dict[str, Any]] = []
        if timeline_path is not None and not timeline_path.parent.is_dir():
            # Found now, not after a whole exercise was rendered for nothing.
            raise SpeakerError(_("{path}: its folder does not exist.").format(path=timeline_path))
        try:
            # Open for the whole session: segments are appended as they come. Opened here, not
            # by wave.open(path), which leaves a half-made writer behind when the open fails.
            descriptor = os.open(wav_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            if os.name == "posix" and stat.S_ISREG(os.fstat(descriptor).st_mode):
                os.fchmod(descriptor, FILE_MODE)  # one made before, by anyone's umask
            self._file = os.fdopen(descriptor, "wb")
        except OSError as error:
            raise SpeakerError(
                _("{path}: cannot write the audio file ({error}).").format(
                    path=wav_path, error=error
                )
            ) from None
        self._wav: wave.Wave_write | None = wave.open(self._file, "wb")  # noqa: SIM115
        self._wav.setnchannels(1)
        self._wav.setsampwidth(SAMPLE_WIDTH)
        self._wav.setframerate(rate)

    @property
    def seconds(self) -> float:
        return self._frames / self.rate

    def play(self, segment: Segment) -> None:
        if self._wav is None:
            raise SpeakerError(
                _("{path}: the audio file is already closed.").format(path=self.wav_path)
            )
        audio = resample(segment.audio, self.rate)
        start = self._frames
        self._wav.writeframes(audio.samples)  # the header is patched at close()
        self._frames += audio.frames
        entry: dict[str, Any] = {
            "kind": segment.kind,
            "start": round(start / self.rate, 6),
            "end": round(self._frames / self.rate, 6),
        }
        if segment.kind == "speech":
            entry["text"] = segment.text
        self._timeline.append(entry)

    def wait(self, timeout: float) -> bool:
        return True

    def stop(self) -> None:
        pass  # everything played is already written; nothing is waiting to be cut

    def close(self) -> None:
        if self._wav is None:
            return
        self._wav.close()  # patches the header with the final length
        self._file.close()
        self._wav = None
        if self.timeline_path is not None:
            text = json.dumps(self._timeline, indent=1, ensure_ascii=False) + "\n"
            try:
                write_durably(self.timeline_path, text.encode("utf-8"))
            except OSError as error:
                raise SpeakerError(
                    _("{path}: cannot write the timeline ({error}).").format(
                        path=self.timeline_path, error=error
                    )
                ) from None
