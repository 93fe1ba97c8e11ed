"""The text of the systemd user unit that keeps `hartsverbinding standby` running.

Pure: no systemd needed to make it, so it is tested (and verified with `systemd-analyze verify`)
anywhere. Why each line is there is written into the unit itself, for whoever opens it.

Every value that goes into it (paths, device names, the model folder from the environment) is
free of control characters, or the unit is not made: systemd ends a line at a carriage return
as well as a newline, so such a value could start a directive of its own (ExecStartPre=).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.errors import UserError
from assistant.i18n import _

UNIT_NAME = "hartsverbinding.service"
OLDEST_SYSTEMD = 252  # Raspberry Pi OS and Debian Bookworm
GROWING_DELAY_SINCE = 254  # RestartSteps= and RestartMaxDelaySec= exist from this version on

# Words that need no quoting in ExecStart= (anything else is quoted and escaped).
_PLAIN = re.compile(r"[A-Za-z0-9_./:=@+,-]+")


@dataclass(frozen=True)
class UnitSpec:
    command: tuple[str, ...]  # an absolute program path, then its arguments
    # absolute: the folder `python -m assistant` is found from, for code that is not installed
    working_directory: str | None = None
    environment: tuple[tuple[str, str], ...] = ()
    systemd_version: int = OLDEST_SYSTEMD


def unit_text(spec: UnitSpec) -> str:
    """The unit file, ready for ~/.config/systemd/user/hartsverbinding.service."""
    if not spec.command or not spec.command[0].startswith("/"):
        raise ValueError(f"the program must be an absolute path: {spec.command!r}")
    folder = spec.working_directory
    if folder is not None and not folder.startswith("/"):
        raise ValueError(f"not an absolute folder: {folder!r}")
    environment = (("PYTHONUNBUFFERED", "1"), *spec.environment)
    for value in (
        *spec.command,
        *([folder] if folder is not None else []),
        *(v for pair in environment for v in pair),
    ):
        _refuse_control_characters(value)
    if spec.systemd_version >= GROWING_DELAY_SINCE:
        restart_delay = [
            "# A failed start is retried after 2 s, then ever later, at most every 5 minutes.",
            "RestartSec=2s",
            "RestartSteps=8",
            "RestartMaxDelaySec=5min",
        ]
    else:
        restart_delay = [
            "# A failed start is retried every 10 s: soon enough for a sound server or USB",
            "# microphone that comes up late, slow enough not to load the speech model in a loop.",
            "RestartSec=10s",
        ]
    lines = [
        "[Unit]",
        "Description=Hartsverbinding: the practice, started by voice",
        "# The sound server runs per user (PipeWire on Raspberry Pi OS Bookworm and Trixie,",
        "# or PulseAudio): start after it when it starts anyway. No Wants=: whichever server",
        "# is installed starts through its socket when the program connects, and wanting one",
        "# server's units would start it where the other one was chosen.",
        "After=pipewire.service pipewire-pulse.service wireplumber.service pulseaudio.service",
        "After=sound.target",
        "# No start limit: an appliance must never end up 'failed' for good because its sound",
        "# device came up late after a reboot; RestartSec below keeps the retries calm.",
        "StartLimitIntervalSec=0",
        "",
        "[Service]",
        "Type=exec",
        f"ExecStart={' '.join(_exec_word(word) for word in spec.command)}",
        # Taken as it is, no quotes: only a specifier's % needs escaping.
        *([f"WorkingDirectory={folder.replace('%', '%%')}"] if folder is not None else []),
        *(f"Environment={_quoted(f'{key}={value}')}" for key, value in environment),
        "Restart=on-failure",
        *restart_delay,
        "# Stopping is Ctrl-C for the program: it closes the microphone and the journal cleanly.",
        "KillSignal=SIGINT",
        "SuccessExitStatus=130",
        "TimeoutStopSec=15s",
        "SyslogIdentifier=hartsverbinding",
        "",
        "[Install]",
        "WantedBy=default.target",
    ]
    return "\n".join(lines) + "\n"


def _refuse_control_characters(value: str) -> None:
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise UserError(
            _(
                "{value} cannot go into the service: it holds a control character (a line "
                "break, a tab or the like). Give a name or path without one."
            ).format(value=repr(value))
        )


def _exec_word(word: str) -> str:
    """One word of ExecStart=: specifiers (%) and variables ($) are escaped, so a path or a
    device name is passed as it is."""
    if _PLAIN.fullmatch(word):
        return word
    return _quoted(word.replace("$", "$$"))


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("%", "%%") + '"'
