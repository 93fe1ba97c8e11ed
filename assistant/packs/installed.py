"""The packs folder as it is on disk: which packs are installed, which version of each is in
use, and whether a version folder still holds exactly what its coach signed.

    packs/
      <name>/
        current -> 1.2-k3x9   a symlink to the version in use; switching it is one rename
        1.2-k3x9/             a complete, verified version: the content files, recordings/,
                              manifest.json and manifest.sig (the random part lets a damaged
                              version be repaired beside itself)
      .partial-<name>-*/      an install under way (or killed): never read, removed by the next

A pack's content folder is `packs/<name>/current`, loaded with `pack_content`: as any other,
but the assistant's lines and commands it lacks come from the program's own content (a pack
made before a program update added a line still loads). `pack_folder` gives the version
folder behind it, so a session that started on one version keeps reading that version's
recordings while an update switches the link.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from assistant import places
from assistant.content import load_content
from assistant.content.model import Content
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.packs.failures import Refused
from assistant.packs.manifest import MANIFEST, SIGNATURE, Manifest, parse_signature

CURRENT = "current"
_FOLDERS = frozenset({"practices", "recordings"})


class Damaged(UserError):
    """An installed pack whose files are no longer what its coach signed."""


@dataclass(frozen=True)
class Current:
    """The version of a pack in use."""

    manifest: Manifest
    signed: bytes  # the manifest's exact bytes
    folder: Path


@dataclass(frozen=True)
class InstalledPack:
    """One installed pack, as `pack list` and `doctor` show it: its manifest says its name,
    version, language, coach and signer."""

    manifest: Manifest
    folder: Path  # the version folder in use: give it to pack_content
    problems: tuple[str, ...]  # stale or lost recordings, or why it cannot be loaded
    notes: tuple[str, ...] = ()  # what is well but worth knowing: lines it lacked, filled in

    def describe(self) -> list[str]:
        """For `pack list` and `doctor`: the pack on one line, then its problems and notes."""
        made = self.manifest
        head = _("{name} {version} ({language}) by {coach}, {contact}, key {fingerprint}").format(
            name=made.name,
            version=made.version,
            language=made.language,
            coach=made.coach,
            contact=made.contact,
            fingerprint=made.signer.fingerprint,
        )
        return [head, *(f"  {line}" for line in (*self.problems, *self.notes))]


def pack_content(folder: Path, language: str = "nl") -> Content:
    """The content of an installed pack: the lines, journal words and commands it lacks are
    the program's own (`Content.filled` names them; a recording of one it cannot have)."""
    return load_content(folder, language, fill_from=places.content_dir())


def current(home: Path) -> Current | None:
    """The version of the pack in `home` (packs/<name>) in use; None when there is none or its
    manifest cannot be read (an install then starts it afresh: the trust store still pins its
    key)."""
    link = home / CURRENT
    try:
        folder = home / os.readlink(link)
        signed = (folder / MANIFEST).read_bytes()
        return Current(Manifest.parse(signed), signed, folder)
    except (OSError, ValueError):
        return None


