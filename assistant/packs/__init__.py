"""A coach's pack: her practices, texts, lines and recordings as one signed file, which a
client installs safely and whole and keeps up to date.

    make_key(path) -> PublicKey                          her signing key (keys.py)
    build_pack(content_dir, key, out) -> BuildReport     content/nl + pack.yaml -> a pack file
    install_pack(source, packs_dir, trust, ask) -> Installed
    list_packs(packs_dir) -> list[InstalledPack]
    pack_folder(packs_dir, name) -> Path                 the content folder of an installed pack
    verify_installed(packs_dir, name) -> Manifest        every file still as signed (doctor)
    manifest_of(content_dir) -> Manifest | None          which pack and version (the journal)

Each raises UserError (ContentError for content, Refused for a pack not installed) with one
line that says what is wrong.

Importing this package imports none of its modules: each name is imported from its module
when first used (PEP 562), so a practice that only asks which pack speaks does not load the
signing library or numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.lazy import lazy_names

if TYPE_CHECKING:
    from assistant.packs.build import BuildReport, build_pack
    from assistant.packs.changes import Changes
    from assistant.packs.failures import Refused
    from assistant.packs.install import Installed, install_pack
    from assistant.packs.installed import (
        Damaged,
        InstalledPack,
        list_packs,
        manifest_of,
        pack_folder,
        verify_installed,
    )
    from assistant.packs.keys import PublicKey, make_key, read_public
    from assistant.packs.manifest import Manifest
    from assistant.packs.meta import PACK_FILE, PackMeta, read_meta
    from assistant.packs.trust import (
        TRUST_FILE,
        Ask,
        Signer,
        TrustStore,
        trust_fingerprint,
        trust_key_file,
    )

_MODULES = {
    "build": (
        "BuildReport",
        "build_pack",
    ),
    "changes": ("Changes",),
    "failures": ("Refused",),
    "install": (
        "Installed",
        "install_pack",
    ),
    "installed": (
        "Damaged",
        "InstalledPack",
        "list_packs",
        "manifest_of",
        "pack_folder",
        "verify_installed",
    ),
    "keys": (
        "PublicKey",
        "make_key",
        "read_public",
    ),
    "manifest": ("Manifest",),
    "meta": (
        "PACK_FILE",
        "PackMeta",
        "read_meta",
    ),
    "trust": (
        "TRUST_FILE",
        "Ask",
        "Signer",
        "TrustStore",
        "trust_fingerprint",
        "trust_key_file",
    ),
}

__all__ = [
    "PACK_FILE",
    "TRUST_FILE",
    "Ask",
    "BuildReport",
    "Changes",
    "Damaged",
    "Installed",
    "InstalledPack",
    "Manifest",
    "PackMeta",
    "PublicKey",
    "Refused",
    "Signer",
    "TrustStore",
    "build_pack",
    "install_pack",
    "list_packs",
    "make_key",
    "manifest_of",
    "pack_folder",
    "read_meta",
    "read_public",
    "trust_fingerprint",
    "trust_key_file",
    "verify_installed",
]


__getattr__, __dir__ = lazy_names(__name__, _MODULES, globals())
