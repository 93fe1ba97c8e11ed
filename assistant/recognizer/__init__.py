"""Speech in: the Vosk model, commands in grammar mode, dictated answers, hands-free input.

Importing this package does not import Vosk; the modules that need it import it when used.
"""

from assistant.hearing import ListenMode, RecordingEnded, Utterance
from assistant.recognizer.answers import AnswerRecorder, SpokenAnswer
from assistant.recognizer.commands import CommandRecognizer
from assistant.recognizer.dictation import Dictation, transcribe
from assistant.recognizer.download import MODEL_SIZE, MODEL_URL, ProgressBar, download_model
from assistant.recognizer.model import (
    MODEL_ENV,
    default_model_dirs,
    find_model,
    load_model,
    missing_model_message,
)
from assistant.recognizer.settings import ListenSettings
from assistant.recognizer.vocabulary import describe_missing, missing_words
from assistant.recognizer.voice_input import VoiceInput, open_voice_input

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
