"""The Whisper models a person can fetch by name (`whisper:NAME` in the config), and fetching one.

Each is OpenAI's Whisper (MIT) converted to CTranslate2 by Systran and published on Hugging
Face as `Systran/faster-whisper-NAME`. The URLs are pinned to one commit of each repository, so
the files cannot change under the sizes and SHA-256 digests listed here (each model.bin's digest
is its Git LFS object id; the smaller files' digests are of their contents). The base model's
four digests were also checked here against Whisper base from PyPI (tests/servers.py).

A fetched model is a folder `<whisper folder>/<name>/` that appears whole or not at all: the
files are downloaded into a temporary folder beside it by the one downloader
(assistant/download.py: published size, then SHA-256), and renamed into place in one step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant import places
from assistant.download import (
    Progress,
    ProgressBar,
    Remote,
    Say,
    fetch_files,
    put_in_place,
    say_on_stderr,
    staging,
)
from assistant.errors import UserError
from assistant.i18n import _

LICENCE = "MIT (OpenAI's Whisper weights; Systran's CTranslate2 conversion)"
DOWNLOAD_COMMAND = "hartsverbinding model download whisper:{name}"  # the CLI wires it

# The files every converted Whisper shares (the large-v3 ones have their own).
_TOKENIZER = (
    "tokenizer.json",
    2_203_239,
    "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
)
_VOCABULARY = (
    "vocabulary.txt",
    459_861,
    "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
)


@dataclass(frozen=True)
class WhisperModel:
    name: str
    repository: str  # on Hugging Face
    revision: str  # the commit the files are fetched from
    files: tuple[tuple[str, Remote], ...]  # (file name in the model's folder, where it is)

    @property
    def size(self) -> int:
        return sum(remote.size or 0 for _name, remote in self.files)


def _model(name: str, revision: str, *files: tuple[str, int, str]) -> WhisperModel:
    repository = f"Systran/faster-whisper-{name}"
    base = f"https://huggingface.co/{repository}/resolve/{revision}"
    remotes = tuple(
        (file, Remote(f"{base}/{file}", size, f"sha256:{digest}")) for file, size, digest in files
    )
    return WhisperModel(name, repository, revision, remotes)


CATALOGUE: tuple[WhisperModel, ...] = (
    _model(
        "tiny",
        "d90ca5fe260221311c53c58e660288d3deb8d356",
        (
            "model.bin",
            75_538_270,
            "dcb76c6586fc06cbdac6dd21f14cfd129cc4cdd9dce19bf4ffa62e59cbe6e6d1",
        ),
        ("config.json", 2_249, "a73a28cdfe1c43ccc7202fa333d1f89c202477271407ae9a7f19afa52039cac8"),
        _TOKENIZER,
        _VOCABULARY,
    ),
    _model(
        "base",
        "ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66",
        (
            "model.bin",
            145_217_532,
            "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        ),
        ("config.json", 2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
        _TOKENIZER,
        _VOCABULARY,
    ),
    _model(
        "small",
        "536b0662742c02347bc0e980a01041f333bce120",
        (
            "model.bin",
            483_546_902,
            "3e305921506d8872816023e4c273e75d2419fb89b24da97b4fe7bce14170d671",
        ),
        ("config.json", 2_370, "b55496ac7940a7ae47d2c01eab40edfd8701feec1229d9cce3b40014383fb828"),
        _TOKENIZER,
        _VOCABULARY,
    ),
    _model(
        "medium",
        "08e178d48790749d25932bbc082711ddcfdfbc4f",
        (
            "model.bin",
            1_527_906_378,
            "9b45e1009dcc4ab601eff815b61d80e60ce3fd8c74c1a14f4a282258286b51ae",
        ),
        ("config.json", 2_257, "3622a2ddc41ec0e0fd4e68c13c6830f03b90c38d89aaad184de02c8c642cf807"),
        _TOKENIZER,
        _VOCABULARY,
    ),
    _model(
        "large-v3",
        "edaa852ec7e145841d8ffdb056a99866b5f0a478",
        (
            "model.bin",
            3_087_284_237,
            "69f74147e3334731bc3a76048724833325d2ec74642fb52620eda87352e3d4f1",
        ),
        ("config.json", 2_394, "a9306624f5ec14270a014b647e5c316b6e03a662c369758d1b90697a7b0655b9"),
        (
            "preprocessor_config.json",
            340,
            "7ccc62c6f2765af1f3b46c00c9b5894426835a05021c8b9c01eecb6dfb542711",
        ),
        (
            "tokenizer.json",
            2_480_617,
            "6d8cbd7cd0d8d5815e478dac67b85a26bbe77c1f5e0c6d76d1ce2abc0e5f21ca",
        ),
        (
            "vocabulary.json",
            1_068_114,
            "c69260f2ab26d659b7c398f9a2b2b48ed0df16c3b47d7326782fd9cba71690c1",
        ),
    ),
)


def find(name: str) -> WhisperModel | None:
    return next((model for model in CATALOGUE if model.name == name), None)


def whisper_home() -> Path:
    """Where fetched Whisper models live (in the user's data folder, beside the voices)."""
    return places.whisper_dir()


def is_complete(model: WhisperModel, folder: Path) -> bool:
    return all((folder / name).is_file() for name, _remote in model.files)


def model_folder(name: str, home: Path | None = None) -> Path:
    """The folder of the fetched model `name`, or UserError saying how to fetch it."""
    model = find(name)
    if model is None:
        raise UserError(
            _("There is no Whisper model called '{name}'. Known: {names}.").format(
                name=name, names=", ".join(m.name for m in CATALOGUE)
            )
        )
    folder = (home or whisper_home()) / name
    if not is_complete(model, folder):
        raise UserError(
            _(
                "The Whisper model '{name}' is not downloaded ({megabytes} MB). Run '{command}'."
            ).format(
                name=name,
                megabytes=f"{model.size / 1e6:.0f}",
                command=DOWNLOAD_COMMAND.format(name=name),
            )
        )
    return folder


def download_whisper_model(
    model: WhisperModel,
    home: Path | None = None,
    progress: Progress | None = None,
    *,
    say: Say = say_on_stderr,
    timeout: float = 30.0,
) -> Path:
    """Fetch `model` into `home/<name>/` (home: whisper_home()); returns the folder. Already
    there: returns it without downloading. Any failure raises UserError and keeps nothing."""
    home = home or whisper_home()
    again = DOWNLOAD_COMMAND.format(name=model.name)
    target = home / model.name
    if target.exists():
        if is_complete(model, target):
            say(
                _("The Whisper model {name} is already there: {folder}").format(
                    name=model.name, folder=target
                )
            )
            return target
        raise UserError(
            _("{folder} exists but is not a complete model. Remove it and run '{command}'.").format(
                folder=target, command=again
            )
        )
    bar = progress or ProgressBar()
    with staging(home, model.name) as work:
        say(
            _("Downloading the Whisper model {name} ({megabytes} MB) from {repository}").format(
                name=model.name, megabytes=f"{model.size / 1e6:.0f}", repository=model.repository
            )
        )
        say(_("Licence: {licence}.").format(licence=LICENCE))
        staged = work / model.name
        staged.mkdir()
        fetch_files(model.files, staged, bar, again=again, timeout=timeout)
        put_in_place(staged, target)
    say(_("Whisper model ready in {folder}").format(folder=target))
    return target
