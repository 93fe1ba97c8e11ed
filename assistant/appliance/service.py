"""Installing, removing and asking after the systemd user service that runs `standby`.

A *user* service, not a system one: on Raspberry Pi OS (Bookworm, Trixie) the sound server
(PipeWire or PulseAudio) runs per user, and a system service cannot reach it
(wyoming-satellite#32, #53). A user's services only run while they are logged in, unless
lingering is on (`loginctl enable-linger`): then they start at boot, so install turns it on.

Every command goes through a `Runner`, so tests record the commands instead of running them.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.appliance.unit import UNIT_NAME
from assistant.durable import write_durably
from assistant.errors import UserError
from assistant.i18n import _

SYSTEMCTL = ("systemctl", "--user")
LINGER_DIR = Path("/var/lib/systemd/linger")  # logind keeps one empty file per lingering user
SYSTEMD_MARKER = Path("/run/systemd/system")  # exists only when systemd is the init system
LOG_COMMAND = f"journalctl --user -u {UNIT_NAME} -f"


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def why(self) -> str:
        """The first line the command said about its failure."""
        for line in (*self.stderr.splitlines(), *self.stdout.splitlines()):
            if line.strip():
                return line.strip()
        return f"exit status {self.returncode}"


class Runner(Protocol):
    def run(self, command: Sequence[str]) -> Ran: ...


class SubprocessRunner:
    """Runs the command; sudo asks for a password on the terminal if it needs one."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout

    def run(self, command: Sequence[str]) -> Ran:
        try:
            done = subprocess.run(
                list(command), capture_output=True, text=True, timeout=self.timeout
            )
        except FileNotFoundError:
            return Ran(127, "", f"{command[0]}: command not found")
        except subprocess.TimeoutExpired:
            return Ran(124, "", f"{command[0]}: no answer within {self.timeout:g} s")
        return Ran(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class Host:
    """Who installs, and where things are (tests point the folders elsewhere)."""

    user: str
    is_root: bool
    unit_dir: Path
    linger_dir: Path = LINGER_DIR
    systemd_marker: Path = SYSTEMD_MARKER

    @staticmethod
    def current() -> Host:
        import pwd  # POSIX only, like systemd

        config = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
        return Host(
            user=pwd.getpwuid(os.getuid()).pw_name,
            is_root=os.getuid() == 0,
            unit_dir=Path(config) / "systemd" / "user",
        )

    @property
    def unit_path(self) -> Path:
        return self.unit_dir / UNIT_NAME

    @property
    def lingering(self) -> bool:
        return (self.linger_dir / self.user).exists()


class NoSystemd(UserError):
    """No systemd here, or no user manager to talk to: nothing this command can do."""


class ServiceError(UserError):
    """systemctl or loginctl refused; the message says which and why."""

    exit_status = 1


@dataclass(frozen=True)
class ServiceState:
    installed: bool
    enabled: str  # what `systemctl --user is-enabled` says: enabled, disabled, not-found, ...
    active: str  # what `systemctl --user is-active` says: active, inactive, failed, ...
    lingering: bool

    @property
    def healthy(self) -> bool:
        return self.installed and self.enabled == "enabled" and self.active == "active"


def linger_command(host: Host) -> list[str]:
    command = ["loginctl", "enable-linger", host.user]
    return command if host.is_root else ["sudo", *command]


def install_commands(host: Host) -> list[list[str]]:
    """What `install` runs after writing the unit, in order (also shown by --dry-run)."""
    commands = [
        [*SYSTEMCTL, "daemon-reload"],
        [*SYSTEMCTL, "enable", UNIT_NAME],
        [*SYSTEMCTL, "restart", UNIT_NAME],  # starts it, or applies a changed unit
    ]
    if not host.lingering:
        commands.append(linger_command(host))
    return commands


def systemd_version(runner: Runner) -> int | None:
    """The version `systemctl --version` reports ("systemd 252 (252.39-1~deb12u2)")."""
    ran = runner.run(["systemctl", "--version"])
    words = ran.stdout.split()
    if ran.ok and len(words) > 1 and words[0] == "systemd" and words[1].isdigit():
        return int(words[1])
    return None


def require_user_manager(host: Host, runner: Runner) -> None:
    """NoSystemd (one line, exit 2) unless the user's systemd answers."""
    if not host.systemd_marker.is_dir():
        raise NoSystemd(
            _(
                "This system does not run systemd, which the service needs: start "
                "'hartsverbinding standby' another way, for example from a login script."
            )
        )
    ran = runner.run([*SYSTEMCTL, "show-environment"])
    if not ran.ok:
        raise NoSystemd(
            _(
                "Cannot reach your systemd user manager ({why}). Run this as the person who "
                "practises, logged in directly (for example over ssh), not through sudo or su."
            ).format(why=ran.why())
        )


def install(host: Host, runner: Runner, unit: str) -> bool:
    """Write the unit, enable and (re)start it, and turn lingering on if it is off. True when
    lingering was turned on now. ServiceError when a step fails (the unit stays written)."""
    require_user_manager(host, runner)
    host.unit_dir.mkdir(parents=True, exist_ok=True)
    write_durably(host.unit_path, unit.encode("utf-8"))
    commands = install_commands(host)
    linger = linger_command(host)
    for command in commands:
        ran = runner.run(command)
        if ran.ok:
            continue
        if command == linger:
            raise ServiceError(
                _(
                    "The service is installed and running, but lingering could not be turned "
                    "on ({why}), so it stops when you log out and does not start at boot. Ask "
                    "an administrator to run: sudo loginctl enable-linger {user}"
                ).format(why=ran.why(), user=host.user)
            )
        raise ServiceError(
            _("'{command}' failed: {why}").format(command=" ".join(command), why=ran.why())
        )
    return linger in commands


def status(host: Host, runner: Runner) -> ServiceState:
    require_user_manager(host, runner)
    enabled = runner.run([*SYSTEMCTL, "is-enabled", UNIT_NAME]).stdout.strip()
    active = runner.run([*SYSTEMCTL, "is-active", UNIT_NAME]).stdout.strip()
    return ServiceState(
        installed=host.unit_path.exists(),
        enabled=enabled or "not-found",
        active=active or "unknown",
        lingering=host.lingering,
    )


def remove(host: Host, runner: Runner) -> bool:
    """Stop, disable and delete the unit. False when it was not installed. Lingering is left
    as it is: other services of this user may need it."""
    require_user_manager(host, runner)
    if not host.unit_path.exists():
        return False
    ran = runner.run([*SYSTEMCTL, "disable", "--now", UNIT_NAME])
    if not ran.ok:
        raise ServiceError(
            _("'systemctl --user disable --now {unit}' failed: {why}").format(
                unit=UNIT_NAME, why=ran.why()
            )
        )
    host.unit_path.unlink()
    runner.run([*SYSTEMCTL, "daemon-reload"])
    runner.run([*SYSTEMCTL, "reset-failed", UNIT_NAME])  # forgets a failed state; may refuse
    return True
