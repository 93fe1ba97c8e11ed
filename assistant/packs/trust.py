"""Which coaches' keys this device trusts, and which pack names each key has signed.

    trust.yaml (in the data folder, beside packs/)
      3f2a 9c1b 77d0 e412 8b0c:          # the key's fingerprint
        key: <base64>                    # the public key itself
        coach: Jacqueline Verhaegh       # who it said it was when it was first trusted
        packs: [hartsverbinding-jacqueline]

The first pack of a key that is not yet trusted is installed only when `ask` says yes (the
command line wires it to a question, or to a fingerprint or key file the coach gave). Once a
name has been installed from a key, every later version of that name must carry that same key:
a pack of that name signed by anyone else is refused, whoever they say they are.
Written durably before the pack is switched in: a kill in between leaves a key trusted that the
person agreed to, never a pack installed from a key nobody agreed to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.durable import write_durably
from assistant.errors import UserError
from assistant.i18n import _
from assistant.packs.failures import Refused, cannot_write
from assistant.packs.keys import PublicKey, plain_fingerprint, read_public
from assistant.packs.manifest import Manifest

TRUST_FILE = "trust.yaml"
HEADER = (
    "# The keys trusted to sign packs ('hartsverbinding pack install'), by fingerprint, with\n"
    "# the packs each one signed: a pack's later versions must carry the same key.\n"
)


@dataclass(frozen=True)
class Signer:
    """Who signed a pack, as the `ask` callback shows it to the person."""

    key: PublicKey
    coach: str
    contact: str
    pack: str
    version: str

    def describe(self) -> str:
        """What the person is asked about (the command line adds its yes/no question)."""
        return _(
            "{pack} {version} is signed by {coach} ({contact}) with the key {fingerprint}, "
            "which this device does not know yet."
        ).format(
            pack=self.pack,
            version=self.version,
            coach=self.coach,
            contact=self.contact,
            fingerprint=self.key.fingerprint,
        )


Ask = Callable[[Signer], bool]


@dataclass
class TrustedKey:
    key: PublicKey
    coach: str
    packs: list[str] = field(default_factory=list)


class TrustStore:
    """`trust.yaml`: read on every use, written durably (0600) when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def keys(self) -> dict[str, TrustedKey]:
        """Fingerprint -> trusted key; empty when nothing was trusted yet."""
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise self._broken(str(error).splitlines()[0]) from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise self._broken(_("not a list of keys"))
        found = {}
        for fingerprint, value in data.items():
            entry = value if isinstance(value, dict) else {}
            key = PublicKey.parse(str(entry.get("key", "")))
            packs = entry.get("packs", [])
            if key is None or key.fingerprint != fingerprint or not isinstance(packs, list):
                raise self._broken(_("the entry {fingerprint}").format(fingerprint=fingerprint))
            found[key.fingerprint] = TrustedKey(key, str(entry.get("coach", "")), packs)
        return found

    def approve(self, manifest: Manifest, installed: PublicKey | None, ask: Ask) -> bool:
        """Refused unless the pack's signer may sign it; True when the store must remember it
        (a key trusted now, or a name it signs for the first time)."""
        signer = manifest.signer
        found = self.keys()
        pinned = [installed] if installed is not None else []
        pinned += [t.key for t in found.values() if manifest.name in t.packs]
        for other in pinned:
            if other != signer:
                raise Refused(
                    manifest.name,
                    _(
                        "it is signed with the key {new}, but '{name}' was signed with the key "
                        "{old} before: not by the same coach"
                    ).format(new=signer.fingerprint, name=manifest.name, old=other.fingerprint),
                    _("Nothing was changed; ask the coach which key is hers."),
                )
        trusted = found.get(signer.fingerprint)
        if trusted is not None:
            return manifest.name not in trusted.packs
        person = Signer(signer, manifest.coach, manifest.contact, manifest.name, manifest.version)
        if not ask(person):
            raise Refused(
                manifest.name,
                _("you did not trust its signer's key {fingerprint}").format(
                    fingerprint=signer.fingerprint
                ),
                _("Nothing was changed."),
            )
        return True

    def remember(self, manifest: Manifest) -> None:
        found = self.keys()
        trusted = found.setdefault(
            manifest.signer.fingerprint, TrustedKey(manifest.signer, manifest.coach)
        )
        if manifest.name not in trusted.packs:
            trusted.packs.append(manifest.name)
        data = {
            fingerprint: {"key": t.key.text, "coach": t.coach, "packs": t.packs}
            for fingerprint, t in found.items()
        }
        body = yaml.safe_dump(data, allow_unicode=True, sort_keys=True, width=100)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_durably(self.path, (HEADER + body).encode("utf-8"))
        except OSError as error:
            raise cannot_write(self.path, error) from None

    def _broken(self, what: str) -> UserError:
        return UserError(
            _(
                "{path} cannot be read ({what}). Repair it, or delete it: each coach's key is "
                "then asked about again."
            ).format(path=self.path, what=what)
        )


def trust_fingerprint(given: str) -> Ask:
    """An `ask` that trusts only the key with this fingerprint (as the coach read it out)."""
    wanted = plain_fingerprint(given)
    if wanted is None:
        raise UserError(
            _(
                "'{given}' is not a key's fingerprint: it has 20 letters and digits, such as "
                "3f2a 9c1b 77d0 e412 8b0c."
            ).format(given=given)
        )
    return lambda signer: _matches(signer, wanted)


def trust_key_file(path: Path) -> Ask:
    """An `ask` that trusts only the key in this public key file (the coach's `.pub`)."""
    wanted = read_public(path).fingerprint
    return lambda signer: _matches(signer, wanted)


def _matches(signer: Signer, wanted: str) -> bool:
    if signer.key.fingerprint != wanted:
        raise Refused(
            signer.pack,
            _("it is signed with the key {found}, not with the key {wanted} you gave").format(
                found=signer.key.fingerprint, wanted=wanted
            ),
            _("Nothing was changed; check the key with the coach."),
        )
    return True
