"""A private PulseAudio server with null sinks: a real audio device for tests on machines
without a sound card. Audio played into a sink comes back on its `.monitor` source."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


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
        subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True, timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(self.env):
            time.sleep(0.05)


def _alive(env: dict[str, str]) -> bool:
    probe = subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=10)
    return probe.returncode == 0


def start_pulse(runtime_dir: Path, sinks: tuple[str, ...] = ("speaker", "mic")) -> PulseServer:
    """Start (or restart in the same folder) a server whose default sink is the first sink and
    whose default source is the monitor of the second."""
    env = dict(os.environ)
    env.update(
        XDG_RUNTIME_DIR=str(runtime_dir),
        PULSE_RUNTIME_PATH=str(runtime_dir / "pulse"),
        HOME=str(runtime_dir),  # keeps the server's cookie and state out of the real home
    )
    env.pop("PULSE_SERVER", None)
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
    with tempfile.TemporaryDirectory(prefix="hv-pulse-") as folder:
        server = start_pulse(Path(folder), sinks)
        try:
            yield server
        finally:
            server.stop()


def name_alsa_devices(server: PulseServer, devices: dict[str, str]) -> None:
    """ALSA devices with stable names, each a PulseAudio sink or source (`{"usb_mic":
    "mic.monitor"}`), as a USB card has its own name: PortAudio lists them by these names.
    Written to the server's HOME (~/.asoundrc); PortAudio reads it when it initialises."""
    lines = [f'pcm.{name} {{ type pulse device "{target}" }}' for name, target in devices.items()]
    (Path(server.env["HOME"]) / ".asoundrc").write_text("\n".join(lines) + "\n", encoding="utf-8")
