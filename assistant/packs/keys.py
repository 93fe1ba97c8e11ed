"""The coach's signing key: Ed25519 (the `cryptography` package), made once on her computer.

    coach.key       the private key (PEM, PKCS#8), mode 0600: it signs her packs and is never
                    put in one (a pack holds only the content files it lists)
    coach.key.pub   the public key, one line of base64: what a client may be given to trust

Her fingerprint is the first 80 bits of the SHA-256 of the public key, as five groups of four
hex digits ("3f2a 9c1b 77d0 e412 8b0c"): short enough to read out over the phone, long enough
that nobody can make another key with the same one (2^80 tries).

A signature covers a fixed prefix plus the manifest's exact bytes, so a signature made with
this key for anything else can never pass as a pack's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from assistant.durable import write_durably
from assistant.errors import UserError
from assistant.i18n import _
from assistant.packs.failures import cannot_read, cannot_write

SIGNED_PREFIX = b"hartsverbinding pack manifest v1\n"
PUBLIC_SUFFIX = ".pub"
FINGERPRINT_DIGITS = 20  # hex digits: 80 bits
KEY_BYTES = 32


@dataclass(frozen=True)
class PublicKey:
    """A coach's public key: the 32 raw bytes of an Ed25519 key."""

    raw: bytes

    @property
    def text(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        digits = hashlib.sha256(self.raw).hexdigest()[:FINGERPRINT_DIGITS]
        return " ".join(digits[start : start + 4] for start in range(0, len(digits), 4))

    def verifies(self, signature: bytes, manifest: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, SIGNED_PREFIX + manifest)
        except (InvalidSignature, ValueError):
            return False
        return True

    @staticmethod
    def parse(text: str) -> PublicKey | None:
        """The key written as base64 (as `text` gives it), or None when it is not one."""
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            return None
        return PublicKey(raw) if len(raw) == KEY_BYTES else None


def plain_fingerprint(text: str) -> str | None:
    """A fingerprint as someone typed it (any spacing, dashes, case) in its canonical form, or
    None when it is not 20 hex digits."""
    digits = "".join(text.split()).replace("-", "").replace(":", "").lower()
    if len(digits) != FINGERPRINT_DIGITS or any(c not in "0123456789abcdef" for c in digits):
        return None
    return " ".join(digits[start : start + 4] for start in range(0, len(digits), 4))


def make_key(path: Path) -> PublicKey:
    """A new key pair: the private key in `path` (0600), the public one in `path`.pub. Never
    overwrites a key: a lost key means new packs no client accepts as updates."""
    public_path = path.with_name(path.name + PUBLIC_SUFFIX)
    for existing in (path, public_path):
        if existing.exists():
            raise UserError(
                _(
                    "{path} already exists: a pack key is never overwritten (packs signed with "
                    "another key are refused as updates). Give another file name."
                ).format(path=existing)
            )
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = _public_of(private)
    try:
        write_durably(path, pem, 0o600)
        write_durably(public_path, (public.text + "\n").encode("ascii"), 0o644)
    except OSError as error:
        raise cannot_write(path, error) from None
    return public


def load_private(path: Path) -> tuple[Ed25519PrivateKey, PublicKey]:
    """The private key in `path` (made by `make_key`) and its public key."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise cannot_read(path, error) from None
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise UserError(
            _("{path} is not a pack key; make one with 'hartsverbinding pack key FILE'.").format(
                path=path
            )
        )
    return private, _public_of(private)


def read_public(path: Path) -> PublicKey:
    """A public key file (the `.pub` beside a key, or a copy a coach sent)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise cannot_read(path, error) from None
    words = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    key = PublicKey.parse(words[0]) if len(words) == 1 else None
    if key is None:
        raise UserError(
            _("{path} is not a public pack key (one line of base64, as 'pack key' writes).").format(
                path=path
            )
        )
    return key


def sign(private: Ed25519PrivateKey, manifest: bytes) -> bytes:
    return private.sign(SIGNED_PREFIX + manifest)


def _public_of(private: Ed25519PrivateKey) -> PublicKey:
    return PublicKey(
        private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    )
