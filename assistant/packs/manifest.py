"""The manifest: what a pack is, who signed it, and the SHA-256 and size of every file in it.

    manifest.json   written by `build_pack`, never by hand: JSON, because it is read before its
                    signature is checked (JSON has no aliases or tags to abuse), and its exact
                    bytes are what is signed
    manifest.sig    the Ed25519 signature of those bytes, base64

A pack holds only content files: assistant.yaml, commands.yaml, texts.yaml, practices/*.yaml,
recordings/index.yaml and recordings/*.wav. Any other name is refused, so an entry can never
name a place outside the pack's folder, nor a file the program would run or read as settings.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.i18n import _
from assistant.packs.keys import PublicKey
from assistant.packs.meta import is_pack_name, is_version

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
FORMAT = 1
RECORDINGS = "recordings/"
WAV = ".wav"
_TOP_FILES = frozenset({"assistant.yaml", "commands.yaml", "texts.yaml", "recordings/index.yaml"})
_IN_FOLDER = re.compile(
    r"(practices/[^/.\\:\x00-\x1f][^/\\:\x00-\x1f]{0,200}\.yaml)|"
    r"(recordings/[^/.\\:\x00-\x1f][^/\\:\x00-\x1f]{0,200}\.wav)"
)
_HEX64 = re.compile(r"[0-9a-f]{64}")


def outside(name: str) -> str | None:
    """Why a name points outside the pack's folder, or None when it does not."""
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return _("'{name}' is an absolute path").format(name=name)
    if ".." in name.replace("\\", "/").split("/"):
        return _("'{name}' leads out of the pack's folder (..)").format(name=name)
    return None


def refusal(name: str) -> str | None:
    """Why a file of this name cannot be in a pack, or None when it can."""
    if (reason := outside(name)) is not None:
        return reason
    if name in _TOP_FILES or _IN_FOLDER.fullmatch(name):
        return None
    return _("'{name}' is not a file a pack may hold").format(name=name)


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    language: str
    coach: str
    contact: str
    text_licence: str
    recordings_licence: str
    requires: str
    signer: PublicKey
    files: Mapping[str, FileEntry]

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "coach": {"name": self.coach, "contact": self.contact},
            "licence": {"text": self.text_licence, "recordings": self.recordings_licence},
            "requires": self.requires,
            "signer": self.signer.text,
            "files": {
                name: {"sha256": entry.sha256, "size": entry.size}
                for name, entry in sorted(self.files.items())
            },
        }
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def recordings(self) -> dict[str, str]:
        """Recording key -> the SHA-256 of its WAV."""
        return {
            name[len(RECORDINGS) : -len(WAV)]: entry.sha256
            for name, entry in self.files.items()
            if name.startswith(RECORDINGS) and name.endswith(WAV)
        }

    @staticmethod
    def parse(data: bytes) -> Manifest:
        """The manifest in `data`; ValueError with the reason when it is not a valid one."""
        try:
            top = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(str(error)) from None
        top = _object(top, "manifest")
        if top.get("format") != FORMAT:
            raise ValueError(f"format {top.get('format')!r}, this program reads {FORMAT}")
        coach = _object(top.get("coach"), "coach")
        licence = _object(top.get("licence"), "licence")
        signer = PublicKey.parse(_text(top, "signer"))
        if signer is None:
            raise ValueError("signer is not an Ed25519 public key")
        manifest = Manifest(
            name=_text(top, "name"),
            version=_text(top, "version"),
            language=_text(top, "language"),
            coach=_text(coach, "name"),
            contact=_text(coach, "contact"),
            text_licence=_text(licence, "text"),
            recordings_licence=_text(licence, "recordings"),
            requires=_text(top, "requires"),
            signer=signer,
            files=_files(_object(top.get("files"), "files")),
        )
        if not is_pack_name(manifest.name):
            raise ValueError(f"name {manifest.name!r}")
        if not (is_version(manifest.version) and is_version(manifest.requires)):
            raise ValueError(f"version {manifest.version!r} or {manifest.requires!r}")
        return manifest


def signature_text(signature: bytes) -> bytes:
    return base64.b64encode(signature) + b"\n"


def parse_signature(data: bytes) -> bytes | None:
    try:
        signature = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return signature if len(signature) == 64 else None


def _files(found: dict[str, Any]) -> dict[str, FileEntry]:
    files = {}
    for name, value in found.items():
        reason = refusal(name)
        if reason is not None:
            raise ValueError(reason)
        entry = _object(value, name)
        sha256, size = entry.get("sha256"), entry.get("size")
        if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
            raise ValueError(f"{name}: sha256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"{name}: size")
        files[name] = FileEntry(sha256, size)
    return files


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} is not an object")
    return value


def _text(found: dict[str, Any], key: str) -> str:
    value = found.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} is missing")
    return value
