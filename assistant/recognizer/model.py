"""Where the speech model lives, and loading it once per process."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.i18n import _
from assistant.places import model_folders
from assistant.recognizer import engine

log = logging.getLogger(__name__)

MODEL_NAME = "vosk-model-small-nl-0.22"
MODEL_ENV = "HARTSVERBINDING_MODEL"
DOWNLOAD_COMMAND = "hartsverbinding model download"

_cache: dict[Path, Any] = {}
_cache_lock = threading.Lock()


def find_model(explicit: Path | None) -> Path | None:
    """The model to use: `explicit` (--model or the config), else $HARTSVERBINDING_MODEL, else
    the default model where it is downloaded (or in a clone's models/). None when no model is
    there at all (the practice then runs in text mode). A folder the user named that does not
    exist is an error, not a quiet fallback."""
    if explicit is not None:
        return _must_exist(explicit, "--model")
    from_env = os.environ.get(MODEL_ENV)
    if from_env:
        return _must_exist(Path(from_env), MODEL_ENV)
    return next((folder for folder in default_model_dirs() if folder.is_dir()), None)


def default_model_dirs() -> list[Path]:
    """Where the default model is looked for, in order; the first is where it is downloaded."""
    return [folder / MODEL_NAME for folder in model_folders()]


def _must_exist(path: Path, given_by: str) -> Path:
    if not path.is_dir():
        raise UserError(
            _(
                "{path}: no speech model folder there (given by {given_by}). Point it at an "
                "unpacked Vosk model, or run '{command}' and leave it out."
            ).format(path=path, given_by=given_by, command=DOWNLOAD_COMMAND)
        )
    return path


def missing_model_message() -> str:
    return _(
        "No speech model found (looked in {folder} and ${variable}). Run '{command}' to fetch "
        "{model} (40 MB), or choose a model with --model DIR."
    ).format(
        folder=", ".join(str(folder) for folder in default_model_dirs()),
        variable=MODEL_ENV,
        command=DOWNLOAD_COMMAND,
        model=MODEL_NAME,
    )


def load_model(path: Path) -> Any:
    """The Vosk model in `path`, loaded at most once per process (it takes seconds and about
    300 MB), whatever thread asks first."""
    key = path.resolve()
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _load(key)
        return _cache[key]


def _broken(path: Path) -> UserError:
    return UserError(
        _(
            "{path}: not a usable Vosk model folder (it should hold am/, conf/ and graph/). "
            "Download it again with '{command}', or choose another with --model."
        ).format(path=path, command=DOWNLOAD_COMMAND)
    )


def check_model_folder(path: Path) -> None:
    """UserError when `path` is plainly no model folder: checked at once, where loading would
    take seconds to find it out."""
    if not (path / "am").is_dir():
        raise _broken(path)


def _load(path: Path) -> Any:
    vosk = engine.vosk()
    vosk.SetLogLevel(-2)  # errors only: missing words are reported by us, with their phrasings
    check_model_folder(path)
    try:
        model = vosk.Model(str(path))
    except Exception:  # vosk raises a bare Exception("Failed to create a model")
        raise _broken(path) from None
    log.info("speech model loaded from %s", path)
    return model
