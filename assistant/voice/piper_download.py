"""`voice download`: fetch one Piper voice into the voices folder, through the one downloader.

The three files are downloaded into a temporary folder beside the voices, each checked against
its published size and checksum, and the configuration is read back as JSON; only then is the
folder renamed into place. A cut-off or damaged download leaves nothing a session would load.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.download import (
    Progress,
    ProgressBar,
    Say,
    fetch_files,
    put_in_place,
    say_on_stderr,
    staging,
)
from assistant.errors import UserError
from assistant.i18n import _
from assistant.voice.piper_catalogue import CatalogueVoice, model_path

DOWNLOAD_COMMAND = "hartsverbinding voice download"


def download_voice(
    voice: CatalogueVoice,
    folder: Path,
    progress: Progress | None = None,
    *,
    say: Say = say_on_stderr,
    timeout: float = 30.0,
) -> Path:
    """Download `voice` into `folder/<name>/`; returns the model's path. Already there: returns
    it without downloading. Any failure raises UserError and leaves nothing behind."""
    again = f"{DOWNLOAD_COMMAND} {voice.name}"
    target = folder / voice.name
    model = model_path(voice.name, folder)
    if target.exists():
        if all((target / name).is_file() for name, _remote in voice.files()):
            say(
                _("The voice {name} is already there: {folder}").format(
                    name=voice.name, folder=target
                )
            )
            return model
        raise UserError(
            _(
                "{folder} exists but is not a complete voice. Remove it and run '{command}' again."
            ).format(folder=target, command=again)
        )
    bar = progress or ProgressBar()
    with staging(folder, voice.name) as work:
        say(
            _("Downloading the voice {name} ({megabytes} MB) from {url}").format(
                name=voice.name, megabytes=f"{voice.size / 1e6:.0f}", url=voice.model.url
            )
        )
        say(_("Licence: {licence}.").format(licence=voice.licence))
        staged = work / voice.name
        staged.mkdir()
        fetch_files(voice.files(), staged, bar, again=again, timeout=timeout)
        _check_config(staged / f"{voice.name}.onnx.json", again)
        put_in_place(staged, target)
    say(_("Voice ready in {folder}").format(folder=target))
    return model


def _check_config(path: Path, again: str) -> None:
    try:
        rate = json.loads(path.read_text(encoding="utf-8"))["audio"]["sample_rate"]
    except (OSError, ValueError, KeyError, TypeError):
        rate = None
    if not isinstance(rate, int):
        raise UserError(
            _(
                "The voice's configuration is not one Piper can read. Nothing was kept; "
                "run '{command}' again."
            ).format(command=again)
        )
