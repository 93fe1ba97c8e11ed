"""What `vcgencmd get_throttled` says about a Raspberry Pi's power and heat. Pure.

The bits (Raspberry Pi documentation, "vcgencmd"): 0 under-voltage now, 1 ARM frequency capped
now, 2 throttled now, 3 soft temperature limit now; 16 to 19 the same "has occurred since boot".
"""

from __future__ import annotations

from dataclasses import dataclass

UNDER_VOLTAGE_NOW = 0x1
THROTTLED_NOW = 0x4
UNDER_VOLTAGE_SINCE_BOOT = 0x10000
THROTTLED_SINCE_BOOT = 0x40000
TEMPERATURE_LIMIT = 0x8 | 0x80000


@dataclass(frozen=True)
class Throttled:
    bits: int

    @property
    def under_voltage(self) -> bool:
        return bool(self.bits & (UNDER_VOLTAGE_NOW | UNDER_VOLTAGE_SINCE_BOOT))

    @property
    def under_voltage_now(self) -> bool:
        return bool(self.bits & UNDER_VOLTAGE_NOW)

    @property
    def too_hot(self) -> bool:
        """Slowed down by heat (throttled without under-voltage, or the soft limit)."""
        throttled = self.bits & (THROTTLED_NOW | THROTTLED_SINCE_BOOT)
        return bool(self.bits & TEMPERATURE_LIMIT) or (bool(throttled) and not self.under_voltage)


def parse_throttled(output: str) -> Throttled | None:
    """`throttled=0x50005` -> Throttled(0x50005); None when the output is something else."""
    text = output.strip()
    if not text.startswith("throttled="):
        return None
    try:
        return Throttled(int(text.removeprefix("throttled="), 16))
    except ValueError:
        return None
