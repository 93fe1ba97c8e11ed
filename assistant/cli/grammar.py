"""The command line's grammar: every command with its own options, its own words and its own
`--help`.

`hartsverbinding [COMMAND [VERB]] [OPTIONS]`; with no command, the welcome and the menu. A
practice is a command too, but its id comes from the content, which is loaded later (from
--content): so a first word that is not one of the fixed commands is taken as a practice
(`hartsverbinding dankbaarheid`), and whether the content has it is checked once it is loaded.

The command words are found first, wherever the options stand (`--text vragen` is `vragen
--text`); then the command's own parser reads the rest, its options and its words in any order.
An option that does not belong to the command is refused in one line, which names the command
it belongs to when there is one. Every option is defined once, in options.py, and each
command names the ones that mean something to it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from assistant import places
from assistant.cli.options import OPTIONS
from assistant.errors import UserError
from assistant.i18n import N_, _, translate_argparse

PROG = "hartsverbinding"


SESSION = (
    *("text", "pace", "journal", "content", "config"),
    *("model", "mic", "speaker", "timeline", "verbose"),
)
JOURNAL = ("journal", "content", "config", "verbose")


@dataclass(frozen=True)
class Word:
    """A word a command takes besides its options."""

    dest: str
    metavar: str
    help: str
    nargs: str | None = None  # as argparse has it: None (one), "?", "+"
    type: Callable[[str], Any] = str


@dataclass(frozen=True)
class Subcommand:
    """One command of the command line, e.g. `journal export` (a spoken command is a
    `content.model.Command`)."""

    words: tuple[str, ...]  # ("journal", "export")
    help: str
    options: tuple[str, ...]  # keys of OPTIONS
    takes: tuple[Word, ...] = ()


PRACTICE_HELP = N_("start a practice from the content folder")
COMMANDS = (
    Subcommand(("oefening",), N_("start the breathing and visualization exercise"), SESSION),
    Subcommand(("vragen",), N_("start the ten reflection questions"), SESSION),
    Subcommand(
        ("opnemen",),
        N_("record the lines in the coach's own voice; goes on where the last run stopped"),
        ("content", "config", "model", "mic", "speaker", "timeline", "verbose", "again"),
        (Word("selection", N_("PRACTICE"), N_("only PRACTICE's lines, or 'text' or 'say'"), "?"),),
    ),
    Subcommand(
        ("standby",),
        N_('wait to be called ("hartsverbinding"), then a session; again'),
        tuple(option for option in SESSION if option != "text"),
    ),
    Subcommand(("devices",), N_("list the audio devices"), ("verbose",)),
    Subcommand(
        ("model", "list"),
        N_("the speech models: the Vosk one, and the Whisper models that can be downloaded"),
        ("config", "verbose"),
    ),
    Subcommand(
        ("model", "download"),
        N_("fetch the Dutch speech model, or a Whisper model (whisper:NAME)"),
        ("config", "if_online", "verbose"),
        (Word("name", N_("whisper:NAME"), N_("a Whisper model, as 'model list' shows"), "?"),),
    ),
    Subcommand(
        ("voice", "list"),
        N_("the Piper voices that can be downloaded, and those installed"),
        ("config", "verbose"),
    ),
    Subcommand(
        ("voice", "download"),
        N_("fetch a Dutch Piper voice (needs the piper extra to speak)"),
        ("config", "if_online", "verbose"),
        (Word("name", N_("NAME"), N_("the voice (default: the one 'voice list' marks)"), "?"),),
    ),
    Subcommand(
        ("transcribe",),
        N_("print the transcript of a recording"),
        ("config", "model", "recognizer", "verbose"),
        (Word("file", N_("FILE.wav"), N_("the recording"), type=Path),),
    ),
    Subcommand(
        ("journal", "list"),
        N_("one line a session: date, practices, answers, duration, finished"),
        JOURNAL,
    ),
    Subcommand(
        ("journal", "read"),
        N_("print the journal, or one session (as Markdown)"),
        JOURNAL,
        (Word("id", "ID", N_("one session, as 'journal list' shows it"), "?"),),
    ),
    Subcommand(
        ("journal", "search"),
        N_("the answers that hold all these words (case and accents ignored)"),
        JOURNAL,
        (Word("words", N_("WORD"), N_("what to look for"), "+"),),
    ),
    Subcommand(
        ("journal", "question"),
        N_("every answer to question N through time"),
        JOURNAL,
        (
            Word("practice", N_("PRACTICE"), N_("needed when several practices ask"), "?"),
            Word("number", "N", N_("the question's number")),
        ),
    ),
    Subcommand(
        ("journal", "export"),
        N_("write a readable copy of the journal (Markdown, recordings) to DIR"),
        (*JOURNAL, "html"),
        (Word("folder", N_("DIR"), N_("a new private folder")),),
    ),
    Subcommand(
        ("journal", "restore"),
        N_("show an answer as you confirmed it again, instead of its improved text"),
        JOURNAL,
        (
            Word("id", "ID", N_("the session, as 'journal list' shows it")),
            Word("practice", N_("PRACTICE"), N_("needed when several practices ask"), "?"),
            Word("number", "N", N_("the question's number")),
        ),
    ),
    Subcommand(
        ("journal", "improve"),
        N_("transcribe the kept recordings of answers again with the better recogniser"),
        (*JOURNAL, "recognizer"),
    ),
    Subcommand(
        ("journal", "encrypt"), N_("encrypt the journal with a passphrase, from now on"), JOURNAL
    ),
    Subcommand(
        ("service", "install"),
        N_("run standby as a systemd user service, from boot on"),
        ("config", "journal", "model", "mic", "speaker", "content", "dry_run", "verbose"),
    ),
    Subcommand(
        ("service", "status"),
        N_("whether the service is installed, enabled, running; where its log is"),
        ("verbose",),
    ),
    Subcommand(("service", "remove"), N_("stop and remove the service"), ("verbose",)),
    Subcommand(
        ("pack", "key"),
        N_("make a coach's signing key (private, 0600) and its public half"),
        ("verbose",),
        (
            Word(
                "file",
                N_("FILE"),
                N_("where the key goes (default: coach.key in the config folder)"),
                "?",
                Path,
            ),
        ),
    ),
    Subcommand(
        ("pack", "build"),
        N_("check a content folder as a session would, and make a signed pack of it"),
        ("key", "out", "config", "verbose"),
        (
            Word(
                "folder",
                N_("CONTENT_DIR"),
                N_("the coach's content folder, with pack.yaml"),
                type=Path,
            ),
        ),
    ),
    Subcommand(
        ("pack", "install"),
        N_("install or update a pack, from a file or an https address"),
        ("trust", "config", "verbose"),
        (Word("source", N_("FILE|URL"), N_("the pack file, or its https:// address")),),
    ),
    Subcommand(
        ("pack", "list"),
        N_("the installed packs: versions, signers, stale recordings"),
        ("config", "verbose"),
    ),
    Subcommand(
        ("pack", "use"),
        N_("let this installed pack speak from now on"),
        ("config", "verbose"),
        (Word("name", N_("NAME"), N_("the pack, as 'pack list' names it")),),
    ),
    Subcommand(
        ("pack", "remove"),
        N_("remove an installed pack"),
        ("config", "verbose"),
        (Word("name", N_("NAME"), N_("the pack, as 'pack list' names it")),),
    ),
    Subcommand(
        ("doctor",),
        N_("check sound, voice, model, journal and service; say what to fix"),
        ("config", "content", "journal", "model", "mic", "speaker", "record", "verbose"),
    ),
)

# The commands that have verbs: what each is about, and the line that says its verbs when a
# verb is missing or unknown.
GROUPS: dict[str, tuple[str, str]] = {
    "model": (
        N_("the speech models"),
        N_("Use 'model list' or 'model download [whisper:NAME]'."),
    ),
    "voice": (N_("Piper voices"), N_("Use 'voice list' or 'voice download [NAME]'.")),
    "journal": (
        N_("the journal, outside a session"),
        N_(
            "Use 'journal list', 'journal read [ID]', 'journal search WORDS', "
            "'journal question [PRACTICE] N', 'journal improve', 'journal restore ID "
            "[PRACTICE] N', 'journal export DIR [--html]' or 'journal encrypt'."
        ),
    ),
    "pack": (
        N_("a coach's packs: her practice, texts and recordings in one signed file"),
        N_(
            "Use 'pack key [FILE]', 'pack build CONTENT_DIR', 'pack install FILE|URL', "
            "'pack list', 'pack use NAME' or 'pack remove NAME'."
        ),
    ),
    "service": (
        N_("standby as a service"),
        N_("Use 'service install [--dry-run]', 'service status' or 'service remove'."),
    ),
}

EPILOG = N_(
    "With no command: the welcome, then choose. PRACTICE: any other practice in the content "
    "folder, with the options of 'vragen'. 'hartsverbinding COMMAND --help' says more; an "
    "encrypted journal asks its passphrase once ('journal list' needs none)."
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line like every other problem, not a usage dump."""

    hint: str | None = None  # a command with verbs says which there are instead

    def error(self, message: str) -> NoReturn:
        if self.hint is not None:
            raise UserError(_(self.hint))
        raise UserError(
            _("{message}. See '{command} --help'.").format(message=message, command=self.prog)
        )


