"""`journal restore ID [PRACTICE] N`: an answer shown again as the person confirmed it, not as a
better recogniser heard it later (the versions stay in the file; nothing is lost)."""

from __future__ import annotations

from assistant.cli.grammar import Parsed
from assistant.config import Settings
from assistant.content.model import Content
from assistant.errors import UserError
from assistant.i18n import _
from assistant.journal.markdown import Entry
from assistant.journal.store import Journal
from assistant.journal.versions import SessionBusy, change_answer
from assistant.report import warn


def command(
    verb: str, parsed: Parsed, journal: Journal, content: Content, settings: Settings
) -> int:
    from assistant.cli import journal as journal_cli

    record_id: str = parsed.value("id")
    known = {record.id for record in journal_cli.known_sessions(journal)}
    if record_id not in known:
        raise UserError(
            _("There is no session '{id}' in {folder}; 'journal list' shows them.").format(
                id=record_id, folder=journal.folder
            )
        )
    words = [parsed.value("practice"), parsed.value("number")]
    practice, number = journal_cli.question_of(content, [w for w in words if w is not None])
    found: list[Entry] = []

    def back_to_confirmed(entry: Entry) -> bool:
        found.append(entry)
        if entry.improved is None:
            return False
        entry.use_confirmed = True
        return True

    try:
        changed = change_answer(
            journal, record_id, practice.id, number, back_to_confirmed, journal_cli.opener(journal)
        )
    except SessionBusy:
        raise UserError(
            _("Session {id} is being written by a practice now; try again when it ends.").format(
                id=record_id
            )
        ) from None
    if not found:
        raise UserError(
            _("Session {id} has no answer to question {number} of {practice}.").format(
                id=record_id, number=number, practice=practice.id
            )
        )
    if changed:
        warn(_("Answer {number} is shown again as you confirmed it.").format(number=number))
    else:
        warn(_("Answer {number} is already shown as you confirmed it.").format(number=number))
    return 0
