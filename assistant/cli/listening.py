"""The command-line verbs that belong to listening: `model download`, `devices`, `transcribe`.

Results go to standard output, status and progress to standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import UserError
from assistant.microphone import list_devices
from assistant.recognizer.download import MODEL_SIZE, MODEL_URL, ProgressBar, download_model
from assistant.recognizer.model import MODELS_DIR, find_model, load_model, missing_model_message

if TYPE_CHECKING:
    from assistant.config import Settings


def download_command(settings: Settings) -> int:
    download_model(MODEL_URL, MODELS_DIR, MODEL_SIZE, ProgressBar(sys.stderr))
    if settings.model is not None:
        print(
            f"Note: your settings choose another model ({settings.model}); leave 'model' out "
            "to use the one just downloaded.",
            file=sys.stderr,
        )
    return 0


def devices_command() -> int:
    lines = list_devices()
    if not lines:
        raise UserError(
            "No microphones found. Plug one in (then run this again), or use a recording "
            "with --mic FILE.wav."
        )
    print("index  name  input channels  default rate")
    for line in lines:
        print(line)
    print("Choose one with --mic NUMBER or --mic NAME.", file=sys.stderr)
    return 0


def transcribe_command(path: Path, settings: Settings) -> int:
    from assistant.recognizer.dictation import transcribe

    if path.is_dir():  # checked before the model takes seconds to load
        raise UserError(f"{path} is a folder; give one audio file (a WAV recording) in it.")
    if not path.is_file():
        raise UserError(f"{path}: no such audio file.")
    model_dir = find_model(settings.model)
    if model_dir is None:
        raise UserError(missing_model_message())
    print(transcribe(path, load_model(model_dir)))
    return 0
