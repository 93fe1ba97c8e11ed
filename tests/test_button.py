"""The start button: gpiozero's mock pins stand in for a Raspberry Pi's GPIO."""

from __future__ import annotations

import io
import threading
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from assistant.audio import silence, write_wav
from assistant.config import JournalSettings, Settings, with_values
from assistant.dialog.machine import State
from assistant.dialog.messages import ButtonPressed, InputEnded
from assistant.hearing import ListenMode
from assistant.session.button import StartButton, WithButton, open_button
from tests.dialog_driver import Driver
from tests.helpers import RATE, korean_model_dir, korean_standby_content

pytestmark = [pytest.mark.files, pytest.mark.vosk]


@pytest.fixture
def mock_pins():
    """gpiozero's default pins are mock pins for the test (as if on a Pi)."""
    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous


def _press(pins: MockFactory, number: int = 17) -> None:
    pin = pins.pin(number)
    pin.drive_low()  # pulled up: pressing connects it to ground
    time.sleep(0.1)
    pin.drive_high()
    time.sleep(0.1)


class QuietInput:
    """An input where nobody says anything."""

    def __init__(self) -> None:
        self.modes: list[ListenMode] = []

    def listen(self, mode: ListenMode) -> None:
        self.modes.append(mode)

    def get(self, timeout: float) -> None:
        time.sleep(timeout)

    def close(self) -> None:
        pass


def test_a_press_comes_out_of_the_input_as_its_own_event(mock_pins):
    button = StartButton("GPIO17")
    both = WithButton(QuietInput(), button)
    assert both.get(0.1) is None
    _press(mock_pins)
    assert both.get(1.0) == ButtonPressed()
    assert both.get(0.1) is None  # one press, one event (bounce is filtered)
    both.close()


def test_pressing_pauses_and_pressing_again_goes_on(content):
    drv = Driver(content)
    drv.begin("oefening", settle=False)
    drv.step_once()
    step = drv.dialog.step
    drv.send(ButtonPressed())
    assert drv.state is State.PAUSED and drv.last_said() == content.line("paused")
    drv.send(ButtonPressed())
    assert drv.state is State.EXERCISE and drv.dialog.step == step


def test_without_gpio_the_program_runs_without_the_button(capsys):
    """This build machine has no GPIO: the button is left out, said once on stderr."""
    assert open_button("GPIO17") is None
    assert capsys.readouterr().err.count("no button is used") == 1
    assert open_button(None) is None


def test_in_standby_a_press_starts_a_session(mock_pins, tmp_path: Path):
    from assistant.content import load_content
    from assistant.session.standby import run_standby

    quiet = tmp_path / "quiet.wav"
    write_wav(quiet, silence(12.0, RATE))  # nobody speaks: only the button can start it
    settings = with_values(
        Settings(journal=JournalSettings(tmp_path / "journal")),
        {
            "mic": str(quiet),
            "speaker": str(tmp_path / "out.wav"),
            "model": korean_model_dir(),
            "start_button": "GPIO17",
            "pace": 1.0,  # the recording plays in real time
        },
    )
    content = load_content(korean_standby_content(tmp_path))
    printed = io.StringIO()
    started = threading.Event()

    def press_until_it_starts() -> None:
        # The button exists once the model has loaded: press until the session begins.
        while not started.wait(0.5):
            _press(mock_pins)
            if "Welkom" in printed.getvalue():
                started.set()

    presser = threading.Thread(target=press_until_it_starts, daemon=True)
    presser.start()
    with redirect_stdout(printed):
        assert run_standby(content, settings) == 0
    started.set()
    presser.join(5)
    assert printed.getvalue().count("Welkom bij Hartsverbinding") == 1


def test_the_input_ends_through_the_button_wrapper(mock_pins):
    class Ended(QuietInput):
        def get(self, timeout: float) -> InputEnded:
            return InputEnded()

    assert WithButton(Ended(), StartButton("GPIO17")).get(1.0) == InputEnded()
