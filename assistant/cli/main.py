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
from assistant.report import warn

USAGE_WORDS = """\
what to do (default: welcome, then choose):
  oefening               start the breathing and visualization exercise
  vragen                 start the ten reflection questions
  PRACTICE-ID            start another practice from the content folder
  opnemen [PRACTICE]     record the lines in the coach's own voice (or only PRACTICE's,
                         'text' or 'say'); goes on where the last run stopped
  standby                wait to be called ("hartsverbinding"), then a session; again
  devices                list the audio devices
  model download         fetch the Dutch speech model into models/
  transcribe FILE.wav    print the transcript of a recording
  journal read [ID]      print the journal (asks the passphrase if it is encrypted)
  journal export DIR     write a readable copy of the journal to DIR
  journal encrypt        encrypt the journal with a passphrase, from now on
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line like every other problem, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message}. See 'hartsverbinding --help'.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hartsverbinding",
        description="Hartsverbinding: a Dutch self-compassion practice, guided by voice, offline.",
        epilog=USAGE_WORDS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("words", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--text", action="store_true", help="type and read instead of talk")
    parser.add_argument("--pace", type=_pace, help="scale every pause (0: no waiting)")
    parser.add_argument("--journal", type=Path, metavar="DIR", help="journal folder")
    parser.add_argument("--content", type=Path, metavar="DIR", help="another content folder")
    parser.add_argument("--config", type=Path, metavar="FILE", help="another config file")
    parser.add_argument("--model", type=Path, metavar="DIR", help="Vosk model folder")
    parser.add_argument("--mic", metavar="NAME|INDEX|FILE.wav", help="microphone or recording")
    parser.add_argument("--speaker", metavar="NAME|FILE.wav", help="audio output or a WAV file")
    parser.add_argument("--timeline", type=Path, metavar="FILE.json", help="segments played")
    parser.add_argument(
        "--again", action="store_true", help="opnemen: record lines that have a recording too"
    )
    parser.add_argument("--verbose", action="store_true", help="log details on stderr")
    return parser


def _pace(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError("give a factor from 0 to 10")
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
        warn("stopped; everything you confirmed is saved.")
        return 130


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    settings = _settings(args)
    words: list[str] = args.words
    if words[:2] == ["model", "download"] and len(words) == 2:
        from assistant.cli.listening import download_command

        return download_command(settings)
    if words == ["devices"]:
        from assistant.cli.listening import devices_command

        return devices_command()
    if len(words) == 2 and words[0] == "transcribe":
        from assistant.cli.listening import transcribe_command

        return transcribe_command(Path(words[1]), settings)
    content = load_content(args.content or default_content_dir(), settings.language)
    if words[:1] == ["journal"]:
        return _journal_command(words[1:], content, settings)
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
                "standby listens for its start phrase: it needs a microphone, not --text."
            )
        from assistant.session.standby import run_standby

        return run_standby(content, settings, timeline=args.timeline)
    if len(words) > 1:
        parser.error(f"unknown command: {' '.join(words)}")
    practice_id = words[0] if words else None
    if practice_id is not None and content.practice(practice_id) is None:
        known = ", ".join(p.id for p in content.practices)
        raise UserError(f"there is no practice '{practice_id}' (known: {known}).")
    from assistant.session.start import run_practice

    run_practice(content, settings, practice_id, text_only=args.text, timeline=args.timeline)
    return 0


def _journal_command(words: list[str], content: Content, settings: Settings) -> int:
    from assistant.cli import journal as verbs
    from assistant.journal.markdown import Labels
    from assistant.journal.store import Journal

    journal = Journal(settings.journal, Labels(**content.journal), settings.keep_audio)
    if words == ["encrypt"]:
        return verbs.encrypt_command(journal)
    if words[:1] == ["read"] and len(words) <= 2:
        return verbs.read_command(journal, words[1] if len(words) == 2 else None)
    if words[:1] == ["export"] and len(words) == 2:
        return verbs.export_command(journal, Path(words[1]))
    raise UserError("Use 'journal read [ID]', 'journal export DIR' or 'journal encrypt'.")


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
