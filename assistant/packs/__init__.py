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
"""

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
