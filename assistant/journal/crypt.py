"""Optional encryption of the journal at rest, in the age format (pyrage).

Writing needs no secret, so a hands-free session never asks for one: entries are encrypted to a
public key (the recipient) kept beside the journal. Reading needs the private key, which is kept
only encrypted with the user's passphrase.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.durable import write_durably
from assistant.errors import UserError
from assistant.i18n import N_, _

RECIPIENT_FILE = "journal-recipient.txt"
KEY_FILE = "journal-key.age"
INSTALL_HINT = N_("pip install 'hartsverbinding[encryption]' (the pyrage package)")


def _pyrage() -> Any:
    try:
        import pyrage
    except ImportError:
        raise UserError(
            _("Journal encryption needs pyrage: {command}.").format(command=_(INSTALL_HINT))
        ) from None
    return pyrage


class NotDecrypted(UserError):
    """One sealed file that this journal's key does not open (damaged, or from elsewhere)."""


class Sealer:
    """Encrypts to the journal's recipient. Holds no secret."""

    def __init__(self, recipient: Any) -> None:
        self.recipient = recipient

    @staticmethod
    def load(folder: Path) -> Sealer | None:
        """The journal's sealer, or None when the journal is not encrypted."""
        path = folder / RECIPIENT_FILE
        if not path.exists():
            return None
        pyrage = _pyrage()
        try:
            recipient = pyrage.x25519.Recipient.from_str(path.read_text(encoding="ascii").strip())
        except (ValueError, UnicodeDecodeError, pyrage.RecipientError) as error:
            raise UserError(
                _("{path} is damaged ({error}); the journal cannot be written.").format(
                    path=path, error=error
                )
            ) from None
        return Sealer(recipient)

    def seal(self, data: bytes) -> bytes:
        return bytes(_pyrage().encrypt(data, [self.recipient]))


class Opener:
    """Decrypts the journal; made from the passphrase."""

    def __init__(self, identity: Any) -> None:
        self._identity = identity

    @staticmethod
    def unlock(folder: Path, passphrase: str) -> Opener:
        pyrage = _pyrage()
        path = folder / KEY_FILE
        if not path.exists():
            raise UserError(
                _("The journal in {folder} is not encrypted (no {file}).").format(
                    folder=folder, file=KEY_FILE
                )
            )
        try:
            secret = pyrage.passphrase.decrypt(path.read_bytes(), passphrase)
        except pyrage.DecryptError:
            raise UserError(_("That passphrase does not open this journal.")) from None
        return Opener(pyrage.x25519.Identity.from_str(bytes(secret).decode("ascii")))

    def sealer(self) -> Sealer:
        return Sealer(self._identity.to_public())

    def open(self, data: bytes, path: Path) -> bytes:
        pyrage = _pyrage()
        try:
            return bytes(pyrage.decrypt(data, [self._identity]))
        except pyrage.DecryptError as error:
            raise NotDecrypted(
                _("{path} cannot be decrypted ({error}).").format(path=path, error=error)
            ) from None


def restore_recipient(folder: Path, passphrase: str) -> Sealer:
    """The public key again, from the private one: for an encryption cut off between the two."""
    sealer = Opener.unlock(folder, passphrase).sealer()
    write_durably(folder / RECIPIENT_FILE, f"{sealer.recipient}\n".encode("ascii"))
    return sealer


def create_key(folder: Path, passphrase: str) -> Sealer:
    """A new key pair: the private key sealed with the passphrase, the public key beside it."""
    if not passphrase:
        raise UserError(_("An empty passphrase protects nothing; choose one."))
    pyrage = _pyrage()
    if (folder / KEY_FILE).exists():
        raise UserError(_("The journal in {folder} is already encrypted.").format(folder=folder))
    identity = pyrage.x25519.Identity.generate()
    sealed_key = pyrage.passphrase.encrypt(str(identity).encode("ascii"), passphrase)
    write_durably(folder / KEY_FILE, bytes(sealed_key))
    write_durably(folder / RECIPIENT_FILE, f"{identity.to_public()}\n".encode("ascii"))
    return Sealer(identity.to_public())
