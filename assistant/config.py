"""Settings: defaults, overridden by the config file, overridden by the command line.

The config file is flat: the keys the README lists under "Settings". The program's settings
come in frozen parts, one for each part of the program, each handed only to the code that
needs it: `voice` (VoiceSettings, in voice/settings.py), `listen` (ListenSettings, in
recognizer/settings.py), `journal` and `devices` (here), beside what the whole session shares
(language, pace, patience, volume). KEYS says which key of the file sets which field of which
part: the one place where the two shapes meet, for the file and the command line alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.content.nodes import Node, parse_file
from assistant.errors import ContentError, UserError
from assistant.i18n import N_, _
from assistant.places import config_home, data_home
from assistant.recognizer.settings import ListenSettings
from assistant.voice.settings import ServerVoice, StyleSettings, VoiceSettings


@dataclass(frozen=True)
class JournalSettings:
    folder: Path
    keep_audio: bool = True  # keep each spoken answer as a WAV beside the journal
    look_back: bool = True  # earlier answers may be read aloud (off where others listen)


@dataclass(frozen=True)
class DeviceSettings:
    mic: str | None = None  # a device's name or index, or a WAV file heard as the microphone
    speaker: str | None = None  # a device's name or index, 'none', or a WAV file to render into
    model: Path | None = None  # the speech model's folder; None: the one found
    start_button: str | None = None  # a GPIO pin such as GPIO17 (needs the button extra)

    @property
    def renders_to_file(self) -> bool:
        """--speaker FILE.wav: the session is a rendering, not a conversation."""
        return self.speaker is not None and self.speaker.lower().endswith(".wav")

    @property
    def mic_is_recording(self) -> bool:
        """--mic FILE.wav: a recording is heard instead of a microphone."""
        return (self.mic or "").lower().endswith(".wav")


# The config file's defaults, where they differ from the parts' own.
_VOICE = VoiceSettings(timeout=15.0, cache_bytes=200 * 1_000_000)
_LISTEN = ListenSettings(answer_max=180.0)


@dataclass(frozen=True)
class Settings:
    journal: JournalSettings
    devices: DeviceSettings = DeviceSettings()
    voice: VoiceSettings = _VOICE
    listen: ListenSettings = _LISTEN
    language: str = "nl"  # the content's language folder, when --content names the folder above
    pace: float = 1.0  # scales every pause of the exercise; 0 waits nowhere
    patience: float = 30.0  # seconds of silence before the one gentle reminder
    volume: float = 1.0  # times the person's own (*harder*/*zachter*), applied as it is played
    pack: str | None = None  # the installed pack that speaks (else the one `pack use` chose)


# Each key of the config file: the part it sets ("" for the session's own) and the field there.
KEYS: dict[str, tuple[str, str]] = {
    "journal": ("journal", "folder"),
    "keep_audio": ("journal", "keep_audio"),
    "look_back": ("journal", "look_back"),
    "mic": ("devices", "mic"),
    "speaker": ("devices", "speaker"),
    "model": ("devices", "model"),
    "start_button": ("devices", "start_button"),
    "voice": ("voice", "voice"),
    "rate_prompt": ("voice", "prompt"),
    "rate_guide": ("voice", "guide"),
    "rate_reading": ("voice", "reading"),
    "synthesis_timeout": ("voice", "timeout"),
    "voice_cache_mb": ("voice", "cache_bytes"),
    "voice_server": ("voice", "server"),
    "voice_server_personal": ("voice", "server_personal"),
    "answer_silence": ("listen", "answer_silence"),
    "answer_max": ("listen", "answer_max"),
    "holdoff": ("listen", "holdoff"),
    "transcriber": ("listen", "transcriber"),
    "transcriber_wait": ("listen", "transcriber_wait"),
    "language": ("", "language"),
    "pace": ("", "pace"),
    "patience": ("", "patience"),
    "volume": ("", "volume"),
    "pack": ("", "pack"),
}
# Keys whose value the part keeps in another form.
_FORMS: dict[str, Callable[[Any], object]] = {
    "rate_prompt": StyleSettings,
    "rate_guide": StyleSettings,
    "rate_reading": StyleSettings,
    "voice_cache_mb": lambda megabytes: megabytes * 1_000_000,
}


def with_values(settings: Settings, values: Mapping[str, object]) -> Settings:
    """`settings` with `values` set, each named by its key in the config file (the command
    line's options use the same names)."""
    changes: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        part, field = KEYS[key]
        form = _FORMS.get(key)
        changes.setdefault(part, {})[field] = value if form is None else form(value)
    own = changes.pop("", {})
    parts = {part: replace(getattr(settings, part), **fields) for part, fields in changes.items()}
    return replace(settings, **own, **parts)


_PATH_FIELDS = {"journal", "model"}
_DEVICE_FIELDS = {"mic", "speaker"}  # a name (best: it survives a reboot) or an index
_INT = "tag:yaml.org,2002:int"


def load_settings(config_file: Path | None) -> Settings:
    """Defaults, then the config file (the one given, or config.yaml in the config folder)."""
    settings = Settings(journal=JournalSettings(data_home() / "journal"))
    path = config_file or config_home() / "config.yaml"
    if config_file is None and not path.exists():
        return settings
    try:
        found = parse_file(str(path)).mapping(set(), frozenset(KEYS))
    except ContentError as error:
        raise UserError(_("config file {message}").format(message=error.message)) from None
    values: dict[str, Any] = {key: _value(key, node) for key, node in found.items()}
    return with_values(settings, values)


# Allowed ranges for the numeric settings: (low, high, unit).
_RANGES: dict[str, tuple[float, float, str]] = {
    "pace": (0, 10, ""),
    "patience": (5, 3600, N_("seconds")),
    "answer_silence": (0.5, 30, N_("seconds")),
    "answer_max": (5, 3600, N_("seconds")),
    "holdoff": (0, 5, N_("seconds")),
    "transcriber_wait": (0, 10, N_("seconds")),
    "rate_prompt": (60, 400, N_("words per minute")),
    "rate_guide": (60, 400, N_("words per minute")),
    "rate_reading": (60, 400, N_("words per minute")),
    "volume": (0, 1, ""),
    "synthesis_timeout": (1, 120, N_("seconds")),
    "voice_cache_mb": (10, 100_000, "MB"),
}


def _value(key: str, node: Node) -> object:
    if key in ("keep_audio", "look_back", "voice_server_personal"):
        return node.flag()
    if key == "voice_server":
        try:
            return ServerVoice.parse(node.text())
        except UserError as error:
            node.fail(error.message)  # names the file and the line
    if key in _RANGES:
        value = node.number(*_RANGES[key])
        return int(value) if key.startswith("rate_") or key.endswith("_mb") else value
    if key == "start_button":
        return node.scalar()  # GPIO17, BOARD11, or the bare number 17
    if key == "transcriber":
        return _transcriber(node)
    if key in _PATH_FIELDS:
        return Path(os.path.expanduser(node.text()))
    if key in _DEVICE_FIELDS and node.node.tag == _INT:
        return str(int(node.number(0, 10_000)))  # `mic: 2`: a device index, as on the command line
    return node.text()


def _transcriber(node: Node) -> str:
    """`transcriber:` checked for its form now (a model that is not downloaded yet is said
    when it is first used, with the command that fetches it)."""
    from assistant.recognizer.transcribers import spec_problem

    value = node.text().strip()
    problem = spec_problem(value)
    if problem is not None:
        node.fail(problem)
    return value
