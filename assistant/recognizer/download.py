"""Fetch the speech model: the zipped Vosk model, through the one downloader (assistant.download).

The zip is downloaded into a temporary folder beside the destination and checked (size, its
pinned SHA-256, then every member's checksum), unpacked there and renamed into place in one
step, so an interrupted or damaged download never leaves half a model where `find_model` would
pick it up. It must come from the host asked (no redirect elsewhere), and its members may
unpack to at most MAX_UNPACKED bytes, checked before anything is unpacked.
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
# Alpha Cephei publishes no SHA-256. This is the one that other projects which download the same
# zip pin, each computed from the file they fetched (VocaHQ/vocalinux, model_hashes.json, and
# others, with the same size): the archive must be exactly that file.
MODEL_SHA256 = "039811c3b829de64e4f123a9f684a53784005b212a346ac0b899dc7efce2ed0a"
MAX_UNPACKED = 1_000_000_000  # bytes: room for a small model (a 40 MB archive), not a zip bomb
MAX_MEMBERS = 10_000  # files and folders in the archive; a Vosk model has a few dozen

__all__ = [
    "MODEL_SHA256",
    "MODEL_SIZE",
    "MODEL_URL",
    "PARTIAL_PREFIX",
    "ProgressBar",
    "download_model",
]


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

    The official model (MODEL_URL) must match MODEL_SHA256.

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
        digest = f"sha256:{MODEL_SHA256}" if url == MODEL_URL else None
        remote = Remote(url, expected_size, digest)
        fetch(
            remote,
            archive,
            progress or ProgressBar(),
            again=DOWNLOAD_COMMAND,
            timeout=timeout,
            same_host=True,
        )
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
    """Check the unpacked size and every member's checksum, unpack, and return the model's
    folder. The sizes come from the archive's directory; zipfile never unpacks a member beyond
    its listed size, so the bound holds for what is written too."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > MAX_UNPACKED or len(members) > MAX_MEMBERS:
                raise _damaged(
                    _("it would unpack to {megabytes} MB in {count} files").format(
                        megabytes=f"{unpacked / 1e6:.0f}", count=len(members)
                    )
                )
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
