"""Fetch the speech model: the zipped Vosk model, through the one downloader (assistant.download).

The zip is downloaded into a temporary folder beside the destination and checked (size, then
every member's checksum), unpacked there and renamed into place in one step, so an interrupted
or damaged download never leaves half a model where `find_model` would pick it up.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from assistant.download import (
    PARTIAL_PREFIX,
    Progress,
    ProgressBar,
    Remote,
    Say,
    fetch,
    put_in_place,
    say_on_stderr,
    staging,
)
from assistant.errors import UserError
from assistant.i18n import _
from assistant.recognizer.model import DOWNLOAD_COMMAND

MODEL_URL = "https://alphacephei.com/vosk/models/vosk-model-small-nl-0.22.zip"
MODEL_SIZE = 40_441_176  # bytes, as listed on the Vosk model page

__all__ = ["MODEL_SIZE", "MODEL_URL", "PARTIAL_PREFIX", "ProgressBar", "download_model"]


def download_model(
    url: str,
    dest_dir: Path,
    expected_size: int | None,
    progress: Progress | None = None,
    *,
    say: Say = say_on_stderr,
    timeout: float = 30.0,
) -> Path:
    """Download the zipped model at `url` and unpack it as `dest_dir/<name of the zip>`.

    Returns the model folder. Already there: returns it without downloading. Any failure
    raises UserError saying what to do, and leaves nothing behind but what was there before.
    """
    name = _model_name(url)
    target = dest_dir / name
    if target.exists():
        if (target / "am").is_dir():
            say(_("The speech model is already there: {folder}").format(folder=target))
            return target
        raise UserError(
            _(
                "{folder} exists but is not a complete speech model. Remove it and run "
                "'{command}' again."
            ).format(folder=target, command=DOWNLOAD_COMMAND)
        )
    with staging(dest_dir, name) as work:
        if expected_size:
            say(
                _("Downloading {name} ({megabytes} MB) from {url}").format(
                    name=name, megabytes=f"{expected_size / 1e6:.0f}", url=url
                )
            )
        else:
            say(_("Downloading {name} from {url}").format(name=name, url=url))
        archive = work / f"{name}.zip"
        remote = Remote(url, expected_size)
        fetch(remote, archive, progress or ProgressBar(), again=DOWNLOAD_COMMAND, timeout=timeout)
        put_in_place(_unpack(archive, work / "unpacked"), target)
    say(_("Speech model ready in {folder}").format(folder=target))
    return target


def _model_name(url: str) -> str:
    file_name = PurePosixPath(urlparse(url).path).name
    name = file_name.removesuffix(".zip")
    if not name or name == file_name:
        raise UserError(
            _("{url}: not the address of a zipped model (it should end in .zip).").format(url=url)
        )
    return name


def _unpack(archive: Path, into: Path) -> Path:
    """Check every member's checksum, unpack, and return the model's folder."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            bad = zipped.testzip()
            if bad is not None:
                raise _damaged(_("bad checksum in {name}").format(name=bad))
            for member in zipped.namelist():
                parts = PurePosixPath(member).parts
                if member.startswith("/") or ".." in parts:
                    raise _damaged(_("unsafe path {path}").format(path=repr(member)))
            zipped.extractall(into)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _damaged(error) from None
    except OSError as error:
        raise UserError(_("Cannot unpack the speech model: {error}").format(error=error)) from None
    entries = list(into.iterdir()) if into.is_dir() else []
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else into
    if not (root / "am").is_dir():
        raise _damaged(_("no Vosk model inside: am/ is missing"))
    return root


def _damaged(what: object) -> UserError:
    return UserError(
        _(
            "The downloaded archive is damaged ({what}). Nothing was kept; run '{command}' again."
        ).format(what=what, command=DOWNLOAD_COMMAND)
    )
