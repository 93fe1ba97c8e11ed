"""Settings: defaults, overridden by the config file, overridden by the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from assistant.content.nodes import Node, parse_file
from assistant.errors import ContentError, UserError
from assistant.i18n import N_, _
from assistant.places import config_home, data_home


@dataclass(frozen=True)
class Settings:
    journal: Path
    language: str = "nl"  # the content's language folder, when --content names the folder above
    pace: float = 1.0  # scales every pause of the exercise; 0 waits nowhere
    patience: float = 30.0  # seconds of silence before the one gentle reminder
    keep_audio: bool = True  # keep each spoken answer as a WAV beside the journal
    look_back: bool = True  # earlier answers may be read aloud (off where others listen)
    model: Path | None = None
    mic: str | None = None
    speaker: str | None = None
    voice: str | None = None  # a voice id or name; default: the best Dutch voice installed
    answer_silence: float = 2.5  # an answer ends after this much silence once speech started
    answer_max: float = 180.0
    holdoff: float = 0.3  # microphone ignored this long after the assistant stops playing
    rate_prompt: int = 150  # words per minute
    rate_guide: int = 120
    rate_reading: int = 135
    volume: float = 1.0
    synthesis_timeout: float = 15.0
    start_button: str | None = None  # a GPIO pin such as GPIO17 (needs the button extra)
    voice_cache_mb: int = 200  # rendered speech kept at most; the least recently used go first


_PATH_FIELDS = {"journal", "model"}
_DEVICE_FIELDS = {"mic", "speaker"}  # a name (best: it survives a reboot) or an index
_INT = "tag:yaml.org,2002:int"


def load_settings(config_file: Path | None) -> Settings:
    """Defaults, then the config file (the one given, or config.yaml in the config folder)."""
    settings = Settings(journal=data_home() / "journal")
    path = config_file or config_home() / "config.yaml"
    if config_file is None and not path.exists():
        return settings
    try:
        found = parse_file(str(path)).mapping(set(), frozenset(f.name for f in fields(Settings)))
    except ContentError as error:
        raise UserError(_("config file {message}").format(message=error.message)) from None
    values: dict[str, Any] = {key: _value(key, node) for key, node in found.items()}
    return replace(settings, **values)


# Allowed ranges for the numeric settings: (low, high, unit).
_RANGES: dict[str, tuple[float, float, str]] = {
    "pace": (0, 10, ""),
    "patience": (5, 3600, N_("seconds")),
    "answer_silence": (0.5, 30, N_("seconds")),
    "answer_max": (5, 3600, N_("seconds")),
    "holdoff": (0, 5, N_("seconds")),
    "rate_prompt": (60, 400, N_("words per minute")),
    "rate_guide": (60, 400, N_("words per minute")),
    "rate_reading": (60, 400, N_("words per minute")),
    "volume": (0, 1, ""),
    "synthesis_timeout": (1, 120, N_("seconds")),
    "voice_cache_mb": (10, 100_000, "MB"),
}


def _value(key: str, node: Node) -> object:
    if key in ("keep_audio", "look_back"):
        return node.flag()
    if key in _RANGES:
        value = node.number(*_RANGES[key])
        return int(value) if key.startswith("rate_") or key.endswith("_mb") else value
    if key == "start_button":
        return node.scalar()  # GPIO17, BOARD11, or the bare number 17
    if key in _PATH_FIELDS:
        return Path(os.path.expanduser(node.text()))
    if key in _DEVICE_FIELDS and node.node.tag == _INT:
        return str(int(node.number(0, 10_000)))  # `mic: 2`: a device index, as on the command line
    return node.text()
