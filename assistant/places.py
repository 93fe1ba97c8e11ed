"""Where things are: the program's own files (its content, its translations, the installed
program), what it downloads (speech models, Piper voices), and the person's folders (data,
config, cache).

The same code runs in two ways, and this module is the one place that tells them apart:
- from a source tree (a clone, installed editable or not at all): the content is the
  `content/` folder at the top of the tree, where it is edited, so a change needs no rebuild;
- installed from a wheel or sdist (pip, pipx): the content is the copy the build put into the
  package as `assistant/_content` (see setup.py).
Downloads never go into the package: models and voices live in the user's data folder
(platformdirs), which survives upgrades and is writable. A clone's `models/` folder is still
looked in, for development.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from platformdirs import PlatformDirs

DISTRIBUTION = "hartsverbinding"
PACKAGE = Path(__file__).resolve().parent  # the `assistant` folder
PACKAGED_CONTENT = PACKAGE / "_content"

# Each platform's own places for the person's files (XDG on Linux and the Pi, Application
# Support and Caches on macOS, AppData on Windows). Read on every call: the XDG variables may
# change (tests set them).
_FOLDERS = PlatformDirs("hartsverbinding", appauthor=False, roaming=True)


def data_home() -> Path:
    """The journal, downloaded models and voices."""
    return Path(_FOLDERS.user_data_dir)


def config_home() -> Path:
    """Where config.yaml (and the small state file beside it) live."""
    return Path(_FOLDERS.user_config_dir)


def cache_home() -> Path:
    """Where rendered speech is kept; anything here can be deleted and made again."""
    return Path(_FOLDERS.user_cache_dir)


def source_tree() -> Path | None:
    """The clone this code runs from, or None when it is installed (site-packages)."""
    root = PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / "content").is_dir():
        return root
    return None


def content_dir() -> Path:
    """The folder above the language folders (`nl/`) of the content that comes with the
    program."""
    tree = source_tree()
    return tree / "content" if tree is not None else PACKAGED_CONTENT


def is_packaged_content(folder: Path) -> bool:
    """True for the copy of the content inside an installed package, which an update replaces:
    nothing may be written there."""
    return folder.resolve().is_relative_to(PACKAGED_CONTENT)


def locale_dir() -> Path:
    """The compiled translations (`nl/LC_MESSAGES/hartsverbinding.mo`), inside the package."""
    return PACKAGE / "locale"


def models_dir() -> Path:
    """Where `model download` puts speech models."""
    return data_home() / "models"


def model_folders() -> list[Path]:
    """Where a speech model is looked for, in order: the data folder, then (for development)
    the `models/` folder of the clone this code runs from."""
    tree = source_tree()
    return [models_dir(), *([tree / "models"] if tree is not None else [])]


def voices_dir() -> Path:
    """Where `voice download` puts Piper voices, and where they are looked for by name."""
    return data_home() / "voices"


def whisper_dir() -> Path:
    """Where Whisper models fetched by name live, beside the voices."""
    return data_home() / "whisper"


def import_root() -> Path:
    """The folder that holds the `assistant` package: a child process started with it on its
    path imports this very code."""
    return PACKAGE.parent


def version() -> str:
    """The version this code was installed as ("0+unknown" when run from a clone that is not
    installed)."""
    distribution = _this_distribution()
    return distribution.version if distribution is not None else "0+unknown"


def installed_program() -> Path | None:
    """The `hartsverbinding` program that pip or pipx installed with this very code (read from
    the installation's own record of its files), or None when this code is not installed."""
    distribution = _this_distribution()
    if distribution is None:
        return None
    for file in distribution.files or []:
        if file.stem == DISTRIBUTION and file.parent.name in ("bin", "Scripts"):
            path = Path(os.path.normpath(str(distribution.locate_file(file))))
            if path.is_file():
                return path
    return None


def _this_distribution() -> metadata.Distribution | None:
    """The installation that holds this code, not another copy: when installed, the one found
    on the path; from a clone, an editable install of this very tree (PEP 610's
    direct_url.json says where it was installed from). The build's own egg-info folder in a
    clone is not an installation."""
    tree = source_tree()
    for distribution in metadata.distributions(name=DISTRIBUTION):
        if tree is None:
            return distribution
        try:
            origin = json.loads(distribution.read_text("direct_url.json") or "{}")
        except ValueError:
            continue
        url = urlparse(str(origin.get("url", "")))
        editable = bool(origin.get("dir_info", {}).get("editable"))
        if editable and url.scheme == "file" and Path(unquote(url.path)).resolve() == tree:
            return distribution
    return None
