"""The systemd user service: the unit passes the real `systemd-analyze verify`; install, status
and remove run the right commands (recorded by a fake runner: this machine has no running
systemd); without systemd each verb says so in one line, exit 2."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import places
from assistant.appliance.service import (
    Host,
    NoSystemd,
    Ran,
    ServiceError,
    install,
    remove,
    status,
    systemd_version,
)
from assistant.appliance.unit import UNIT_NAME, UnitSpec, unit_text
from assistant.cli.grammar import parse
from assistant.cli.service import service_command, standby_spec
from tests.fakes import RecordingRunner
from tests.helpers import ROOT, run_cli
from tests.programs import need_program

pytestmark = pytest.mark.files


def _host(tmp_path: Path, *, root: bool = False, lingering: bool = False) -> Host:
    marker = tmp_path / "run-systemd-system"
    marker.mkdir(parents=True, exist_ok=True)
    linger = tmp_path / "linger"
    linger.mkdir(exist_ok=True)
    if lingering:
        (linger / "pi").touch()
    return Host("pi", root, tmp_path / "config" / "systemd" / "user", linger, marker)


def _args(*argv: str) -> argparse.Namespace:
    return parse(["service", "install", *argv]).args


def verify(unit: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """The real `systemd-analyze verify` of a user unit (it needs a private runtime folder)."""
    need_program("systemd-analyze")
    runtime = folder / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    path = folder / UNIT_NAME
    path.write_text(unit, encoding="utf-8")
    return subprocess.run(
        ["systemd-analyze", "verify", "--user", "--man=no", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, XDG_RUNTIME_DIR=str(runtime)),
    )


# --- the unit -------------------------------------------------------------------------------


def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # Paths and names that need quoting and escaping: spaces, %, $, quotes.
    args = _args(
        "--journal", str(tmp_path / "my journal $HOME"),
        "--mic", 'USB PnP Sound Device: "Audio" 100%',
        "--config", str(tmp_path / "config.yaml"),
    )  # fmt: skip
    unit = unit_text(standby_spec(args, 252))
    done = verify(unit, tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    # The check is real: a unit whose program is not there fails it.
    broken = unit.replace(str(places.installed_program()), "/nonexistent/hartsverbinding")
    assert verify(broken, tmp_path).returncode != 0


def test_the_unit_runs_standby_with_the_installed_program_and_never_verbose(
    tmp_path: Path,
) -> None:
    """The program pip installed (here: editable, in .venv), from no particular folder; a
    pipx install is checked for real in tests/test_wheel.py."""
    program = places.installed_program()
    assert program == Path(sys.executable).parent / "hartsverbinding"
    args = _args("--mic", "USB PnP Sound Device: Audio", "--journal", "relative/journal")
    unit = unit_text(standby_spec(args, 252))
    lines = unit.splitlines()
    exec_start = next(line for line in lines if line.startswith("ExecStart="))
    assert exec_start.startswith(f"ExecStart={program} standby")
    assert not any(line.startswith("WorkingDirectory=") for line in lines)
    assert '--mic "USB PnP Sound Device: Audio"' in exec_start
    assert f"--journal {Path('relative/journal').absolute()}" in exec_start
    assert "--verbose" not in unit
    assert 'Environment="PYTHONUNBUFFERED=1"' in lines
    assert "Restart=on-failure" in lines and "StartLimitIntervalSec=0" in lines
    assert "WantedBy=default.target" in lines
    assert any(line.startswith("After=pipewire.service pipewire-pulse.service") for line in lines)


def test_code_that_is_not_installed_runs_with_this_python_from_its_clone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(places, "installed_program", lambda: None)
    lines = unit_text(standby_spec(_args(), 252)).splitlines()
    assert f"ExecStart={os.path.abspath(sys.executable)} -m assistant standby" in lines
    assert f"WorkingDirectory={ROOT}" in lines


def test_systemd_254_and_later_back_off_instead_of_a_fixed_delay() -> None:
    spec = UnitSpec(("/usr/bin/python3", "-m", "assistant", "standby"), "/srv/hv")
    old = unit_text(spec).splitlines()
    new = unit_text(UnitSpec(spec.command, spec.working_directory, (), 254)).splitlines()
    assert "RestartSec=10s" in old and not any(line.startswith("RestartSteps") for line in old)
    assert {"RestartSec=2s", "RestartSteps=8", "RestartMaxDelaySec=5min"} <= set(new)


def test_a_model_chosen_by_the_environment_goes_into_the_unit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HARTSVERBINDING_MODEL", str(tmp_path / "model 50%"))
    unit = unit_text(standby_spec(_args(), 252))
    assert f'Environment="HARTSVERBINDING_MODEL={tmp_path}/model 50%%"' in unit.splitlines()
    assert (verify(unit, tmp_path).returncode, verify(unit, tmp_path).stderr) == (0, "")


# --- the command line -----------------------------------------------------------------------


def test_dry_run_prints_a_unit_that_passes_verify_and_changes_nothing(tmp_path: Path) -> None:
    config_home = tmp_path / "config"
    done = run_cli("service", "install", "--dry-run", env={"XDG_CONFIG_HOME": str(config_home)})
    assert done.returncode == 0, done.stderr
    checked = verify(done.stdout, tmp_path)
    assert (checked.returncode, checked.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[0] == f"# {config_home}/systemd/user/{UNIT_NAME}"
    assert f"#   systemctl --user enable {UNIT_NAME}" in lines
    assert any(line.startswith("ExecStart=") and "standby" in line for line in lines)
    assert not config_home.exists()


# A carriage return ends a line for systemd: written raw (before issue 17), this value gave the
# unit an ExecStartPre= of its own that `systemd-analyze verify` accepted without a word.
INJECTED = '/tmp/m\rExecStartPre=/bin/touch /tmp/hv-pwned\rEnvironment="A='


@pytest.mark.parametrize("given_by", ["--mic", "--journal", "HARTSVERBINDING_MODEL"])
@pytest.mark.parametrize("control", ["\r", "\n", "\t", "\x0b", "\x0c", "\x1b", "\x85"])
def test_a_value_with_a_control_character_never_reaches_the_unit(
    tmp_path: Path, given_by: str, control: str
) -> None:
    value = INJECTED.replace("\r", control)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    if given_by.startswith("--"):
        done = run_cli("service", "install", "--dry-run", given_by, value, env=env)
    else:
        done = run_cli("service", "install", "--dry-run", env={**env, given_by: value})
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""  # no unit at all
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "control character" in lines[0] and repr(control)[1:-1] in lines[0], lines[0]


def test_values_with_every_other_hard_character_make_one_line_each(tmp_path: Path) -> None:
    # Quotes, backslashes, specifiers, variables, spaces, non-ASCII and a Unicode line
    # separator (systemd ends lines only at \n and \r): quoted, and read back by the real
    # systemd-analyze as the same lines and no others.
    hard = 'Mic "é"\\ $HOME %h ; \u2028 ExecStartPre=/bin/false'
    done = run_cli(
        "service",
        "install",
        "--dry-run",
        "--mic",
        hard,
        env={"XDG_CONFIG_HOME": str(tmp_path / "config"), "HARTSVERBINDING_MODEL": f"/m/{hard}"},
    )
    assert done.returncode == 0, done.stderr
    checked = verify(done.stdout, tmp_path)
    assert (checked.returncode, checked.stderr) == (0, "")
    lines = done.stdout.split("\n")  # not splitlines(): that also splits at U+2028
    assert [line for line in lines if line.startswith("Exec")] == [
        next(line for line in lines if line.startswith("ExecStart="))
    ]
    assert sum(line.startswith("Environment=") for line in lines) == 2


@pytest.mark.skipif(
    Path("/run/systemd/system").is_dir(),
    reason="this machine runs systemd: the verbs would install a service for real",
)
@pytest.mark.parametrize("verb", ["install", "status", "remove"])
def test_without_systemd_each_verb_says_so_in_one_line(verb: str, tmp_path: Path) -> None:
    config_home = tmp_path / "config"
    done = run_cli("service", verb, env={"XDG_CONFIG_HOME": str(config_home)})
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "systemd" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not config_home.exists()


# --- install, status, remove with recorded commands -----------------------------------------


def test_install_writes_the_unit_enables_starts_and_lingers_through_sudo(tmp_path: Path) -> None:
    host = _host(tmp_path)
    runner = RecordingRunner()
    assert install(host, runner, "[Unit]\n") is True
    assert host.unit_path.read_text() == "[Unit]\n"
    assert runner.commands == [
        ["systemctl", "--user", "show-environment"],
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", UNIT_NAME],
        ["systemctl", "--user", "restart", UNIT_NAME],
        ["sudo", "loginctl", "enable-linger", "pi"],
    ]


def test_root_lingers_without_sudo_and_lingering_is_not_asked_twice(tmp_path: Path) -> None:
    runner = RecordingRunner()
    install(_host(tmp_path / "root", root=True), runner, "[Unit]\n")
    assert runner.commands[-1] == ["loginctl", "enable-linger", "pi"]
    runner = RecordingRunner()
    assert install(_host(tmp_path / "lingers", lingering=True), runner, "[Unit]\n") is False
    assert not any("enable-linger" in command for command in runner.commands)


def test_a_refused_linger_says_what_the_administrator_should_run(tmp_path: Path) -> None:
    runner = RecordingRunner(
        {"sudo loginctl enable-linger pi": Ran(1, "", "sudo: a password is required\n")}
    )
    with pytest.raises(ServiceError) as raised:
        install(_host(tmp_path), runner, "[Unit]\n")
    assert raised.value.exit_status == 1
    assert "a password is required" in raised.value.message
    assert "sudo loginctl enable-linger pi" in raised.value.message


def test_a_failing_systemctl_is_named_with_its_reason(tmp_path: Path) -> None:
    fails = {f"systemctl --user enable {UNIT_NAME}": Ran(1, "", "Failed to enable unit: denied\n")}
    with pytest.raises(ServiceError, match=f"systemctl --user enable {UNIT_NAME}.*denied"):
        install(_host(tmp_path), RecordingRunner(fails), "[Unit]\n")


def test_no_systemd_and_no_user_manager_are_one_line_errors(tmp_path: Path) -> None:
    host = _host(tmp_path)
    unreachable = RecordingRunner(
        {
            "systemctl --user show-environment": Ran(
                1, "", "Failed to connect to bus: No medium found\n"
            )
        }
    )
    with pytest.raises(NoSystemd, match=r"No medium found.*not through sudo"):
        install(host, unreachable, "[Unit]\n")
    host.systemd_marker.rmdir()
    with pytest.raises(NoSystemd, match="does not run systemd") as raised:
        status(host, RecordingRunner())
    assert raised.value.exit_status == 2 and "\n" not in raised.value.message
    assert not host.unit_path.exists()


def test_status_says_installed_enabled_active_lingering_and_where_the_log_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = _host(tmp_path, lingering=True)
    answers = {
        f"systemctl --user is-enabled {UNIT_NAME}": Ran(0, "enabled\n", ""),
        f"systemctl --user is-active {UNIT_NAME}": Ran(0, "active\n", ""),
    }
    install(host, RecordingRunner(), "[Unit]\n")
    assert service_command("status", _args(), host, RecordingRunner(answers)) == 0
    out = capsys.readouterr().out
    assert "installed" in out and "enabled" in out and "active" in out
    assert "lingering: on" in out and f"journalctl --user -u {UNIT_NAME}" in out

    stopped = dict(answers)
    stopped[f"systemctl --user is-active {UNIT_NAME}"] = Ran(3, "failed\n", "")
    assert service_command("status", _args(), host, RecordingRunner(stopped)) == 1
    assert "failed" in capsys.readouterr().out


def test_remove_stops_disables_deletes_and_leaves_lingering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = _host(tmp_path, lingering=True)
    install(host, RecordingRunner(), "[Unit]\n")
    runner = RecordingRunner()
    assert service_command("remove", _args(), host, runner) == 0
    assert not host.unit_path.exists()
    assert ["systemctl", "--user", "disable", "--now", UNIT_NAME] in runner.commands
    assert not any("linger" in " ".join(command) for command in runner.commands)
    assert "loginctl disable-linger pi" in capsys.readouterr().err
    assert remove(host, RecordingRunner()) is False  # again: nothing to remove


def test_the_systemd_version_is_read_from_systemctl() -> None:
    runner = RecordingRunner(
        {"systemctl --version": Ran(0, "systemd 252 (252.39-1~deb12u2)\n", "")}
    )
    assert systemd_version(runner) == 252
    assert systemd_version(RecordingRunner({"systemctl --version": Ran(127, "", "")})) is None
