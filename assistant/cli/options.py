"""Every option of the command line, defined once: its flag, its help, its value. Each command
of grammar.py names the ones that mean something to it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.i18n import N_, _


def _pace(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{text}' is not a number").format(text=text)) from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(_("give a factor from 0 to 10"))
    return value


@dataclass(frozen=True)
class Option:
    """One option, as every command that takes it shows it. Texts are English, marked for the
    catalogue, and translated when the parser is built."""

    flag: str
    help: str
    metavar: str | None = None  # None: a switch, which takes no value
    type: Callable[[str], Any] = str


OPTIONS: dict[str, Option] = {
    "text": Option("--text", N_("type and read instead of talk")),
    "pace": Option("--pace", N_("scale every pause (0: no waiting)"), N_("PACE"), _pace),
    "journal": Option("--journal", N_("journal folder"), N_("DIR"), Path),
    "content": Option("--content", N_("another content folder"), N_("DIR"), Path),
    "config": Option("--config", N_("another config file"), N_("FILE"), Path),
    "model": Option("--model", N_("Vosk model folder"), N_("DIR"), Path),
    "mic": Option("--mic", N_("microphone or recording"), N_("NAME|INDEX|FILE.wav")),
    "speaker": Option("--speaker", N_("audio output or a WAV file"), N_("NAME|FILE.wav")),
    "timeline": Option("--timeline", N_("segments played"), N_("FILE.json"), Path),
    "verbose": Option("--verbose", N_("log details on stderr")),
    "html": Option("--html", N_("one page to read and print, DIR/journal.html")),
    "again": Option("--again", N_("record lines that have a recording too")),
    "dry_run": Option("--dry-run", N_("only show the unit and what would be run")),
    "record": Option("--record", N_("keep the microphone test"), N_("FILE.wav"), Path),
    "recognizer": Option(
        "--recognizer",
        N_(
            "who transcribes: vosk, whisper:NAME, a Vosk or Whisper model folder, or "
            "tcp://HOST:PORT (a speech server); default: 'transcriber' in the config"
        ),
        N_("SPEC"),
    ),
    "key": Option(
        "--key",
        N_("the coach's pack key (default: coach.key in the config folder)"),
        N_("FILE"),
        Path,
    ),
    "out": Option(
        "--out", N_("the pack file to write (default: NAME-VERSION.zip here)"), N_("FILE"), Path
    ),
    "trust": Option(
        "--trust",
        N_("trust the signer with this fingerprint or public key file, without asking"),
        N_("FINGERPRINT|FILE"),
    ),
    "if_online": Option(
        "--if-online", N_("only if the site answers within seconds, else go on (scripts/practice)")
    ),
}

# What every session shares: the menu, each practice, and (without --text) standby.
