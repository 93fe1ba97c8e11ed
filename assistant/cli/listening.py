"""The command-line verbs that belong to listening: `model list`, `model download
[whisper:NAME]`, `devices`, `transcribe`.

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
    check_model_folder,
    default_model_dirs,
    find_model,
    load_model,
    missing_model_message,
)

if TYPE_CHECKING:
    from assistant.config import DeviceSettings, Settings


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


def transcribe_command(path: Path, settings: DeviceSettings, spec: str = "vosk") -> int:
    """Print the text of a recording as the recogniser `spec` hears it (the same values as
    `transcriber:` in the config)."""
    from assistant.audio import read_wav
    from assistant.recognizer.transcribers import TranscriptionFailed, make_transcriber

    if path.is_dir():  # checked before the model takes seconds to load
        raise UserError(
            _("{path} is a folder; give one audio file (a WAV recording) in it.").format(path=path)
        )
    if not path.is_file():
        raise UserError(_("{path}: no such audio file.").format(path=path))
    model_dir = None
    if spec.strip() == "vosk":
        model_dir = find_model(settings.model)
        if model_dir is None:
            raise UserError(missing_model_message())
        check_model_folder(model_dir)
    audio = read_wav(path)  # a file that is not audio is refused before the model loads
    if model_dir is not None:
        load_model(model_dir)  # a broken model is one line, not a failed transcription
    transcriber = make_transcriber(spec, vosk_model=model_dir)
    try:
        transcript = transcriber.transcribe(audio)
    except TranscriptionFailed as error:
        raise UserError(
            _(
                "{recognizer} gave no transcript ({why}). Try again, or choose another "
                "recogniser with --recognizer."
            ).format(recognizer=transcriber.name, why=error)
        ) from None
    print(transcript.text)
    return 0


def model_list_command(settings: Settings) -> int:
    """The Vosk model in use, and the Whisper models `model download whisper:NAME` fetches."""
    from assistant.recognizer.whisper_models import CATALOGUE, LICENCE, is_complete, whisper_home

    vosk = find_model(settings.devices.model)
    if vosk is not None:
        print(_("Vosk (listening): {folder}").format(folder=vosk))
    else:
        print(_("Vosk: no model yet ('hartsverbinding model download')."))
    home = whisper_home()
    print(_("Whisper models that 'hartsverbinding model download whisper:NAME' can fetch:"))
    for model in CATALOGUE:
        marks = [_("downloaded")] if is_complete(model, home / model.name) else []
        if settings.listen.transcriber == f"whisper:{model.name}":
            marks.append(_("chosen"))
        mark = f"  [{', '.join(marks)}]" if marks else ""
        print(f"  whisper:{model.name}  {model.size / 1e6:.0f} MB{mark}")
    print("  " + _("licence: {licence}").format(licence=LICENCE))
    print(
        _("Answers are transcribed by: {spec} ('transcriber' in the config).").format(
            spec=settings.listen.transcriber
        ),
        file=sys.stderr,
    )
    return 0


def whisper_download_command(name: str) -> int:
    from assistant.recognizer.whisper_models import CATALOGUE, download_whisper_model, find

    model = find(name.removeprefix("whisper:"))
    if not name.startswith("whisper:") or model is None:
        raise UserError(
            _("There is no model '{name}' to download (known: {known}).").format(
                name=name, known=", ".join(f"whisper:{m.name}" for m in CATALOGUE)
            )
        )
    download_whisper_model(model)
    return 0
