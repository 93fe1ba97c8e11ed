"""`pack.yaml`: what the coach says about her pack, beside assistant.yaml in her content folder.

    name: hartsverbinding-jacqueline     # letters, digits, '-', '_': the pack's folder name
    version: 1.2                         # numbers with dots; every new build gets a higher one
    coach:
      name: Jacqueline Verhaegh
      contact: https://jacquelineverhaegh.nl     # how a client reaches her
    licence:
      text: CC BY-NC-ND 4.0                      # the practices and texts
      recordings: alle rechten voorbehouden      # her recordings
    requires: 0.1.0                      # optional: the oldest program that can play it
                                         # (default: the program that builds the pack)

Read with the content's own parser, so a mistake is named with file and line like any other.
It is not put in the pack: the signed manifest carries these facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from assistant.content.nodes import Node, parse_file
from assistant.errors import ContentError
from assistant.i18n import _

PACK_FILE = "pack.yaml"
PROGRAM = "hartsverbinding"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_VERSION = re.compile(r"\d{1,6}(\.\d{1,6}){0,3}")


@dataclass(frozen=True)
class PackMeta:
    name: str
    version: str
    coach: str
    contact: str
    text_licence: str
    recordings_licence: str
    requires: str  # the oldest program version that can use the pack


def read_meta(content_dir: Path) -> PackMeta:
    """`pack.yaml` in `content_dir`; ContentError with file and line when it is wrong."""
    path = content_dir / PACK_FILE
    if not path.exists():
        raise ContentError(
            str(path),
            _(
                "not found: a pack needs it beside assistant.yaml, with its name, version, "
                "coach (name, contact) and licence (text, recordings)"
            ),
        )
    top = parse_file(str(path)).mapping(
        {"name", "version", "coach", "licence"}, frozenset({"requires"})
    )
    coach = top["coach"].mapping({"name", "contact"})
    licence = top["licence"].mapping({"text", "recordings"})
    name = top["name"].text()
    if not _NAME.fullmatch(name):
        top["name"].fail(
            _(
                "'{name}' cannot name a pack (lowercase letters, digits, '-' and '_', at most 40)"
            ).format(name=name)
        )
    requires = top.get("requires")
    return PackMeta(
        name=name,
        version=_version(top["version"]),
        coach=coach["name"].text(),
        contact=coach["contact"].text(),
        text_licence=licence["text"].text(),
        recordings_licence=licence["recordings"].text(),
        requires=program_version() if requires is None else _version(requires),
    )


def _version(node: Node) -> str:
    value = node.scalar()
    if not _VERSION.fullmatch(value):
        node.fail(
            _("'{value}' is not a version (numbers with dots, such as 1.2)").format(value=value)
        )
    return value


def version_key(version: str) -> tuple[int, ...]:
    """A version for comparing: 1.10 after 1.9, 1.2 the same as 1.2.0."""
    numbers = [int(part) for part in version.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def is_version(text: str) -> bool:
    return _VERSION.fullmatch(text) is not None


def is_pack_name(text: str) -> bool:
    return _NAME.fullmatch(text) is not None


def program_version() -> str:
    """This program's version, as installed ("0.1.0")."""
    try:
        found = metadata.version(PROGRAM)
    except metadata.PackageNotFoundError:
        return "0"
    match = _VERSION.match(found)
    return match.group(0) if match else "0"
