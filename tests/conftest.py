"""Shared fixtures: the content, a PulseAudio server, the small real Vosk model, Whisper base and
the speech servers of the house (tests/servers.py); the check of the programs the tests run
(tests/programs.py) and the tiers (tests/tiers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.content import Content, load_content
from tests.helpers import CONTENT_DIR, korean_model_dir
from tests.programs import missing_programs, need_program, programs_required
from tests.pulse import PulseServer, pulse_server
from tests.servers import SpeechServer, assemble_whisper_base, piper_server, whisper_server
from tests.tiers import TIERS, add_tiers, pure_guard, slow_first_timed_last, timed_guard


def pytest_sessionstart(session: pytest.Session) -> None:
    """Where every program is required (scripts/test, CI): before any test, every program the
    tests run is on PATH, or one line per missing one (scripts/test-programs lists them;
    scripts/setup --dev installs them). Elsewhere the tests that need one are skipped."""
    lines = missing_programs()
    if lines and programs_required():
        raise pytest.UsageError("\n".join(lines))


def pytest_report_header(config: pytest.Config) -> list[str]:
    missing = [line.rsplit(" ", 1)[1] for line in missing_programs()]
    if not missing:
        return []
    return [f"missing programs (the tests that run them are skipped): {', '.join(missing)}"]


def pytest_configure(config: pytest.Config) -> None:
    registered = {line.split(":", 1)[0].strip() for line in config.getini("markers")}
    unregistered = set(TIERS) - registered
    if unregistered:
        raise pytest.UsageError(f"tiers not registered in pyproject.toml: {unregistered}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    add_tiers(items)
    slow_first_timed_last(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    with timed_guard(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with pure_guard(item):
        return (yield)


@pytest.fixture(scope="session", autouse=True)
def private_config_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tests' own config folder (for this process and every program it starts): the
    developer's config.yaml and kept voice preferences must not change what a test sees, and a
    test that says *zachter* must not change the developer's."""
    folder = tmp_path_factory.mktemp("config")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def english_messages() -> Iterator[None]:
    """Messages for the person in English (for this process and every program it starts),
    whatever the developer's locale: most tests compare them with their English text. A test
    about the Dutch ones sets the locale itself (tests/test_i18n.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LANGUAGE", "en")
        yield


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT_DIR)


@pytest.fixture
def pulse() -> Iterator[PulseServer]:
    """A private PulseAudio server with sinks 'speaker' (default output) and 'mic' (its monitor
    is the default input). Child processes use it through `pulse.env`."""
    need_program("pulseaudio", "pactl", "paplay", "parec")
    with pulse_server() as server:
        yield server


@pytest.fixture
def portaudio_on_pulse(pulse: PulseServer) -> Iterator[PulseServer]:
    """PortAudio in this process pointed at the private server (it reads the environment
    only when it initialises), and put back afterwards."""
    import sounddevice

    with pytest.MonkeyPatch.context() as patch:
        for key in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "HOME"):
            patch.setenv(key, pulse.env[key])
        sounddevice._terminate()
        sounddevice._initialize()
        try:
            yield pulse
        finally:
            sounddevice._terminate()
    sounddevice._initialize()


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    """The one real Vosk model installable here (Korean, from PyPI): for everything that does
    not depend on the language."""
    return korean_model_dir()


@pytest.fixture(scope="session")
def whisper_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper base in CTranslate2 form (MIT, from PyPI), assembled once per test session."""
    return assemble_whisper_base(tmp_path_factory.mktemp("whisper"))


@pytest.fixture(scope="session")
def stt_server(
    whisper_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SpeechServer]:
    """A real wyoming-faster-whisper on a free loopback port, Dutch, shared by the session.
    A test that stops a server starts its own with tests.servers.whisper_server."""
    with whisper_server(whisper_model_dir, tmp_path_factory.mktemp("stt")) as server:
        yield server


@pytest.fixture(scope="session")
def tts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpeechServer]:
    """A real wyoming-piper with the English test voice, on a free loopback port."""
    with piper_server(tmp_path_factory.mktemp("tts")) as server:
        yield server
