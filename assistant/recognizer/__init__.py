"""Speech in: the Vosk model, commands in grammar mode, dictated answers, hands-free input.

Importing this package does not import Vosk, nor numpy: each name is imported from its module
when first used (PEP 562), so a typed session, which only needs the settings, starts quicker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.hearing import ListenMode, RecordingEnded, Utterance
from assistant.lazy import lazy_names

if TYPE_CHECKING:
    from assistant.recognizer.answers import AnswerRecorder, SpokenAnswer
    from assistant.recognizer.commands import CommandRecognizer
    from assistant.recognizer.dictation import Dictation, transcribe
    from assistant.recognizer.download import MODEL_SIZE, MODEL_URL, ProgressBar, download_model
    from assistant.recognizer.model import (
        MODEL_ENV,
        check_model_folder,
        default_model_dirs,
        find_model,
        load_model,
        missing_model_message,
    )
    from assistant.recognizer.settings import ListenSettings
    from assistant.recognizer.vocabulary import describe_missing, missing_words
    from assistant.recognizer.voice_input import VoiceInput, open_voice_input

_MODULES = {
    "answers": ("AnswerRecorder", "SpokenAnswer"),
    "commands": ("CommandRecognizer",),
    "dictation": ("Dictation", "transcribe"),
    "download": ("MODEL_SIZE", "MODEL_URL", "ProgressBar", "download_model"),
    "model": (
        "MODEL_ENV",
        "check_model_folder",
        "default_model_dirs",
        "find_model",
        "load_model",
        "missing_model_message",
    ),
    "settings": ("ListenSettings",),
    "vocabulary": ("describe_missing", "missing_words"),
    "voice_input": ("VoiceInput", "open_voice_input"),
}

__all__ = [
    "MODEL_ENV",
    "MODEL_SIZE",
    "MODEL_URL",
    "AnswerRecorder",
    "CommandRecognizer",
    "Dictation",
    "ListenMode",
    "ListenSettings",
    "ProgressBar",
    "RecordingEnded",
    "SpokenAnswer",
    "Utterance",
    "VoiceInput",
    "check_model_folder",
    "default_model_dirs",
    "describe_missing",
    "download_model",
    "find_model",
    "load_model",
    "missing_model_message",
    "missing_words",
    "open_voice_input",
    "transcribe",
]


__getattr__, __dir__ = lazy_names(__name__, _MODULES, globals())
