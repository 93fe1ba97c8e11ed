"""`hartsverbinding service install|remove|status`: the practice as a systemd user service.

Progress and problems go to standard error; `status` and `install --dry-run` print their result
on standard output (the dry run prints a unit file whose other lines are comments, so it can be
checked with `systemd-analyze verify` as it is).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from assistant import places
from assistant.appliance import service
from assistant.appliance.service import Host, Runner, SubprocessRunner
from assistant.appliance.unit import OLDEST_SYSTEMD, UnitSpec, unit_text
from assistant.i18n import _
from assistant.recognizer.model import MODEL_ENV


def service_command(
    verb: str,
    args: argparse.Namespace,
    host: Host | None = None,
    runner: Runner | None = None,
) -> int:
    """`service install`, `service status` or `service remove` (`args`: the command line's)."""
    host = host or Host.current()
    runner = runner or SubprocessRunner()
    if verb == "install":
        return install_command(args, host, runner, bool(args.dry_run))
    if verb == "remove":
        return remove_command(host, runner)
    return status_command(host, runner)


def standby_spec(args: argparse.Namespace, systemd_version: int) -> UnitSpec:
    """`standby` run by the installed program (pip, pipx, or editable: whatever stays where it
    is), else, for code run from a clone that is not installed, by this very interpreter from
    the clone; with the options given to `service install` (paths made absolute: the service
    starts in another folder). Never --verbose: under systemd, standard error goes to the
    system journal."""
    program = places.installed_program()
    if program is not None:
        command, folder = [str(program), "standby"], None
    else:
        command = [os.path.abspath(sys.executable), "-m", "assistant", "standby"]
        folder = str(places.import_root())  # so `-m assistant` finds the code that is not installed
    for option, path in (
        ("--config", args.config),
        ("--journal", args.journal),
        ("--model", args.model),
        ("--content", args.content),
    ):
        if path is not None:
            command += [option, str(Path(path).expanduser().absolute())]
    for option, device in (("--mic", args.mic), ("--speaker", args.speaker)):
        if device is not None:
            wav = device.lower().endswith(".wav")
            command += [option, str(Path(device).absolute()) if wav else device]
    environment = []
    if args.model is None and os.environ.get(MODEL_ENV):
        model = Path(os.environ[MODEL_ENV]).expanduser().absolute()
        environment.append((MODEL_ENV, str(model)))
    return UnitSpec(tuple(command), folder, tuple(environment), systemd_version)


def install_command(args: argparse.Namespace, host: Host, runner: Runner, dry_run: bool) -> int:
    version = service.systemd_version(runner) or OLDEST_SYSTEMD
    unit = unit_text(standby_spec(args, version))
    if dry_run:
        print(f"# {host.unit_path}")
        print(unit, end="")
        print("# " + _("Then:"))
        for command in service.install_commands(host):
            print(f"#   {' '.join(command)}")
        print(_("Dry run: nothing was written or run."), file=sys.stderr)
        return 0
    lingering_now = service.install(host, runner, unit)
    _say(_("Installed {path}: the service is enabled and running.").format(path=host.unit_path))
    if lingering_now:
        _say(
            _("Lingering is on for {user}: the service starts at boot, without a login.").format(
                user=host.user
            )
        )
    _say(_("Its log: {command}").format(command=service.LOG_COMMAND))
    if host.is_root:
        _say(
            _(
                "Note: this installed the service for root. It is meant for the person who "
                "practises: run it as that user, without sudo."
            )
        )
    return 0


def status_command(host: Host, runner: Runner) -> int:
    state = service.status(host, runner)
    if state.installed:
        print(
            _("service:   installed ({path}), {enabled}, {active}").format(
                path=host.unit_path, enabled=state.enabled, active=state.active
            )
        )
    else:
        print(_("service:   not installed ('hartsverbinding service install' installs it)"))
    if state.lingering:
        print(_("lingering: on (the service starts at boot, without a login)"))
    else:
        print(
            _(
                "lingering: off (the service runs only while you are logged in; "
                "'sudo loginctl enable-linger {user}' turns it on)"
            ).format(user=host.user)
        )
    print(_("log:       {command}").format(command=service.LOG_COMMAND))
    return 0 if state.healthy and state.lingering else 1


def remove_command(host: Host, runner: Runner) -> int:
    if not service.remove(host, runner):
        _say(_("The service is not installed; nothing to remove."))
        return 0
    _say(_("The service is stopped, disabled and removed."))
    if host.lingering:
        _say(
            _(
                "Lingering is left on (other services of yours may need it); "
                "'loginctl disable-linger {user}' turns it off."
            ).format(user=host.user)
        )
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr)
