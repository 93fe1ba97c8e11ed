"""What every journal command needs before it reads: the sessions known without a passphrase,
the passphrase itself (asked once, and only after what can be checked without it), and the
question a command names. Shared by journal.py and journal_versions.py.
"""

from __future__ import annotations

import getpass
import sys

from assistant.content.model import Content, QuestionList
from assistant.errors import UserError
from assistant.i18n import _
from assistant.journal.crypt import Opener
from assistant.journal.markdown import SessionRecord
from assistant.journal.reading import Locked, read_sessions
from assistant.journal.store import Journal
from assistant.report import warn


def read_passphrase(prompt: str, confirm: bool = False) -> str:
    """From the terminal without echo; from standard input when it is not a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Once more: ")) != first:
        raise UserError(_("The two passphrases differ; nothing was changed."))
    return first


def known_sessions(journal: Journal) -> list[SessionRecord]:
    """The sessions as known without a passphrase; an empty journal is a UserError."""
    records = journal.sessions()
    if not records:
        raise UserError(
            _("The journal in {folder} holds no sessions yet.").format(folder=journal.folder)
        )
    if journal.files.encrypted and journal.files.plaintext():
        warn(
            _(
                "Some files in {folder} are not encrypted yet: 'journal encrypt' finishes the job."
            ).format(folder=journal.folder)
        )
    return records


def unlock(journal: Journal) -> Opener | None:
    """None for a plain journal; for an encrypted one, asks the passphrase."""
    if not journal.files.encrypted:
        return None
    return Opener.unlock(journal.folder, read_passphrase(_("Passphrase: ")))


def sessions_with_words(journal: Journal) -> tuple[list[SessionRecord], Opener | None]:
    """Every session with its words, and the opener that decrypted them (asked for once)."""
    if journal.files.encrypted:
        known_sessions(journal)  # before the passphrase is asked for
    opener = unlock(journal)
    result = read_sessions(journal, opener)
    if isinstance(result, Locked) or not result:  # never Locked: an opener was made above
        raise UserError(
            _("The journal in {folder} holds no sessions yet.").format(folder=journal.folder)
        )
    return result, opener


def question_of(content: Content, words: list[str]) -> tuple[QuestionList, int]:
    """`N` or `PRACTICE N`: N alone means the one practice with questions."""
    with_questions = [p for p in content.practices if isinstance(p, QuestionList)]
    known = ", ".join(p.id for p in with_questions)
    if len(words) == 2:
        chosen = [p for p in with_questions if p.id == words[0]]
        if not chosen:
            raise UserError(
                _("There is no practice with questions called '{id}' (known: {known}).").format(
                    id=words[0], known=known
                )
            )
    elif len(with_questions) != 1:
        raise UserError(
            _("Say which practice: 'journal question PRACTICE N' (known: {known}).").format(
                known=known
            )
        )
    else:
        chosen = with_questions
    practice = chosen[0]
    count = len(practice.questions)
    number = int(words[-1]) if words[-1].isdecimal() else 0
    if not 1 <= number <= count:
        raise UserError(
            _("'{given}' is not a question of {practice}: give a number from 1 to {count}.").format(
                given=words[-1], practice=practice.id, count=count
            )
        )
    return practice, number
