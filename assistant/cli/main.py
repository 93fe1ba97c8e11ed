"""The command line: `hartsverbinding [oefening|vragen|...] [options]`.

Status and problems go to standard error, what the assistant says to standard output. Anything
the user can fix ends in one message and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from assistant.config import Settings, load_settings
from assistant.content import Content, default_content_dir, load_content
from assistant.errors import UserError
from assistant.i18n import N_, _, translate_argparse
from assistant.report import warn

USAGE_WORDS = N_(
    """\
what to do (default: welcome, then choose):
  oefening               start the breathing and visualization exercise
  vragen                 start the ten reflection questions
  PRACTICE-ID            start another practice from the content folder
  opnemen [PRACTICE]     record the lines in the coach's own voice (or only PRACTICE's,
                         'text' or 'say'); goes on where the last run stopped
  standby                wait to be called ("hartsverbinding"), then a session; again
  devices                list the audio devices
  model download         fetch the Dutch speech model into models/
  voice list             the Piper voices that can be downloaded, and those installed
  voice download [NAME]  fetch a Dutch Piper voice (needs the piper extra to speak)
  transcribe FILE.wav    print the transcript of a recording
  journal list           one line a session: date, practices, answers, duration, finished
  journal read [ID]      print the journal, or one session (as Markdown)
  journal search WORDS   the answers that hold all these words (case and accents ignored)
  journal question [PRACTICE] N
                         every answer to question N through time
  journal export DIR     write a readable copy of the journal (Markdown, recordings) to DIR
  journal export DIR --html
                         write one page to read and print, DIR/journal.html, recordings beside it
  journal encrypt        encrypt the journal with a passphrase, from now on
  service install        run standby as a systemd user service, from boot on (--dry-run: show it)
  service status         whether the service is installed, enabled, running; where its log is
  service remove         stop and remove the service
  doctor                 check sound, voice, model, journal and service; say what to fix
  (an encrypted journal asks its passphrase once; 'journal list' needs none)
"""
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line like every other problem, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UserError(_("{message}. See 'hartsverbinding --help'.").format(message=message))


def build_parser() -> argparse.ArgumentParser:
    translate_argparse()
    parser = _Parser(
        prog="hartsverbinding",
        description=_(
            "Hartsverbinding: a Dutch self-compassion practice, guided by voice, offline."
        ),
        epilog=_(USAGE_WORDS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("words", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--text", action="store_true", help=_("type and read instead of talk"))
    parser.add_argument(
        "--pace", type=_pace, metavar=_("PACE"), help=_("scale every pause (0: no waiting)")
    )
    parser.add_argument("--journal", type=Path, metavar=_("DIR"), help=_("journal folder"))
    parser.add_argument("--content", type=Path, metavar=_("DIR"), help=_("another content folder"))
    parser.add_argument("--config", type=Path, metavar=_("FILE"), help=_("another config file"))
    parser.add_argument("--model", type=Path, metavar=_("DIR"), help=_("Vosk model folder"))
    parser.add_argument(
        "--mic", metavar=_("NAME|INDEX|FILE.wav"), help=_("microphone or recording")
    )
    parser.add_argument(
        "--speaker", metavar=_("NAME|FILE.wav"), help=_("audio output or a WAV file")
    )
    parser.add_argument("--timeline", type=Path, metavar=_("FILE.json"), help=_("segments played"))
    parser.add_argument(
        "--html", action="store_true", help=_("with 'journal export': one HTML page")
    )
    parser.add_argument(
        "--again", action="store_true", help=_("opnemen: record lines that have a recording too")
    )
    parser.add_argument("--verbose", action="store_true", help=_("log details on stderr"))
    parser.add_argument("--dry-run", action="store_true", help=_("service install: only show"))
    parser.add_argument(
        "--record", type=Path, metavar=_("FILE.wav"), help=_("doctor: keep the test")
    )
    # parse_intermixed_args keeps the usage for its messages by cutting the English "usage: "
    # (7 characters) off it, which leaves half of a translated one: so it is set here, whole.
    usage = parser.format_usage().removeprefix(_("usage: ")).rstrip("\n")
    parser.usage = usage.replace("%", "%%")
    return parser


def _pace(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{text}' is not a number").format(text=text)) from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(_("give a factor from 0 to 10"))
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_intermixed_args(argv)
    except UserError as error:
        warn(error.message)
        return error.exit_status
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="hartsverbinding: %(message)s",
        stream=sys.stderr,
    )
    try:
        return _run(parser, args)
    except UserError as error:
        warn(error.message)
        return error.exit_status
    except KeyboardInterrupt:
        warn(_("stopped; everything you confirmed is saved."))
        return 130


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    settings = _settings(args)
    words: list[str] = args.words
    if words[:2] == ["model", "download"] and len(words) == 2:
        from assistant.cli.listening import download_command

        return download_command(settings)
    if words[:1] == ["voice"]:
        from assistant.cli.voice import voice_command

        return voice_command(words[1:], settings)
    if words == ["devices"]:
        from assistant.cli.listening import devices_command

        return devices_command()
    if words[:1] == ["service"]:
        from assistant.cli.service import service_command

        return service_command(words[1:], args)
    if words == ["doctor"]:
        from assistant.cli.doctor import doctor_command

        return doctor_command(settings, args)
    if len(words) == 2 and words[0] == "transcribe":
        from assistant.cli.listening import transcribe_command

        return transcribe_command(Path(words[1]), settings)
    content = load_content(args.content or default_content_dir(), settings.language)
    if words[:1] == ["journal"]:
        return _journal_command(words[1:], content, settings, args.html)
    if words[:1] == ["opnemen"] and len(words) <= 2:
        from assistant.cli.recording import record_command

        return record_command(
            content,
            settings,
            words[1] if len(words) == 2 else None,
            again=args.again,
            timeline=args.timeline,
        )
    if words == ["standby"]:
        if args.text:
            raise UserError(
                _("standby listens for its start phrase: it needs a microphone, not --text.")
            )
        from assistant.session.standby import run_standby

        return run_standby(content, settings, timeline=args.timeline)
    if len(words) > 1:
        parser.error(_("unknown command: {words}").format(words=" ".join(words)))
    practice_id = words[0] if words else None
    if practice_id is not None and content.practice(practice_id) is None:
        known = ", ".join(p.id for p in content.practices)
        raise UserError(
            _("there is no practice '{id}' (known: {known}).").format(id=practice_id, known=known)
        )
    from assistant.session.start import run_practice

    run_practice(content, settings, practice_id, text_only=args.text, timeline=args.timeline)
    return 0


def _journal_command(words: list[str], content: Content, settings: Settings, html: bool) -> int:
    from assistant.cli.journal import journal_command
    from assistant.journal.markdown import Labels
    from assistant.journal.store import Journal

    journal = Journal(settings.journal, Labels(**content.journal), settings.keep_audio)
    return journal_command(words, journal, content, html)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("pace", args.pace),
            ("journal", args.journal),
            ("model", args.model),
            ("mic", args.mic),
            ("speaker", args.speaker),
        )
        if value is not None
    }
    return replace(settings, **overrides)


if __name__ == "__main__":
    sys.exit(main())
