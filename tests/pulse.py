"""A private PulseAudio server with null sinks: a real audio device for tests on machines
without a sound card. Audio played into a sink comes back on its `.monitor` source.

Every server a test starts, or starts again in the same folder, is stopped by `pulse_server`
before it returns: the processes are found by their environment, not trusted to a PID file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

OWNER = "HARTSVERBINDING_TEST_PID"  # in a server's environment: the test process that started it


@dataclass(frozen=True)
class PulseServer:
    runtime_dir: Path
    env: dict[str, str]  # environment for a process that should use this server

    def pactl(self, *args: str) -> str:
        done = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout

    def stop(self) -> None:
        """Stop the server, and any other one started in the same folder: returns once their
        processes have exited."""
        stop_pulse(self.runtime_dir)


def _environment(runtime_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_RUNTIME_DIR=str(runtime_dir),
        PULSE_RUNTIME_PATH=str(runtime_dir / "pulse"),
        HOME=str(runtime_dir),  # keeps the server's cookie and state out of the real home
        **{OWNER: str(os.getpid())},
    )
    env.pop("PULSE_SERVER", None)
    return env


def _alive(env: dict[str, str]) -> bool:
    probe = subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=10)
    return probe.returncode == 0


def start_pulse(runtime_dir: Path, sinks: tuple[str, ...] = ("speaker", "mic")) -> PulseServer:
    """Start (or restart in the same folder) a server whose default sink is the first sink and
    whose default source is the monitor of the second."""
    env = _environment(runtime_dir)
    command = ["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--daemonize=yes"]
    command += ["--load=module-native-protocol-unix"]
    command += [f"--load=module-null-sink sink_name={sink}" for sink in sinks]
    subprocess.run(command, env=env, capture_output=True, timeout=20, check=True)
    deadline = time.monotonic() + 10
    while not _alive(env):
        if time.monotonic() > deadline:
            raise RuntimeError("PulseAudio did not start")
        time.sleep(0.05)
    server = PulseServer(runtime_dir, env)
    server.pactl("set-default-sink", sinks[0])
    if len(sinks) > 1:
        server.pactl("set-default-source", f"{sinks[1]}.monitor")
    return server


def pulse_available() -> bool:
    return shutil.which("pulseaudio") is not None and shutil.which("pactl") is not None


@contextmanager
def pulse_server(sinks: tuple[str, ...] = ("speaker", "mic")) -> Iterator[PulseServer]:
    """A server in a new private folder, stopped at the end (with any other one started in the
    same folder), also when it failed to start halfway."""
    with tempfile.TemporaryDirectory(prefix="hv-pulse-") as folder:
        try:
            yield start_pulse(Path(folder), sinks)
        finally:
            stop_pulse(Path(folder))


def stop_pulse(runtime_dir: Path, patience: float = 5.0) -> None:
    """Stop every pulseaudio process of `runtime_dir` and wait until they have exited: through
    its PID file first, then SIGTERM, then SIGKILL to each. Raises if one outlives all that."""
    subprocess.run(
        ["pulseaudio", "--kill"], env=_environment(runtime_dir), capture_output=True, timeout=10
    )
    for escalation in (None, signal.SIGTERM, signal.SIGKILL):
        if escalation is not None:
            for pid in daemons(runtime_dir):
                with suppress(ProcessLookupError):
                    os.kill(pid, escalation)
        deadline = time.monotonic() + patience
        while daemons(runtime_dir):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        else:
            return
    raise RuntimeError(f"pulseaudio processes of {runtime_dir} outlived SIGKILL")


def daemons(runtime_dir: Path | None = None) -> set[int]:
    """The live pulseaudio processes of `runtime_dir`, or else all those this test process
    started: told by the environment they were started with, not by a PID file."""
    if runtime_dir is not None:
        wanted = f"XDG_RUNTIME_DIR={runtime_dir}".encode()
    else:
        wanted = f"{OWNER}={os.getpid()}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "pulseaudio":
                continue
            environment = (entry / "environ").read_bytes().split(b"\0")  # empty: a zombie
        except OSError:  # gone meanwhile, or another user's
            continue
        if wanted in environment:
            found.add(int(entry.name))
    return found


def name_alsa_devices(server: PulseServer, devices: dict[str, str]) -> None:
    """ALSA devices with stable names, each a PulseAudio sink or source (`{"usb_mic":
    "mic.monitor"}`), as a USB card has its own name: PortAudio lists them by these names.
    Written to the server's HOME (~/.asoundrc); PortAudio reads it when it initialises."""
    lines = [f'pcm.{name} {{ type pulse device "{target}" }}' for name, target in devices.items()]
    (Path(server.env["HOME"]) / ".asoundrc").write_text("\n".join(lines) + "\n", encoding="utf-8")
