"""`journal improve`: the kept recordings of answers transcribed again by the better recogniser
(the config's `transcriber`, or --recognizer), each answer's version written as it is made, with
a progress bar on stderr. `journal restore ID [PRACTICE] N`: an answer shown again as the person
confirmed it, not as a better recogniser heard it later (the versions stay in the file)."""

from __future__ import annotations

import sys
import time

from assistant.cli.grammar import Parsed
from assistant.cli.journal_access import known_sessions, question_of, unlock
from assistant.config import Settings
from assistant.content.model import Content
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.journal.markdown import Entry
from assistant.journal.store import Journal
from assistant.journal.versions import SessionBusy, change_answer
from assistant.report import warn


def command(
    verb: str, parsed: Parsed, journal: Journal, content: Content, settings: Settings
) -> int:

    if verb == "improve":
        spec = parsed.value("recognizer") or settings.listen.transcriber
        return improve_command(journal, content, spec)
    record_id: str = parsed.value("id")
    known = {record.id for record in known_sessions(journal)}
    if record_id not in known:
        raise UserError(
            _("There is no session '{id}' in {folder}; 'journal list' shows them.").format(
                id=record_id, folder=journal.folder
            )
        )
    words = [parsed.value("practice"), parsed.value("number")]
    practice, number = question_of(content, [w for w in words if w is not None])
    found: list[Entry] = []

    def back_to_confirmed(entry: Entry) -> bool:
        found.append(entry)
        if entry.improved is None:
            return False
        entry.use_confirmed = True
        return True

    try:
        changed = change_answer(
            journal, record_id, practice.id, number, back_to_confirmed, unlock(journal)
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


def improve_command(journal: Journal, content: Content, spec: str) -> int:
    from assistant.improve.improver import (
        Improver,
        apply_done,
        queue_unimproved,
        stop_phrases,
    )
    from assistant.journal.reading import Locked, read_sessions
    from assistant.recognizer.transcribers import make_transcriber

    if spec.strip() == "vosk":
        raise UserError(
            _(
                "Vosk already wrote these answers. Choose a better recogniser: 'transcriber' in "
                "the config, or --recognizer (whisper:NAME, a model folder, tcp://HOST:PORT)."
            )
        )
    stops = stop_phrases(content)
    name = make_transcriber(spec, stop_phrases=stops).name  # a wrong one: one line, now
    known_sessions(journal)
    opener = unlock(journal)
    records = read_sessions(journal, opener)
    assert not isinstance(records, Locked)  # an opener was made for an encrypted journal
    improver = Improver(spec, journal, stop_phrases=stops, opener=opener)
    try:
        improver.resume()
        total = improver.outstanding() + queue_unimproved(improver, records, name)
        bar = AnswersBar(total)
        while improver.outstanding() and not improver.failing and not improver.unusable:
            apply_done(improver)
            bar(total - improver.outstanding())
            time.sleep(0.1)
        apply_done(improver)
        left = improver.outstanding() + len(improver.given_up)  # both wait for the next run
        bar(total - left, final=True)
    finally:
        improver.close()
    if improver.unusable:
        raise UserError(improver.unusable)
    if improver.given_up:
        raise UserError(
            ngettext(
                "{recognizer} stopped in the middle of an answer (its process ended: too "
                "little memory?); {count} answer waits. Run 'journal improve' again, or choose "
                "a smaller model.",
                "{recognizer} stopped in the middle of an answer (its process ended: too "
                "little memory?); {count} answers wait. Run 'journal improve' again, or choose "
                "a smaller model.",
                left,
            ).format(recognizer=name, count=left)
        )
    if left:
        raise UserError(
            ngettext(
                "{recognizer} cannot be reached now; {count} answer waits. Run 'journal "
                "improve' again when it is back.",
                "{recognizer} cannot be reached now; {count} answers wait. Run 'journal "
                "improve' again when it is back.",
                left,
            ).format(recognizer=name, count=left)
        )
    warn(
        ngettext(
            "{count} answer transcribed by {recognizer}.",
            "{count} answers transcribed by {recognizer}.",
            total,
        ).format(count=total, recognizer=name)
    )
    return 0


class AnswersBar:
    """Answers done of all, on stderr: redrawn in place on a terminal, a line per change else."""

    def __init__(self, total: int, width: int = 30) -> None:
        self.total, self.width, self.shown = total, width, -1

    def __call__(self, done: int, final: bool = False) -> None:
        if done == self.shown and not final:
            return
        self.shown = done
        filled = round(self.width * done / self.total) if self.total else self.width
        line = "[{}{}] {}".format(
            "#" * filled,
            "." * (self.width - filled),
            _("{done} of {total} answers").format(done=done, total=self.total),
        )
        if sys.stderr.isatty():
            print(f"\r{line}", end="\n" if final else "", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)
