"""A push button as the alternative to the voice (`start_button: GPIO17` in the config).

In standby a press starts a session; in a session a press means *pauze*, or *verder* when
paused. gpiozero drives the pin (its MockFactory pins let tests press it without a Pi). Where
there is no GPIO, or gpiozero is not installed, the program runs as before without the button,
and says so once on standard error.

Threading: gpiozero calls `when_pressed` from its own thread; presses wait in a queue until
the input is next read.
"""

from __future__ import annotations

import queue
from typing import Any

from assistant.dialog.messages import ButtonPressed, InputEnded, Notice
from assistant.hearing import ListenMode, Utterance
from assistant.i18n import _
from assistant.report import warn
from assistant.session.ports import Input

BOUNCE_SECONDS = 0.05  # a mechanical button chatters; one press is one press
POLL = 0.05  # seconds between looks at the button while waiting for the other input


class StartButton:
    """One button on a GPIO pin ("GPIO17", "BCM17", "BOARD11" or a number)."""

    def __init__(self, pin: str, pin_factory: Any = None) -> None:
        from gpiozero import Button

        self.presses: queue.Queue[ButtonPressed] = queue.Queue()
        self._button = Button(pin, bounce_time=BOUNCE_SECONDS, pin_factory=pin_factory)
        self._button.when_pressed = lambda: self.presses.put(ButtonPressed())

    def close(self) -> None:
        self._button.close()


def open_button(pin: str | None) -> StartButton | None:
    """The configured button, or None (no button configured, or none can be had here)."""
    if pin is None:
        return None
    try:
        return StartButton(pin)
    except ImportError:
        warn(_("start_button is set, but gpiozero is not installed: no button is used."))
    except Exception as error:  # gpiozero's pin and factory errors: no GPIO on this machine
        warn(
            _("start_button {pin} cannot be used ({error}): no button is used.").format(
                pin=pin, error=error
            )
        )
    return None


class WithButton:
    """An input that also gives ButtonPressed when the button was pressed."""

    def __init__(self, inner: Input, button: StartButton) -> None:
        self.inner = inner
        self.button = button

    def listen(self, mode: ListenMode) -> None:
        self.inner.listen(mode)

    def get(self, timeout: float) -> Utterance | Notice | InputEnded | ButtonPressed | None:
        waited = 0.0
        while True:
            try:
                return self.button.presses.get_nowait()
            except queue.Empty:
                pass
            step = min(POLL, max(0.0, timeout - waited))
            got = self.inner.get(step)
            waited += step
            if got is not None or waited >= timeout:
                return got

    def close(self) -> None:
        self.button.close()
        self.inner.close()
