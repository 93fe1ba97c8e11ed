"""Whisper on this device (faster-whisper on CTranslate2, int8 on the CPU), for kept answers.

The model is loaded on first use, once, and only from a folder on disk: faster-whisper would
fetch a model, or a missing tokenizer, from the Hugging Face hub when given a bare name or an
incomplete folder, so neither is ever passed to it. `faster_whisper` is imported only when a
transcript is asked for; without the whisper extra that is one clear UserError.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio import AudioChunk, resample
from assistant.errors import UserError
from assistant.i18n import _
from assistant.recognizer.transcribers.base import RATE, Transcript, without_stop_phrase

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'hartsverbinding[whisper]'"
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
BEAM_SIZE = 5  # faster-whisper's default: the transcript matters more than the seconds


def is_whisper_folder(folder: Path) -> bool:
    """A CTranslate2 Whisper model: model.bin and config.json (a Vosk model has am/ instead)."""
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


class WhisperTranscriber:
    def __init__(
        self,
        folder: Path,
        name: str | None = None,
        *,
        language: str = "nl",
        threads: int = 0,
        stop_phrases: Sequence[str] = (),
    ) -> None:
        missing = [file for file in REQUIRED_FILES if not (folder / file).is_file()]
        if missing:
            raise UserError(
                _(
                    "{folder}: not a complete Whisper model in CTranslate2 form ({files} "
                    "missing). Download it again, or choose another model."
                ).format(folder=folder, files=", ".join(missing))
            )
        self.folder = folder
        self.language = language
        self.threads = threads  # 0: CTranslate2's own choice
        self.stop_phrases = tuple(stop_phrases)
        self._name = f"whisper:{name or folder.name}"
        self._model: Any = None
        self._lock = threading.Lock()  # one load, and one transcript at a time

    @property
    def name(self) -> str:
        return self._name

    def transcribe(self, audio: AudioChunk) -> Transcript:
        samples = resample(audio, RATE).array().astype(np.float32) / 32768.0
        with self._lock:
            model = self._load()
            started = time.monotonic()
            segments, _info = model.transcribe(
                samples,
                language=self.language,
                beam_size=BEAM_SIZE,
                condition_on_previous_text=False,  # one answer: no runaway repetition
            )
            text = " ".join(segment.text.strip() for segment in segments).strip()
            seconds = time.monotonic() - started
        log.info(
            "whisper: %.1f s of audio, %d characters, in %.2f s", audio.seconds, len(text), seconds
        )
        return Transcript(without_stop_phrase(text, self.stop_phrases), self.name, seconds)

    def _load(self) -> Any:
        if self._model is None:
            whisper = import_faster_whisper()
            started = time.monotonic()
            try:
                self._model = whisper.WhisperModel(
                    str(self.folder),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=self.threads,
                    local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as error:
                raise UserError(
                    _("{folder}: the Whisper model does not load ({error}).").format(
                        folder=self.folder, error=error
                    )
                ) from None
            log.info("whisper model %s loaded in %.2f s", self.folder, time.monotonic() - started)
        return self._model


def import_faster_whisper() -> Any:
    # Hub look-ups off for the whole process before the import: nothing here downloads.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import faster_whisper
    except ImportError:
        raise UserError(
            _(
                "Whisper is not installed. Install it with: {command} (or use a speech server "
                "in the house: tcp://HOST:PORT)."
            ).format(command=INSTALL_HINT)
        ) from None
    return faster_whisper