def manifest_of(content_dir: Path) -> Manifest | None:
    """The manifest of the pack a content folder was installed from (for the journal to name
    the pack and version a session's questions came from); None for content not from a pack.
    Not checked against its signature: `verify_installed` does that."""
    try:
        return Manifest.parse((content_dir / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None


def installed(packs_dir: Path) -> dict[str, Current]:
    """Name -> the version in use, of every installed pack, by name."""
    homes = sorted(packs_dir.iterdir()) if packs_dir.is_dir() else []
    found = {home.name: current(home) for home in homes if not home.name.startswith(".")}
    return {name: version for name, version in found.items() if version is not None}


def pack_folder(packs_dir: Path, name: str) -> Path:
    """The content folder of pack `name` (for `pack use NAME` and the config's `pack:`)."""
    found = current(packs_dir / name)
    if found is None:
        names = ", ".join(installed(packs_dir)) or _("none")
        raise UserError(
            _(
                "No pack named '{name}' is installed (installed: {names}). Install it with "
                "'hartsverbinding pack install FILE'."
            ).format(name=name, names=names)
        )
    return found.folder


def list_packs(packs_dir: Path) -> list[InstalledPack]:
    """Every installed pack, by name. Reads each one's content; checks no file hashes (that
    is `verify_installed`)."""
    packs = []
    for found in installed(packs_dir).values():
        try:
            from assistant.voice.recorded import current_recordings  # numpy: only when asked

            content = pack_content(found.folder)
            said, notes = tuple(current_recordings(content)[1]), _older_notes(content)
        except UserError as error:
            said, notes = (error.message,), ()
        packs.append(InstalledPack(found.manifest, found.folder, said, notes))
    return packs


def _older_notes(content: Content) -> tuple[str, ...]:
    """How the pack is older than the program, one note per way (see `older_pack_notices`)."""
    notes = []
    if content.filled:
        count = len(content.filled)
        notes.append(
            ngettext(
                "made for an older program: lacks {count} of its lines ({keys}); the program's "
                "own is used",
                "made for an older program: lacks {count} of its lines ({keys}); the program's "
                "own are used",
                count,
            ).format(count=count, keys=", ".join(content.filled))
        )
    if content.dropped:
        count = len(content.dropped)
        notes.append(
            ngettext(
                "made for an older program: has {count} part it no longer knows ({keys}); left out",
                "made for an older program: has {count} parts it no longer knows ({keys}); "
                "left out",
                count,
            ).format(count=count, keys=", ".join(content.dropped))
        )
    return tuple(notes)


def verify_installed(packs_dir: Path, name: str) -> Manifest:
    """Every file of the version in use is what its coach signed (for `doctor`)."""
    folder = pack_folder(packs_dir, name)
    try:
        return verify_folder(folder, None)[0]
    except Refused as refused:
        raise Damaged(
            _("{folder} is damaged: {reason}. Install its pack again.").format(
                folder=folder, reason=refused.reason
            )
        ) from None


def verify_folder(folder: Path, signed: bytes | None) -> tuple[Manifest, Content]:
    """Read back from disk: the manifest (the very bytes `signed`, when given) and its
    signature; exactly the files it lists, plain files only, each with its size and SHA-256;
    and the content loads as a session loads it. Refused with the first thing that is wrong."""
    label = str(folder)
    try:
        data = (folder / MANIFEST).read_bytes()
        signature = parse_signature((folder / SIGNATURE).read_bytes())
        manifest = Manifest.parse(data)
    except (OSError, ValueError) as error:
        raise Refused(label, _("its manifest is damaged ({error})").format(error=error)) from None
    if signature is None or not manifest.signer.verifies(signature, data):
        raise Refused(label, _("its signature does not match its manifest"))
    if signed is not None and data != signed:
        raise Refused(label, _("its manifest on disk is not the one that was checked"))
    expected = set(manifest.files) | {MANIFEST, SIGNATURE}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink() or not (path.is_file() or (name in _FOLDERS and path.is_dir())):
            raise Refused(label, _("'{name}' is not a plain file").format(name=name))
        if path.is_file() and name not in expected:
            raise Refused(label, _("'{name}' is not in the signed manifest").format(name=name))
    for name, entry in sorted(manifest.files.items()):
        try:
            found = _digest(folder / name)
        except OSError:
            raise Refused(label, _("'{name}' is missing").format(name=name)) from None
        if found != (entry.size, entry.sha256):
            raise Refused(label, _("'{name}' differs from what was signed").format(name=name))
    content = pack_content(folder)
    if content.language != manifest.language:
        raise Refused(label, _("its content is not in the language its manifest says"))
    return manifest, content


def _digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in blocks (a recording may be tens of megabytes)."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 16):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()