@dataclass(frozen=True)
class Parsed:
    """What was asked: the command words (none for the menu; a practice's id; ("journal",
    "export")) and the values of the command's own options and words."""

    words: tuple[str, ...]
    args: argparse.Namespace

    @property
    def practice(self) -> str | None:
        """The practice to start, for the menu (None) and the practice commands."""
        return self.words[0] if self.words else None

    def value(self, name: str) -> Any:
        """An option's value; None for an option this command does not take."""
        return getattr(self.args, name, None)


@dataclass(frozen=True)
class CommandLine:
    top: _Parser
    commands: dict[tuple[str, ...], _Parser]
    groups: dict[tuple[str, ...], _Parser]


def build(practice: str | None = None) -> CommandLine:
    """The parsers, translated; with `practice` (a word that is no command) as one more
    practice command."""
    translate_argparse()
    top = _Parser(
        prog=PROG,
        description=_(
            "Hartsverbinding: a Dutch self-compassion practice, guided by voice, offline."
        ),
        epilog=_(EPILOG),
        allow_abbrev=False,  # an option is known by its whole name, also before a command
    )
    _give(top, SESSION)
    top.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {places.version()}",
        help=_("show the version and stop"),
    )
    choices = top.add_subparsers(title=_("commands"), metavar=_("COMMAND"), prog=PROG)
    line = CommandLine(top, {}, {})
    group_verbs: dict[str, Any] = {}
    for command in COMMANDS:
        first = command.words[0]
        if len(command.words) == 1:
            parser = _add(choices, first, command.help)
        else:
            if first not in group_verbs:
                about, hint = GROUPS[first]
                group = _add(choices, first, about)
                group.hint = hint
                line.groups[(first,)] = group
                group_verbs[first] = group.add_subparsers(metavar=_("VERB"), required=True)
            parser = _add(group_verbs[first], command.words[1], command.help)
        _give(parser, command.options)
        for word in command.takes:
            parser.add_argument(
                word.dest,
                metavar=_(word.metavar),
                help=_(word.help),
                nargs=word.nargs,
                type=word.type,
            )
        line.commands[command.words] = parser
        if first == "vragen":
            # Another practice: shown here in the list, with the options of a practice.
            other = _add(choices, practice or _("PRACTICE"), PRACTICE_HELP)
            _give(other, SESSION)
            if practice is not None:
                line.commands[(practice,)] = other
    for parser in line.commands.values():
        _whole_usage(parser)
    return line


