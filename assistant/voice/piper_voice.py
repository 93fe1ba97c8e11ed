"""A Piper voice (neural, offline), rendered in ONE long-lived worker process per session.

Piper does not hang the way pyttsx3 does, and loading its model takes about half a second, so
the worker stays for every line instead of one process per line. It is still a separate
process with a deadline per line: a worker that hangs or dies is killed and replaced, that line
raises VoiceError (and is shown as text), and the next line loads the model again.

The speaking rate of each style (words per minute, as for the system voice) becomes Piper's
length scale relative to NOMINAL_RATE, the rate a Piper voice is taken to speak at its own
length scale. Thread-safe: WorkerProcess serialises the calls.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.audio import AudioChunk
from assistant.dialog.messages import Style
from assistant.i18n import _
from assistant.voice.base import VoiceError
from assistant.voice.decode import decode_speech, trim_edges
from assistant.voice.process import WorkerProcess
from assistant.voice.settings import VoiceSettings
from assistant.voice.worker import Failed, LoadPiper, Ready, Rendered, RenderPiper

PIPER_TARGET = "assistant.voice.piper_worker:serve"
# Measured with the English voice en_US-joe-medium: at its own length scale it speaks as fast as
# espeak-ng at about 190 words per minute. Audiobook readers (the MLS voices) read slower, so
# the nominal rate sits between; the rates in the config stay the person's to choose.
NOMINAL_RATE = 175
SENTENCE_SILENCE = 0.35  # seconds between the sentences of one line
_FINGERPRINT_BYTES = 1 << 20  # hashed from each end of the model: cheap, and content-based


@dataclass(frozen=True)
class VoiceFile:
    """A Piper model and what its configuration says, read without loading the model."""

    model: Path
    rate: int  # samples per second
    length_scale: float  # the voice's own
    fingerprint: str  # changes when the model or its configuration changes

    @staticmethod
    def read(model: Path) -> VoiceFile:
        """VoiceError (saying what is wrong) when the model or its configuration is unusable."""
        config_path = model.with_name(f"{model.name}.json")
        if not model.is_file():
            raise VoiceError(_("{path}: no such voice file").format(path=model))
        try:
            config_bytes = config_path.read_bytes()
            config = json.loads(config_bytes)
            rate = config["audio"]["sample_rate"]
            length_scale = config.get("inference", {}).get("length_scale", 1.0)
        except OSError as error:
            raise VoiceError(
                _("{path}: cannot read the voice's configuration ({error})").format(
                    path=config_path, error=error
                )
            ) from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise VoiceError(
                _("{path}: not a Piper voice configuration").format(path=config_path)
            ) from None
        if not isinstance(rate, int) or not isinstance(length_scale, int | float):
            raise VoiceError(_("{path}: not a Piper voice configuration").format(path=config_path))
        digest = hashlib.sha256(config_bytes)
        try:
            size = model.stat().st_size
            with model.open("rb") as handle:
                digest.update(handle.read(_FINGERPRINT_BYTES))
                handle.seek(max(0, size - _FINGERPRINT_BYTES))
                digest.update(handle.read(_FINGERPRINT_BYTES))
        except OSError as error:
            raise VoiceError(
                _("{path}: cannot read the voice ({error})").format(path=model, error=error)
            ) from None
        fingerprint = f"{size}-{digest.hexdigest()[:16]}"
        return VoiceFile(model, rate, float(length_scale), fingerprint)


class PiperVoice:
    """Renders lines with a Piper voice. `worker` ('module:function') is what the worker runs;
    tests swap in a faulty one."""

    def __init__(
        self, model: Path, settings: VoiceSettings | None = None, worker: str = PIPER_TARGET
    ) -> None:
        self.settings = settings or VoiceSettings()
        self.file = VoiceFile.read(model)
        self._worker = WorkerProcess(worker)
        self.renders = 0  # lines sent to the worker (a cache hit sends none)

    @property
    def worker_starts(self) -> int:
        return self._worker.starts

    def load(self) -> None:
        """Load the model in the worker now. VoiceError if Piper or the voice cannot work."""
        reply = self._worker.call(LoadPiper(str(self.file.model)), self.settings.timeout)
        if isinstance(reply, Failed):
            raise VoiceError(reply.message)
        if not isinstance(reply, Ready):
            raise VoiceError("the Piper worker answered out of turn")

    def length_scale(self, style: Style) -> float:
        return self.file.length_scale * NOMINAL_RATE / self.settings.for_style(style).rate

    def deadline(self, text: str, style: Style) -> float:
        """The synthesis timeout, plus as long as the line takes to say: a long paragraph on a
        slow Pi is not a hang, and a voice slower than real time would be of no use anyway."""
        words = len(text.split())
        return self.settings.timeout + words * 60 / self.settings.for_style(style).rate

    def identity(self, style: Style) -> str:
        # No volume: lines are rendered at full level; the volume is applied when played.
        return (
            f"piper|{self.file.model.name}|{self.file.fingerprint}"
            f"|length={self.length_scale(style):.4f}|silence={SENTENCE_SILENCE:g}"
        )

    def retune(self, rate_factor: float) -> None:
        self.settings = replace(self.settings, rate_factor=rate_factor)

    def render(self, text: str, style: Style) -> AudioChunk:
        if not text.strip():
            return AudioChunk(b"", self.file.rate)
        request = RenderPiper(
            model=str(self.file.model),
            text=text,
            length_scale=self.length_scale(style),
            volume=1.0,  # full level: the cache normalises; the volume comes when played
            sentence_silence=SENTENCE_SILENCE,
        )
        self.renders += 1
        reply = self._worker.call(request, self.deadline(text, style))
        if isinstance(reply, Failed):
            raise VoiceError(f"Piper failed on a line: {reply.message}")
        if not isinstance(reply, Rendered):
            raise VoiceError("the Piper worker answered out of turn")
        return trim_edges(decode_speech(reply.data))

    def close(self) -> None:
        self._worker.close()
