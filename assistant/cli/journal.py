"""`hartsverbinding journal encrypt | read [ID] | export DIR`: the journal outside a session."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from assistant import config
from assistant.durable import ensure_private_folder, write_durably
from assistant.errors import UserError
from assistant.journal.crypt import KEY_FILE, SEALED, Opener, create_key
from assistant.journal.store import PROGRESS, Journal
from assistant.voice.cache import remove_old_versions


def read_passphrase(prompt: str, confirm: bool = False) -> str:
    """From the terminal without echo; from standard input when it is not a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Nog een keer: ") != first:
        raise UserError("The two passphrases differ; nothing was changed.")
    return first


def encrypt_command(journal: Journal) -> int:
    """Encrypt the journal from now on, and every file already in it."""
    folder = journal.folder
    if (folder / KEY_FILE).exists():
        raise UserError(f"The journal in {folder} is already encrypted.")
    passphrase = read_passphrase("Wachtzin voor je dagboek: ", confirm=True)
    count = journal.seal_everything(create_key(folder, passphrase))
    # An older version cached spoken read-backs of answers: they must not outlive this.
    remove_old_versions(config.cache_home() / "voice")
    print(
        f"The journal in {folder} is now encrypted ({count} sessions). Keep your "
        "passphrase safe: without it nobody, you included, can read the journal.",
        file=sys.stderr,
    )
    return 0


def read_command(journal: Journal, record_id: str | None) -> int:
    """Print the sessions (or one) as Markdown, decrypting them when needed."""
    for data in _session_texts(journal, record_id):
        sys.stdout.write(data.decode("utf-8"))
    return 0


def export_command(journal: Journal, target: Path) -> int:
    """Write a readable copy of the journal (Markdown and recordings) to a private folder."""
    ensure_private_folder(target)
    opener = _opener(journal)
    count = 0
    for path in sorted(journal.folder.iterdir()):
        if path.name.startswith(".") or path.name.endswith(PROGRESS) or "journal-" in path.name:
            continue
        data = path.read_bytes()
        name = path.name
        if opener is not None and name.endswith(SEALED):
            data, name = opener.open(data, path), name.removesuffix(SEALED)
        write_durably(target / name, data)
        count += 1
    print(f"{count} files written to {target}.", file=sys.stderr)
    return 0


def _opener(journal: Journal) -> Opener | None:
    if journal.sealer is None:
        return None
    return Opener.unlock(journal.folder, read_passphrase("Wachtzin: "))


def _session_texts(journal: Journal, record_id: str | None) -> list[bytes]:
    opener = _opener(journal)
    pattern = f"{record_id or '*'}.md" + (SEALED if opener else "")
    paths = sorted(journal.folder.glob(pattern))
    if record_id and not paths:
        raise UserError(f"There is no session '{record_id}' in {journal.folder}.")
    return [opener.open(path.read_bytes(), path) if opener else path.read_bytes() for path in paths]