def parse(argv: Sequence[str]) -> Parsed:
    """The command line, read; a mistake raises UserError (one line), and --help and
    --version print and raise SystemExit, as argparse does."""
    words, rest, practice = _command_words(list(argv))
    line = build(practice)
    if words in line.groups:
        line.groups[words].parse_args(rest)  # no verb: always an error, or its --help
        line.groups[words].error("")
    parser = line.commands.get(words, line.top)
    if parser is line.top:
        args, extra = parser.parse_known_args(rest)
    else:
        args, extra = parser.parse_known_intermixed_args(rest)
    _refuse(extra, parser, words)
    return Parsed(words, args)


def _command_words(argv: list[str]) -> tuple[tuple[str, ...], list[str], str | None]:
    """(the command words, everything else in order, the practice named when it is not one of
    the fixed commands). Options that take a value keep it, so `--mic vragen` is no command."""
    known = {command.words[: length + 1] for command in COMMANDS for length in range(2)}
    takes_value = {option.flag for option in OPTIONS.values() if option.metavar is not None}
    words: tuple[str, ...] = ()
    rest: list[str] = []
    practice = None
    value_next = options_ended = finished = False
    for word in argv:
        if value_next or finished:
            rest.append(word)
            value_next = False
            continue
        if not options_ended and word.startswith("-") and word != "-":
            options_ended = word == "--"
            value_next = word in takes_value
            rest.append(word)
            continue
        if (*words, word) in known:
            words = (*words, word)
            finished = any(command.words == words for command in COMMANDS)
        elif not words and not word.startswith("-"):
            words, practice, finished = (word,), word, True
        else:
            rest.append(word)
            finished = True
    return words, rest, practice


def _refuse(extra: list[str], parser: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
    """Anything the command's parser did not take, refused in one line."""
    if not extra:
        return
    options = [word for word in extra if word.startswith("-") and word != "--"]
    if not options:
        parser.error(_("unknown command: {words}").format(words=" ".join((*words, *extra))))
    flag = options[0].split("=")[0]
    homes = [
        command
        for command in COMMANDS
        if any(OPTIONS[name].flag == flag for name in command.options)
    ]
    if len(homes) == 1:
        home = homes[0]
        usage = " ".join((*home.words, *(_(word.metavar) for word in home.takes)))
        raise UserError(_("{option} goes with '{command}'.").format(option=flag, command=usage))
    parser.error(_("unrecognized arguments: %s") % " ".join(extra))


def _add(choices: Any, name: str, about: str) -> _Parser:
    """A command (or a verb of one) named `name`; `about` is English, marked for the catalogue."""
    parser: _Parser = choices.add_parser(
        name, help=_(about), description=_(about), allow_abbrev=False
    )
    return parser


def _give(parser: argparse.ArgumentParser, names: Sequence[str]) -> None:
    for name in names:
        option = OPTIONS[name]
        if option.metavar is None:
            parser.add_argument(option.flag, action="store_true", help=_(option.help))
        else:
            parser.add_argument(
                option.flag, type=option.type, metavar=_(option.metavar), help=_(option.help)
            )


def _whole_usage(parser: argparse.ArgumentParser) -> None:
    """argparse's intermixed parsing keeps the usage for its messages by cutting the English
    "usage: " (7 characters) off it, which leaves half of a translated one: so it is set here,
    whole."""
    usage = parser.format_usage().removeprefix(_("usage: ")).rstrip("\n")
    parser.usage = usage.replace("%", "%%")
