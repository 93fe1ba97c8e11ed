"""Reading a pack file without trusting it: a zip archive, checked entry by entry before a byte
of it is unpacked.

Why a zip and not a tar: a zip's central directory lists every entry with its declared size up
front, so the count, each size and the total are bounded before anything is decompressed (a
tar.gz must be decompressed to be listed), and its entries are only files and folders: links
and devices exist in a zip only as Unix mode bits, which are refused here and which nothing
here would honour anyway, because files are written with our own open() at paths we made, never
with an extract(). Python's zipfile reads at most the declared size of an entry and checks its
CRC, and the reader below counts again, so an entry that inflates beyond what it declares is
cut off and refused: a size bomb costs at most the bounded total.

Checked before anything is written, in this order: the file's size; every entry (its name:
absolute, `..`, a name a pack may not hold; its kind: link, device, folder; encryption; the
compression; its declared size; repeats); the count and total; the manifest and its signature;
then each entry against the manifest (the same set of names, the same sizes) and its SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from assistant.i18n import _
from assistant.packs.failures import Refused
from assistant.packs.manifest import (
    MANIFEST,
    SIGNATURE,
    Manifest,
    outside,
    parse_signature,
    refusal,
)

MAX_PACK_BYTES = 256 << 20  # the pack file (the content is about 26 MB with every line recorded)
MAX_TOTAL_BYTES = 256 << 20  # everything unpacked
MAX_FILE_BYTES = 64 << 20  # one file: a line recorded for 25 minutes
MAX_ENTRIES = 4096
MAX_MANIFEST_BYTES = 1 << 20
MAX_SIGNATURE_BYTES = 1024
BLOCK = 1 << 16
_SIGNED = frozenset({MANIFEST, SIGNATURE})
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB"


class PackFile:
    """An open pack file whose entries passed every check that needs no unpacking."""

    def __init__(self, source: Path | bytes, label: str = "") -> None:
        """`source`: the pack file, or a pack's bytes (a pack just built, checked before it is
        written)."""
        self.label = label or (source.name if isinstance(source, Path) else "pack")
        try:
            size = source.stat().st_size if isinstance(source, Path) else len(source)
        except OSError as error:
            reason = error.strerror or error
            raise Refused(self.label, _("cannot be read: {reason}").format(reason=reason)) from None
        if size > MAX_PACK_BYTES:
            self.refuse(
                _("the file is {size}, more than the {most} a pack may be").format(
                    size=megabytes(size), most=megabytes(MAX_PACK_BYTES)
                )
            )
        try:
            self.zip = zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source))
        except _BROKEN as error:
            raise Refused(self.label, _("not a pack file ({error})").format(error=error)) from None
        try:
            self.entries = self._entries()
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> PackFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.zip.close()

    def refuse(self, reason: str) -> NoReturn:
        raise Refused(self.label, reason)

    def _entries(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            self.refuse(
                _("it has {count} entries, more than the {most} a pack may have").format(
                    count=len(infos), most=MAX_ENTRIES
                )
            )
        found: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            self._check_entry(info)
            if info.filename in found:
                self.refuse(_("'{name}' appears twice").format(name=info.filename))
            found[info.filename] = info
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            self.refuse(
                _("it unpacks to {size}, more than the {most} a pack may hold").format(
                    size=megabytes(total), most=megabytes(MAX_TOTAL_BYTES)
                )
            )
        return found

    def _check_entry(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        mode = info.external_attr >> 16
        if (reason := outside(name)) is not None:
            self.refuse(reason)
        if stat.S_ISLNK(mode):
            self.refuse(_("'{name}' is a link").format(name=name))
        if info.is_dir() or stat.S_ISDIR(mode):
            self.refuse(_("'{name}' is a folder entry").format(name=name))
        if mode and not stat.S_ISREG(mode):
            self.refuse(_("'{name}' is a device or another special file").format(name=name))
        if name not in _SIGNED and (reason := refusal(name)) is not None:
            self.refuse(reason)
        if info.flag_bits & 0x1:
            self.refuse(_("'{name}' is encrypted").format(name=name))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            self.refuse(_("'{name}' is compressed in an unknown way").format(name=name))
        if info.file_size > MAX_FILE_BYTES:
            self.refuse(
                _("'{name}' unpacks to {size}, more than the {most} a file may be").format(
                    name=name, size=megabytes(info.file_size), most=megabytes(MAX_FILE_BYTES)
                )
            )

    def signed_manifest(self) -> tuple[Manifest, bytes]:
        """The manifest, with its signature checked against the key it names, and its bytes.
        Whether that key is trusted is the trust store's question."""
        data = self._small(MANIFEST, MAX_MANIFEST_BYTES)
        signature = parse_signature(self._small(SIGNATURE, MAX_SIGNATURE_BYTES))
        try:
            manifest = Manifest.parse(data)
        except ValueError as error:
            raise Refused(
                self.label, _("its manifest is damaged ({error})").format(error=error)
            ) from None
        if signature is None or not manifest.signer.verifies(signature, data):
            self.refuse(_("its signature does not match its manifest"))
        return manifest, data

    def check_files(self, manifest: Manifest) -> None:
        """Every entry is a file of the manifest with its size and SHA-256, and the other way
        round; read to the end, nothing written."""
        names = set(self.entries) - _SIGNED
        for name in sorted(names - set(manifest.files)):
            self.refuse(_("'{name}' is not in the signed manifest").format(name=name))
        for name in sorted(set(manifest.files) - names):
            self.refuse(_("'{name}' is missing").format(name=name))
        for name, entry in sorted(manifest.files.items()):
            if self.entries[name].file_size != entry.size:
                self.refuse(_("'{name}' differs from what was signed").format(name=name))
            digest = hashlib.sha256()
            for block in self.blocks(name):
                digest.update(block)
            if digest.hexdigest() != entry.sha256:
                self.refuse(_("'{name}' differs from what was signed").format(name=name))

    def blocks(self, name: str) -> Iterator[bytes]:
        """The bytes of entry `name`, never more than it declares."""
        info = self.entries[name]
        left = info.file_size
        try:
            with self.zip.open(info) as stream:
                while block := stream.read(min(BLOCK, left + 1)):
                    left -= len(block)
                    if left < 0:
                        break
                    yield block
        except _BROKEN as error:
            raise Refused(
                self.label, _("'{name}' is damaged ({error})").format(name=name, error=error)
            ) from None
        if left != 0:
            self.refuse(_("'{name}' is damaged (not the size it declares)").format(name=name))

    def _small(self, name: str, most: int) -> bytes:
        info = self.entries.get(name)
        if info is None:
            self.refuse(_("it has no {name}: not a signed pack").format(name=name))
        if info.file_size > most:
            self.refuse(_("its {name} is too large").format(name=name))
        return b"".join(self.blocks(name))
