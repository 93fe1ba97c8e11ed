"""The recording walk with a live microphone: what the microphone hears while the tool plays
(its own voice, the tones, the play-back, as a room would bring them back) never gets into a
take. A fake live microphone, because a room's echo cannot be made on the build machine."""

from __future__ import annotations

import collections
import io
import queue
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav
from assistant.content.recordings import RecordingFolder
from assistant.dialog.lines import RecordableLine
from assistant.dialog.messages import CueKind, Style
from assistant.speaker.base import Segment
from assistant.studio.choices import Choice, ChoiceListener, TypedLines
from assistant.studio.walk import Booth, Walk
from assistant.voice.cues import cue_audio
from tests.fakes import LiveMicrophone

pytestmark = pytest.mark.files

RATE = 22050
ECHO = (4000, 500)  # what comes back from the speaker: loud and soft in turn, like speech
VOICE = 3000  # every sample of the coach's reading
RISING = cue_audio(CueKind.LISTEN_START, 22050)


def _chunks(value: int, seconds: float) -> list[AudioChunk]:
    return [
        AudioChunk(np.full(RATE // 10, value, dtype="<i2").tobytes(), RATE)
        for _ in range(round(seconds * 10))
    ]


class RoomMicrophone(LiveMicrophone):
    """A live microphone in a room. `chunks`: heard while the tool played, waiting in the
    buffer. After them, in real time (a chunk every 100 ms, as from a device): what is
    `spoken` from now on, else the room's quiet."""

    rate = RATE

    def __init__(self) -> None:
        super().__init__()
        self.spoken: collections.deque[AudioChunk] = collections.deque()
        self._due = time.monotonic()

    def read(self, timeout: float) -> AudioChunk | None:
        try:
            return self.chunks.get_nowait()
        except queue.Empty:
            pass
        wait = self._due - time.monotonic()
        if wait > timeout:
            time.sleep(max(0.0, timeout))
            return None
        time.sleep(max(0.0, wait))
        self._due = max(self._due, time.monotonic() - 0.1) + 0.1
        return self.spoken.popleft() if self.spoken else _chunks(0, 0.1)[0]


class RoomSpeaker:
    """Plays into the room: all of it comes back into the microphone. After the rising tone
    the coach waits half a second, reads for a second, and falls quiet."""

    def __init__(self, microphone: RoomMicrophone) -> None:
        self.microphone = microphone
        self.played: list[Segment] = []
        self.reading = [*_chunks(0, 0.5), *_chunks(VOICE, 1.0), *_chunks(0, 3.0)]

    def play(self, segment: Segment) -> None:
        self.played.append(segment)
        for number in range(max(1, round(segment.audio.seconds * 10))):
            self.microphone.chunks.put(_chunks(ECHO[number % 2], 0.1)[0])

    def wait(self, timeout: float) -> bool:
        if self.played[-1].audio == RISING:
            self.microphone.spoken = collections.deque(self.reading)
        return True

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_take_from_a_live_microphone_holds_no_sound_of_the_tool(tmp_path: Path) -> None:
    microphone = RoomMicrophone()
    speaker = RoomSpeaker(microphone)
    told: list[str] = []
    phrases = {"ja": Choice.KEEP, "opnieuw": Choice.AGAIN}
    booth = Booth(
        microphone=microphone,
        speaker=speaker,
        voice=None,  # the line is shown only
        volume=1.0,
        listener=ChoiceListener(
            phrases, microphone, None, TypedLines(io.StringIO("opnieuw\nja\n")), told.append
        ),
        out=io.StringIO(),
        tell=told.append,
        question="ja of opnieuw?",
    )
    folder = RecordingFolder(tmp_path)
    line = RecordableLine("oefening.steps.1", "Adem in.", Style.GUIDE)
    outcome = Walk([line], folder, booth).run()
    assert outcome.kept == 1 and outcome.next_key is None and not outcome.stopped
    take = folder.index()["oefening.steps.1"]
    assert take.text == "Adem in."
    values = np.unique(read_wav(folder.wav(line.key)).array())
    assert set(values) == {0, VOICE}  # the reading and a margin of its quiet: no echo
    kinds = [segment.kind for segment in speaker.played]
    # Twice: rising tone, take, falling tone, play-back.
    assert kinds == ["cue", "cue", "speech", "cue", "cue", "speech"]
    assert any("ja of opnieuw?" in said for said in told)
