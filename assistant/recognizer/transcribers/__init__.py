"""Transcribers of a kept answer: Vosk, Whisper on this device, or a speech server in the house,
behind one small interface (base.py), chosen by one config value (`make_transcriber`).

Importing this package imports none of the engines: each is imported when first used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.errors import UserError
from assistant.i18n import _
from assistant.recognizer.transcribers.base import (
    Transcriber,
    Transcript,
    TranscriptionFailed,
    without_stop_phrase,
)

__all__ = [
    "Transcriber",
    "Transcript",
    "TranscriptionFailed",
    "make_transcriber",
    "spec_problem",
    "without_stop_phrase",
]


def make_transcriber(
    spec: str,
    *,
    vosk_model: Path | None = None,
    whisper_home: Path | None = None,
    language: str = "nl",
    stop_phrases: Sequence[str] = (),
) -> Transcriber:
    """The transcriber a config value names:

    - `vosk`: the session's own Vosk model (`vosk_model`); or the folder of a Vosk model;
    - `whisper:NAME`: a Whisper model fetched by name into `whisper_home`; or the folder of a
      Whisper model in CTranslate2 form (model.bin and config.json in it);
    - `tcp://HOST:PORT`: a Wyoming speech-to-text server.

    Nothing is loaded or connected here. UserError, saying what to write, for anything else.
    """
    from assistant.recognizer.transcribers.vosk import VoskTranscriber
    from assistant.recognizer.transcribers.whisper import WhisperTranscriber, is_whisper_folder

    value = spec.strip()
    problem = spec_problem(value)
    if problem is not None:
        raise UserError(problem)
    if value == "vosk":
        if vosk_model is None:
            raise UserError(_("'vosk' is chosen to transcribe, but no Vosk model is set up."))
        return VoskTranscriber(vosk_model, stop_phrases)
    if value.startswith("tcp://"):
        from assistant.recognizer.transcribers.wyoming_stt import WyomingTranscriber
        from assistant.speech_server import ServerAddress

        address = ServerAddress.parse(value)
        return WyomingTranscriber(address, language=language, stop_phrases=stop_phrases)
    if value.startswith("whisper:"):
        from assistant.recognizer.whisper_models import model_folder

        name = value.removeprefix("whisper:")
        folder = model_folder(name, whisper_home)
        return WhisperTranscriber(folder, name, language=language, stop_phrases=stop_phrases)
    folder = Path(value).expanduser()
    if is_whisper_folder(folder):
        return WhisperTranscriber(folder, language=language, stop_phrases=stop_phrases)
    return VoskTranscriber(folder, stop_phrases)


def spec_problem(spec: str) -> str | None:
    """What is wrong with the form of a recogniser's config value, in one line; None when it
    names one (whether its model is downloaded, or its server answers, is found out in use)."""
    from assistant.recognizer.transcribers.whisper import is_whisper_folder
    from assistant.recognizer.whisper_models import CATALOGUE, find

    value = spec.strip()
    if value == "vosk":
        return None
    if value.startswith("tcp://"):
        from assistant.speech_server import ServerAddress

        try:
            ServerAddress.parse(value)
        except UserError as error:
            return error.message
        return None
    if value.startswith("whisper:"):
        name = value.removeprefix("whisper:")
        if find(name) is None:
            return _("There is no Whisper model called '{name}'. Known: {names}.").format(
                name=name, names=", ".join(model.name for model in CATALOGUE)
            )
        return None
    folder = Path(value).expanduser()
    if value and (is_whisper_folder(folder) or (folder / "am").is_dir()):
        return None
    return _(
        "{value}: not a recogniser. Write vosk, whisper:NAME (e.g. whisper:small), the "
        "folder of a Vosk or Whisper model, or tcp://HOST:PORT for a speech server."
    ).format(value=spec)
