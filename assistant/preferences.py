"""How loud and how fast the person wants the assistant, changed by voice and kept for next time.

*Harder*/*zachter* move the volume in steps of 3 dB; *langzamer*/*sneller* move the speaking
rate and, with it, the exercise's silences. Both are bounded, so nobody can turn the voice off
or race it by accident. They are kept in a small state file beside the config, written
durably, and multiply what the config file says.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from assistant.content.nodes import SharedLoader
from assistant.durable import ensure_private_folder, write_durably

log = logging.getLogger(__name__)

VOLUME_STEPS = range(-6, 3)  # -18 dB .. +6 dB around the configured volume
PACE_STEPS = range(-3, 4)  # negative: slower speech and longer silences
DB_PER_STEP = 3.0
RATE_PER_STEP = 1.08  # words per minute, multiplied per step faster
SILENCE_PER_STEP = 1.15  # the exercise's silences, multiplied per step slower
STATE_FILE = "state.yaml"


@dataclass(frozen=True)
class Preferences:
    volume_step: int = 0
    pace_step: int = 0

    @property
    def volume(self) -> float:
        """Gain on the configured volume."""
        return float(10 ** (self.volume_step * DB_PER_STEP / 20))

    @property
    def rate(self) -> float:
        """Factor on the configured speaking rates."""
        return float(RATE_PER_STEP**self.pace_step)

    @property
    def pauses(self) -> float:
        """Factor on the exercise's silences (and on --pace)."""
        return float(SILENCE_PER_STEP ** (-self.pace_step))

    def louder(self, steps: int) -> Preferences | None:
        """One step louder (or softer, steps=-1); None at the limit."""
        wanted = self.volume_step + steps
        return replace(self, volume_step=wanted) if wanted in VOLUME_STEPS else None

    def faster(self, steps: int) -> Preferences | None:
        """One step faster (or slower, steps=-1); None at the limit."""
        wanted = self.pace_step + steps
        return replace(self, pace_step=wanted) if wanted in PACE_STEPS else None


def load_preferences(folder: Path) -> Preferences:
    """What was kept last time; the defaults when nothing (or nothing usable) was."""
    path = folder / STATE_FILE
    try:
        found = yaml.load(path.read_text(encoding="utf-8"), Loader=SharedLoader) or {}
        volume, pace = int(found.get("volume_step", 0)), int(found.get("pace_step", 0))
    except FileNotFoundError:
        return Preferences()
    except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as error:
        log.warning("ignoring %s: %s", path, error)
        return Preferences()
    return Preferences(
        volume_step=min(max(volume, VOLUME_STEPS[0]), VOLUME_STEPS[-1]),
        pace_step=min(max(pace, PACE_STEPS[0]), PACE_STEPS[-1]),
    )


def save_preferences(folder: Path, preferences: Preferences) -> None:
    """Durably, so a power cut right after *zachter* does not bring back the loud voice."""
    ensure_private_folder(folder)
    text = yaml.safe_dump(
        {"volume_step": preferences.volume_step, "pace_step": preferences.pace_step}
    )
    write_durably(folder / STATE_FILE, text.encode("utf-8"))
