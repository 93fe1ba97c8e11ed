"""Installing a pack: whole or not at all, never writing outside the packs folder.

Everything that can refuse a pack is checked before anything is written: the file and its
entries (`archive.PackFile`), the signature, the program version, the version against the one
installed, the signer against the trust store (`ask` for a key not yet trusted), and every
entry's SHA-256 read to the end. A refused pack therefore leaves the packs folder and the trust
store exactly as they were.

Then, in the packs folder: unpack into `.partial-<name>-*` (each file created fresh, never
through a link, fsynced), read it all back from disk and check it again (hashes, signature,
`pack_content`), remember the key, rename the folder to `<name>/<version>-*` and switch the
`<name>/current` symlink to it with one rename, each step fsynced; then remove the old version.
A kill -9 at any moment leaves `current` pointing at a complete version, the old one until the
rename of the link and the new one after it; what a killed install left beside it is removed by
the next install. (POSIX symlinks: Linux and macOS, not Windows.) The very pack installed
again does nothing while its files are as signed, and repairs them when they are not.

From an https address (later): download with `assistant.download` into a staging folder in
the packs folder, bounded by `archive.MAX_PACK_BYTES`, then call `install_pack` on the file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.content.model import Content
from assistant.download import PARTIAL_PREFIX, staging
from assistant.durable import TEMP_MARK, fsync_folder
from assistant.errors import ContentError, UserError
from assistant.i18n import _
from assistant.packs.archive import PackFile
from assistant.packs.changes import Changes, compare
from assistant.packs.failures import Refused, cannot_write
from assistant.packs.installed import CURRENT, Current, current, pack_content, verify_folder
from assistant.packs.manifest import MANIFEST, SIGNATURE, Manifest
from assistant.packs.meta import program_version, version_key
from assistant.packs.trust import Ask, TrustStore

FILE_MODE = 0o644  # content, like the YAML a coach shares
FOLDER_MODE = 0o755


@dataclass(frozen=True)
class Installed:
    """What `install_pack` did."""

    manifest: Manifest
    folder: Path  # the version folder now in use
    previous: str | None  # the version it replaced; None on a first install
    changes: Changes | None  # what the person hears differently; None on a first install
    unchanged: bool = False  # this very pack was installed already: nothing was done

    def describe(self) -> list[str]:
        """What the command line prints after an install."""
        fields = {
            "name": self.manifest.name,
            "version": self.manifest.version,
            "coach": self.manifest.coach,
            "fingerprint": self.manifest.signer.fingerprint,
            "previous": self.previous,
        }
        if self.unchanged:
            return [_("{name} {version} is installed already.").format(**fields)]
        if self.previous is None:
            head = _("{name} {version} installed, signed by {coach} (key {fingerprint}).")
        elif self.previous == self.manifest.version:
            head = _("{name} {version} repaired: its files are as signed again.")
        else:
            head = _("{name} updated from {previous} to {version}, signed by {coach}.")
        return [head.format(**fields), *(self.changes.describe() if self.changes else [])]


def install_pack(
    source: Path, packs_dir: Path, trust: TrustStore, ask: Ask, label: str | None = None
) -> Installed:
    """Install the pack file `source` into `packs_dir` (see the module's text). Refused (a
    UserError naming the pack by `label`, else its file name, and the one reason) when it is
    not installed; `label`: the address a downloaded pack came from."""
    name = label or source.name
    try:
        with PackFile(source, name) as pack:
            return _install(pack, packs_dir, trust, ask)
    except Refused as refused:
        if refused.pack == name:
            raise
        raise Refused(name, refused.reason, refused.advice) from None


def _install(pack: PackFile, packs_dir: Path, trust: TrustStore, ask: Ask) -> Installed:
    manifest, signed = pack.signed_manifest()
    home = packs_dir / manifest.name
    old = current(home)
    repair = old is not None and old.signed == signed  # the very pack: installed whole?
    if old is not None and repair and _whole(old.folder, signed):
        pack.check_files(manifest)  # the file offered is damaged: say so, even if nothing is lost
        with contextlib.suppress(OSError):  # of an install of it killed after the switch
            _clear_leftovers(packs_dir, home, old)
        return Installed(manifest, old.folder, manifest.version, Changes(), unchanged=True)
    _check_program(manifest)
    if not repair:
        _check_versions(manifest, old)
    pack.check_files(manifest)  # so nobody is asked to trust a pack that is not whole
    remember = trust.approve(manifest, None if old is None else old.manifest.signer, ask)
    # Only now is anything written.
    with staging(packs_dir, manifest.name) as work:
        try:
            _unpack(pack, manifest, work)
        except OSError as error:
            raise cannot_write(packs_dir, error) from None
        content = _verified(work, signed)
        if remember:
            trust.remember(manifest)
        folder = _put_in_place(work, home, manifest.version, old)
    changes = None
    if old is not None:
        with contextlib.suppress(UserError):  # an old version that no longer loads: no report
            changes = compare(pack_content(old.folder), old.manifest, content, manifest)
        with contextlib.suppress(OSError):  # the new version is in place: the rest is tidying
            shutil.rmtree(old.folder)
            fsync_folder(home)
    return Installed(manifest, folder, None if old is None else old.manifest.version, changes)


def _whole(folder: Path, signed: bytes) -> bool:
    try:
        verify_folder(folder, signed)
    except UserError:
        return False
    return True


def _verified(work: Path, signed: bytes) -> Content:
    """`verify_folder`, with a content error named by the file's place in the pack (the
    folder it was found in is about to be removed)."""
    try:
        return verify_folder(work, signed)[1]
    except ContentError as error:
        where = Path(error.path).relative_to(work) if error.path.startswith(str(work)) else None
        place = ContentError(str(where or error.path), error.what, error.line).message
        raise Refused(
            work.name,
            _("its content cannot be used: {error}").format(error=place),
            _("Nothing was changed; ask its coach to build it again with 'pack build'."),
        ) from None


def _check_program(manifest: Manifest) -> None:
    program = program_version()
    if version_key(program) < version_key(manifest.requires):
        raise Refused(
            manifest.name,
            _("it needs Hartsverbinding {requires} or newer, and this is {program}").format(
                requires=manifest.requires, program=program
            ),
            _("Update the program first."),
        )


def _check_versions(manifest: Manifest, old: Current | None) -> None:
    if old is None:
        return
    new_key, old_key = version_key(manifest.version), version_key(old.manifest.version)
    if new_key == old_key:
        raise Refused(
            manifest.name,
            _("it is version {version} like the one installed, but not the same pack").format(
                version=manifest.version
            ),
            _("A changed pack needs a new version: ask its coach for one."),
        )
    if new_key < old_key:
        raise Refused(
            manifest.name,
            _("it is version {version}, older than the installed {installed}").format(
                version=manifest.version, installed=old.manifest.version
            ),
            _("Nothing was changed: the newer version stays."),
        )


def _unpack(pack: PackFile, manifest: Manifest, work: Path) -> None:
    work.chmod(FOLDER_MODE)  # made private by mkdtemp; content is not
    folders = {work}
    for name in (MANIFEST, SIGNATURE, *sorted(manifest.files)):
        target = work / name
        if target.parent not in folders:
            target.parent.mkdir(mode=FOLDER_MODE)
            folders.add(target.parent)
        # O_EXCL and O_NOFOLLOW: a file of our own making, never one a link points at.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(target, flags, FILE_MODE), "wb") as handle:
            for block in pack.blocks(name):
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
    for folder in sorted(folders, reverse=True):
        fsync_folder(folder)


def _put_in_place(work: Path, home: Path, version: str, old: Current | None) -> Path:
    """Rename the checked folder to home/<version>-<its own random part> (a repaired version
    never takes the name of the one in use), and switch home/current to it."""
    try:
        home.mkdir(mode=FOLDER_MODE, exist_ok=True)
        fsync_folder(home.parent)
        _clear_leftovers(None, home, old)
        folder = home / f"{version}-{work.name.rsplit('-', 1)[-1]}"
        os.rename(work, folder)
        fsync_folder(home)
        link = home / f".{CURRENT}{TEMP_MARK}{os.getpid()}"
        os.symlink(folder.name, link)
        os.replace(link, home / CURRENT)  # the one step that switches versions
        fsync_folder(home)
    except OSError as error:
        raise cannot_write(home, error) from None
    return folder


def _clear_leftovers(packs_dir: Path | None, home: Path, in_use: Current | None) -> None:
    """What installs killed before left: never in use, never read. `packs_dir`: also their
    staging folders (not while one of ours is there)."""
    staged = packs_dir.glob(f"{PARTIAL_PREFIX}{home.name}-*") if packs_dir else []
    keep = {CURRENT} if in_use is None else {CURRENT, in_use.folder.name}
    kept = [path for path in home.iterdir() if path.name not in keep] if home.is_dir() else []
    for leftover in [*staged, *kept]:
        if leftover.is_symlink() or not leftover.is_dir():
            leftover.unlink()
        else:
            shutil.rmtree(leftover)
