"""How listening behaves, in seconds of audio (not wall-clock time, so files and tests agree)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListenSettings:
    rate: int = 16000  # what the recognizer is fed; microphones resample to it
    # A whole command phrase that stays the partial result this long is acted on, without
    # waiting for Vosk's own end of utterance (0.5 s of silence and then some).
    command_stable: float = 0.3
    answer_silence: float = 2.5  # an answer ends after this much silence once speech started
    answer_max: float = 120.0  # an answer never runs longer than this
    answer_wait: float = 30.0  # no speech at all this long: the answer ends empty
    stop_silence: float = 0.8  # a stop word ("klaar") counts once followed by this much silence
    holdoff: float = 0.3  # audio ignored after the assistant stops playing (echo, reverb)
    # Energy voice-activity detection. Levels are RMS on the 16-bit scale (32767 = full).
    vad_min_level: float = 200.0  # quieter than this is never speech (about -44 dBFS)
    vad_ratio: float = 2.0  # speech is this many times louder than the background (+6 dB)
    speech_min: float = 0.15  # this much speech within half a second starts an answer
    # The recogniser of the kept text of an answer (see recognizer/transcribers): "vosk" (the
    # one listening), "whisper:NAME", a model's folder, or a speech server "tcp://HOST:PORT".
    transcriber: str = "vosk"
    # With a speech server as `transcriber`: how long the read-back waits for its text after an
    # answer before it takes Vosk's (the server's comes later then); 0: never waits.
    transcriber_wait: float = 1.5
