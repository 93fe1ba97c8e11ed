"""VoiceInput: one recognition thread between a microphone and the runtime, half-duplex."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.audio import AudioChunk, silence, write_wav
from assistant.microphone import MicrophoneError, WavMicrophone
from assistant.recognizer import (
    ListenMode,
    ListenSettings,
    RecordingEnded,
    Utterance,
    VoiceInput,
    open_voice_input,
)
from tests.fakes import MARK, SETTINGS, Answers, Commands, LiveMicrophone, numbered, wait_for
from tests.helpers import RATE, espeak, ko_model, speech_with_gaps

pytestmark = [pytest.mark.vosk, pytest.mark.voice]


@pytest.fixture
def live() -> Iterator[tuple[VoiceInput, LiveMicrophone, Commands, Answers]]:
    mic, commands, answers = LiveMicrophone(), Commands(), Answers()
    voice = VoiceInput(mic, commands, answers, SETTINGS)
    yield voice, mic, commands, answers
    voice.close()


Live = tuple[VoiceInput, LiveMicrophone, Commands, Answers]


def test_off_discards_what_the_microphone_hears(live: Live) -> None:
    voice, mic, commands, _answers = live
    assert voice.mode == "off"
    mic.say(1, 2, 3, MARK, 5)
    wait_for(lambda: voice.discarded >= 0.49)
    assert commands.fed == []
    assert voice.get(0.1) is None


def test_switching_on_skips_what_was_buffered_and_a_hold_off(live: Live) -> None:
    voice, mic, commands, _answers = live
    mic.say(*range(1, 21))  # 2 s recorded while the assistant spoke, not yet read
    voice.set_mode(ListenMode.COMMAND)
    wait_for(lambda: voice.discarded >= 1.99)  # all of it thrown away, read late or not
    mic.say(*range(100, 110))
    wait_for(lambda: len(commands.fed) == 7)
    assert commands.fed == list(range(103, 110))  # the first 0.3 s after the switch: hold-off
    assert voice.discarded == pytest.approx(2.3)
    assert commands.resets >= 1


def test_a_partial_hold_off_cuts_inside_a_chunk(live: Live) -> None:
    voice, mic, _commands, answers = live
    voice.settings = ListenSettings(holdoff=0.25)
    voice.set_mode(ListenMode.ANSWER)
    time.sleep(0.2)
    mic.say(1, 2, 3, 4)
    wait_for(lambda: sum(c.frames for c in answers.fed) >= 1600 + 800)
    assert [c.frames for c in answers.fed] == [800, 1600]  # 0.25 s = 2.5 chunks skipped


def test_commands_come_out_of_the_thread_and_listening_goes_on(live: Live) -> None:
    voice, mic, _commands, _answers = live
    voice.set_mode(ListenMode.COMMAND)
    time.sleep(0.2)
    mic.say(1, 2, 3, 4, MARK, 6, MARK)
    assert voice.get(5) == Utterance("volgende")
    assert voice.get(5) == Utterance("volgende")
    assert voice.mode == "command"


def test_an_answer_comes_with_its_recording_then_listening_stops(live: Live) -> None:
    voice, mic, _commands, answers = live
    voice.set_mode(ListenMode.ANSWER)
    time.sleep(0.2)
    mic.say(1, 2, 3, 4, 5, MARK)
    heard = voice.get(5)
    assert isinstance(heard, Utterance)
    assert heard.text == "3 chunks" and heard.ended_by == "silence"  # 3 of 6 were hold-off
    assert heard.recording is not None
    assert list(heard.recording.array()[::1600]) == [4, 5, MARK]
    wait_for(lambda: voice.mode == "off")
    mic.say(7, 8, MARK)
    wait_for(lambda: voice.discarded >= 0.3 + 0.29)
    assert answers.fed == [] and voice.get(0.1) is None


def test_a_microphone_failure_is_counted_and_survived(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    voice, mic, _commands, _answers = live
    voice.set_mode(ListenMode.COMMAND)
    mic.failures.append(MicrophoneError("Microphone 'usb' stopped delivering audio."))
    wait_for(lambda: mic.starts == 2)  # closed and opened again
    assert voice.errors == 1 and mic.closes == 1
    assert any("stopped delivering audio" in r.getMessage() for r in caplog.records)
    mic.say(1, 2, 3, MARK)
    assert voice.get(5) == Utterance("volgende")


def test_a_recognizer_failure_is_counted_and_survived(live: Live) -> None:
    voice, mic, commands, _answers = live
    voice.set_mode(ListenMode.COMMAND)
    time.sleep(0.2)
    commands.explode = True
    mic.say(1, 2, 3, 4, MARK)
    assert voice.get(5) == Utterance("volgende")
    assert voice.errors == 1


def test_set_mode_refuses_nonsense(live: Live) -> None:
    with pytest.raises(ValueError):
        live[0].set_mode("loud")  # type: ignore[arg-type]


# --- with the real engine and a recording as the microphone ---


def test_answers_from_a_recording_read_as_fast_as_possible(tmp_path: Path) -> None:
    """Two answers, each ended by silence; nothing of the file is lost while 'off' because
    a recording read faster than real time waits; then the end of the input is reported."""
    first, first_end = speech_with_gaps(count=2, gap=0.8, tail=3.0)
    second, _ = speech_with_gaps(count=1, gap=0.8, tail=1.0)
    path = tmp_path / "answers.wav"
    write_wav(path, first + second)
    mic = WavMicrophone(path, realtime=False)
    voice = open_voice_input(mic, ko_model(), ["네"], SETTINGS, stop_phrases=["klaar"])
    try:
        voice.set_mode(ListenMode.ANSWER)
        one = voice.get(30)
        assert isinstance(one, Utterance) and one.recording is not None, one
        assert one.ended_by == "silence" and one.text
        assert first_end < one.recording.seconds < first.seconds
        time.sleep(0.3)  # the assistant reads the answer back: the file waits meanwhile
        assert voice.mode == "off"
        voice.set_mode(ListenMode.ANSWER)
        two = voice.get(30)
        assert isinstance(two, Utterance) and two.recording is not None, two
        assert two.ended_by == "end_of_input"
        assert one.recording.samples + two.recording.samples == (first + second).samples
        assert voice.get(5) == RecordingEnded()
    finally:
        voice.close()


def test_spoken_commands_in_real_time_and_none_while_off(tmp_path: Path) -> None:
    audio = silence(0.5, RATE) + espeak("안녕하세요", "ko") + silence(2.0, RATE)
    audio = audio + espeak("아니요", "ko") + silence(1.5, RATE)
    path = tmp_path / "commands.wav"
    write_wav(path, audio)
    mic = WavMicrophone(path, realtime=True)
    voice = open_voice_input(mic, ko_model(), ["안녕하세요", "아니요"], SETTINGS)
    try:
        time.sleep(2.5)  # the first phrase is said while the assistant is speaking
        voice.set_mode(ListenMode.COMMAND)
        assert voice.get(10) == Utterance("아니요")
        assert voice.get(10) == RecordingEnded()
        assert voice.discarded >= 2.5
    finally:
        voice.close()


def test_a_recording_waits_after_a_command_until_the_runtime_listens_again(
    tmp_path: Path,
) -> None:
    """Read faster than real time, a recording must not run on past a command while the
    runtime is still acting on it: what follows (the next answer) would be heard as commands.
    With a live microphone listening goes on (see the test above)."""
    values = [1, 2, MARK, 3, 4, 5, 6]
    path = tmp_path / "commands.wav"
    write_wav(path, AudioChunk(b"".join(numbered(v).samples for v in values), RATE))
    commands = Commands()
    voice = VoiceInput(WavMicrophone(path, realtime=False), commands, Answers(), SETTINGS)
    try:
        voice.set_mode(ListenMode.COMMAND)
        assert voice.get(5) == Utterance("volgende")
        time.sleep(0.3)  # the runtime is busy saying something
        assert voice.mode == "off"
        assert commands.fed == [1, 2, MARK]  # nothing after the command was read
        voice.set_mode(ListenMode.COMMAND)
        wait_for(lambda: commands.fed[-1:] == [6])
        assert commands.fed == [1, 2, MARK, 3, 4, 5, 6]
    finally:
        voice.close()
