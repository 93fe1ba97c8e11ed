"""`hartsverbinding pack key | build | install | list | use | remove`: a coach makes her pack,
a client installs it and chooses which one speaks.

What was done goes to standard output; questions, progress and problems to standard error. A
pack refused is one line and exit status 2 (packs/failures.py), with nothing written.
"""

from __future__ import annotations

import ipaddress
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from assistant import places
from assistant.content import load_content
from assistant.content.loader import language_folder
from assistant.errors import UserError
from assistant.i18n import _
from assistant.packs import (
    Ask,
    Signer,
    TrustStore,
    build_pack,
    install_pack,
    list_packs,
    make_key,
    read_meta,
    trust_fingerprint,
    trust_key_file,
)
from assistant.packs.archive import MAX_PACK_BYTES
from assistant.packs.chosen import packs_dir, remove, speaking, trust_file, use
from assistant.packs.failures import cannot_write

KEY_NAME = "coach.key"
PACK_SUFFIX = ".zip"
DOWNLOAD = "pack.download"  # the staging folder of a download: no pack can be called so
_YES = frozenset({"j", "ja", "y", "yes"})


def default_key() -> Path:
    """The coach's key when she names none: in her config folder, never in content."""
    return places.config_home() / KEY_NAME


def key_command(path: Path | None) -> int:
    path = path or default_key()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cannot_write(path, error) from None
    public = make_key(path)
    print(_("Your pack key: {path} (keep it private; back it up).").format(path=path))
    print(
        _("Its public half, to give to clients: {path}").format(
            path=path.with_name(path.name + ".pub")
        )
    )
    print(_("Its fingerprint: {fingerprint}").format(fingerprint=public.fingerprint))
    return 0


def build_command(content_dir: Path, key: Path | None, out: Path | None, language: str) -> int:
    folder = language_folder(content_dir, language)
    load_content(folder, language)  # a content error first, with its file and line
    meta = read_meta(folder)
    target = out or Path.cwd() / f"{meta.name}-{meta.version}{PACK_SUFFIX}"
    report = build_pack(folder, key or default_key(), target)
    lines = report.describe()
    print(lines[0])
    print(lines[1])
    if report.recorded:
        _keys(_("recorded: {keys}"), report.recorded, sys.stdout)
    for stale in report.stale:
        print("  " + _("stale: {key}").format(key=stale.key), file=sys.stderr)
    for line in lines[2:]:
        print("  " + line, file=sys.stderr)
    if report.missing:
        _keys(_("not recorded: {keys}"), report.missing, sys.stderr)
    return 0


def _keys(wording: str, keys: Sequence[str], stream: TextIO) -> None:
    said = wording.format(keys=", ".join(keys))
    for line in textwrap.wrap(said, width=100, initial_indent="  ", subsequent_indent="    "):
        print(line, file=stream)


def install_command(source: str, trust: str | None, configured: str | None) -> int:
    packs = packs_dir()
    store = TrustStore(trust_file())
    ask = _asker(trust)
    if "://" in source:
        address = _address(source)
        from assistant.download import ProgressBar, Remote, fetch, staging

        with staging(packs, DOWNLOAD) as work:
            file = work / "pack.zip"  # never a name from the address
            fetch(
                Remote(address, None),
                file,
                ProgressBar(sys.stderr),
                again=f"hartsverbinding pack install {address}",
                same_host=True,
                most=MAX_PACK_BYTES,
            )
            done = install_pack(file, packs, store, ask, label=address)
    else:
        done = install_pack(Path(source), packs, store, ask)
    for line in done.describe():
        print(line)
    if _speaking(packs, configured) != done.manifest.name:
        print(_("'hartsverbinding pack use {name}' lets it speak.").format(name=done.manifest.name))
    return 0


def _speaking(packs: Path, configured: str | None) -> str | None:
    try:
        return speaking(packs, configured)
    except UserError:
        return None


def list_command(configured: str | None) -> int:
    packs = packs_dir()
    found = list_packs(packs)
    if not found:
        print(_("No packs are installed; 'hartsverbinding pack install FILE' installs one."))
        return 0
    in_use = _speaking(packs, configured)
    for pack in found:
        head, *problems = pack.describe()
        mark = "  " + _("[speaks]") if pack.manifest.name == in_use else ""
        print(head + mark)
        for problem in problems:
            print(problem)
    return 0


def use_command(name: str, configured: str | None) -> int:
    folder = use(packs_dir(), name)
    print(_("{name} speaks from now on ({folder}).").format(name=name, folder=folder))
    if configured and configured != name:
        print(
            _("Your config says 'pack: {configured}', which comes first: change it there.").format(
                configured=configured
            ),
            file=sys.stderr,
        )
    return 0


def remove_command(name: str) -> int:
    remove(packs_dir(), name)
    print(_("{name} is removed.").format(name=name))
    return 0


def _asker(given: str | None) -> Ask:
    """`--trust`: a public key file, else a fingerprint; without it, a question at a terminal."""
    if given is not None:
        path = Path(given)
        return trust_key_file(path) if path.is_file() else trust_fingerprint(given)
    return _ask_at_terminal


def _ask_at_terminal(signer: Signer) -> bool:
    if not sys.stdin.isatty():
        raise UserError(
            _(
                "{described} Give its fingerprint or public key file with --trust to install "
                "it (ask the coach for it)."
            ).format(described=signer.describe())
        )
    print(signer.describe(), file=sys.stderr)
    print(
        _("Compare the fingerprint with the one the coach gave you. Trust this key? [y/N] "),
        end="",
        file=sys.stderr,
        flush=True,
    )
    answer = sys.stdin.readline().strip().lower()
    return answer in _YES or answer == _("y").lower()


def _address(source: str) -> str:
    """An https address; http only to this very machine (a coach's preview, the tests)."""
    parts = urlsplit(source)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme == "https" and host:
        return source
    if scheme == "http" and _loopback(host):
        return source
    raise UserError(
        _("{source}: a pack is installed from a file or an https:// address.").format(source=source)
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
