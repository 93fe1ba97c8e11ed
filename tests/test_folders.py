"""Where the program keeps its files: one place per kind, the one the program really uses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant import places
from assistant.config import load_settings
from tests.helpers import run_cli

pytestmark = pytest.mark.files

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="XDG is the Linux convention")


@linux_only
def test_folders_follow_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for kind in ("DATA", "CONFIG", "CACHE"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    assert places.data_home() == tmp_path / "data" / "hartsverbinding"
    assert places.config_home() == tmp_path / "config" / "hartsverbinding"
    assert places.cache_home() == tmp_path / "cache" / "hartsverbinding"
    assert load_settings(None).journal.folder == tmp_path / "data" / "hartsverbinding" / "journal"


@linux_only
def test_without_xdg_the_usual_hidden_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for kind in ("DATA", "CONFIG", "CACHE"):
        monkeypatch.delenv(f"XDG_{kind}_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert places.data_home() == tmp_path / ".local" / "share" / "hartsverbinding"
    assert places.cache_home() == tmp_path / ".cache" / "hartsverbinding"


@linux_only
def test_a_spoken_session_keeps_its_rendered_lines_under_the_cache_folder(tmp_path: Path) -> None:
    """The cache the program really uses (a real session, the real voice) is the one above."""
    cache = tmp_path / "cache"
    done = run_cli(
        "vragen",
        "--speaker",
        str(tmp_path / "out.wav"),
        "--pace",
        "0",
        "--journal",
        str(tmp_path / "journal"),
        env={"XDG_CACHE_HOME": str(cache), "XDG_CONFIG_HOME": str(tmp_path / "config")},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rendered = list((cache / "hartsverbinding" / "voice").rglob("*.wav"))
    assert rendered, f"no rendered line under {cache}: {sorted(cache.rglob('*'))}"


def test_the_command_line_overrides_the_config_file_in_each_part(tmp_path):
    from assistant.cli.grammar import parse
    from assistant.cli.main import _settings

    config = tmp_path / "config.yaml"
    config.write_text("pace: 2\njournal: /elders\nmic: usb\nvolume: 0.5\n", encoding="utf-8")
    options = ["--journal", str(tmp_path / "j"), "--pace", "0", "--model", str(tmp_path / "m")]
    options += ["--mic", "x.wav", "--speaker", "none", "--config", str(config)]
    settings = _settings(parse(["vragen", *options]))
    assert settings.journal.folder == tmp_path / "j" and settings.pace == 0
    assert (settings.devices.model, settings.devices.mic) == (tmp_path / "m", "x.wav")
    assert settings.devices.speaker == "none" and settings.devices.mic_is_recording
    assert settings.volume == 0.5  # from the file: no option for it
