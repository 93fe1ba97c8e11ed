"""The command-line verbs that belong to listening: `model download`, `devices`, `transcribe`.

Results go to standard output, status and progress to standard error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import places
from assistant.download import reachable
from assistant.errors import UserError
from assistant.i18n import _
from assistant.recognizer.download import MODEL_SIZE, MODEL_URL, ProgressBar, download_model
from assistant.recognizer.model import (
    MODEL_ENV,
    default_model_dirs,
    find_model,
    load_model,
    missing_model_message,
)

if TYPE_CHECKING:
    from assistant.config import DeviceSettings


def download_command(settings: DeviceSettings, *, if_online: bool = False) -> int:
    """Fetch the default model. `if_online` (as scripts/practice asks before a practice): quiet
    when a model is there or chosen, and quiet when the site does not answer within seconds,
    for the practice itself then says, in one line, that it has no model and what fetches it."""
    # Where it is found already (the data folder, or a clone's models/), else the data folder.
    model = next((found for found in default_model_dirs() if found.exists()), None)
    if if_online and (
        settings.model is not None
        or os.environ.get(MODEL_ENV)
        or model is not None
        or not reachable(MODEL_URL)
    ):
        return 0
    folder = model.parent if model is not None else places.models_dir()
    download_model(MODEL_URL, folder, MODEL_SIZE, ProgressBar(sys.stderr))
    if settings.model is not None:
        print(
            _(
                "Note: your settings choose another model ({model}); leave 'model' out "
                "to use the one just downloaded."
            ).format(model=settings.model),
            file=sys.stderr,
        )
    return 0


def devices_command() -> int:
    """Microphones and speakers, each with the config line that chooses it by name."""
    from assistant.device_names import (
        Kind,
        config_line,
        device_line,
        find_device,
        query_devices,
    )

    devices = query_devices()
    kinds: tuple[tuple[Kind, str], ...] = (
        ("input", _("microphones:")),
        ("output", _("speakers:")),
    )
    for kind, title in kinds:
        found = [device for device in devices if device.channels(kind) > 0]
        if not found:
            continue
        print(title)
        for device in found:
            print(device_line(device, kind))
            print(f"       {config_line(device, kind, find_device)}")
    if not any(device.inputs > 0 or device.outputs > 0 for device in devices):
        raise UserError(
            _(
                "No sound devices found. Plug in a microphone and a speaker (then run this "
                "again), or check that the sound server runs: 'hartsverbinding doctor'."
            )
        )
    print(
        _(
            "Copy the lines for your microphone and speaker into {config}. A name stays the "
            "same after a restart; a number may not."
        ).format(config=places.config_home() / "config.yaml"),
        file=sys.stderr,
    )
    return 0


def transcribe_command(path: Path, settings: DeviceSettings) -> int:
    from assistant.recognizer.dictation import transcribe

    if path.is_dir():  # checked before the model takes seconds to load
        raise UserError(
            _("{path} is a folder; give one audio file (a WAV recording) in it.").format(path=path)
        )
    if not path.is_file():
        raise UserError(_("{path}: no such audio file.").format(path=path))
    model_dir = find_model(settings.model)
    if model_dir is None:
        raise UserError(missing_model_message())
    print(transcribe(path, load_model(model_dir)))
    return 0
