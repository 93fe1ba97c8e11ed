"""Bad input, generated: every content file, config file and command line either works or
stops with exit status 2 and one message naming the problem; never a traceback."""

from __future__ import annotations

import io
import shutil
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistant.cli import main
from assistant.config import KEYS, DeviceSettings, JournalSettings, load_settings
from assistant.content import load_content
from assistant.errors import ContentError, UserError
from assistant.recognizer.settings import ListenSettings
from assistant.speech_server import ServerAddress
from assistant.voice.settings import ServerVoice, StyleSettings, VoiceSettings
from tests.helpers import CONTENT_DIR, ROOT

pytestmark = pytest.mark.files

FILES = sorted(p.relative_to(CONTENT_DIR) for p in CONTENT_DIR.rglob("*.yaml"))
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _mutate(text: str, data: st.DataObject) -> str:
    lines = text.split("\n")
    kind = data.draw(st.sampled_from(["drop", "duplicate", "replace", "truncate", "insert"]))
    at = data.draw(st.integers(0, max(0, len(lines) - 1)))
    if kind == "drop":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "replace":
        lines[at] = data.draw(st.text(max_size=40))
    elif kind == "truncate":
        return text[: data.draw(st.integers(0, len(text)))]
    else:
        lines.insert(
            at,
            data.draw(
                st.sampled_from(
                    [
                        "  - say: x",
                        "pause: -1",
                        "id: oefening",
                        "\t",
                        "- [",
                        "{",
                        "&a",
                        "*b",
                        "? x",
                        "",
                    ]
                )
            ),
        )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="hv-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@FUZZ
@given(data=st.data())
def test_a_mutated_content_file_loads_or_names_itself(scratch, data):
    folder = scratch / "content"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(CONTENT_DIR, folder)
    relative = data.draw(st.sampled_from(FILES))
    path = folder / relative
    path.write_text(_mutate(path.read_text(encoding="utf-8"), data), encoding="utf-8")
    try:
        load_content(folder)
    except ContentError as error:
        assert error.path.startswith(str(folder)) or error.path == "content", error.message
        assert "\n" not in error.message


CONFIG_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 100000),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
)
CONFIG_KEYS = st.sampled_from([*KEYS, "onbekend", "Pace"])


@FUZZ
@given(
    entries=st.dictionaries(CONFIG_KEYS, CONFIG_VALUES, max_size=5),
    raw=st.one_of(st.none(), st.text(max_size=60)),
)
def test_any_config_file_loads_or_names_the_file(scratch, entries, raw):
    import yaml

    path = scratch / "config.yaml"
    path.write_text(raw if raw is not None else yaml.safe_dump(entries), encoding="utf-8")
    try:
        loaded = load_settings(path)
    except UserError as error:
        assert str(path) in error.message and "\n" not in error.message
    else:
        assert 0 <= loaded.pace <= 10 and 0 <= loaded.volume <= 1


EVERY_KEY = """
journal: ~/dagboek
language: en
pace: 0.5
patience: 40
keep_audio: false
look_back: false
model: /modellen/nl
mic: 2
speaker: none
voice: nl_NL-mls_5809-low
rate_prompt: 160
rate_guide: 110
rate_reading: 140
volume: 0.5
answer_silence: 3
answer_max: 200
holdoff: 0.5
synthesis_timeout: 20
start_button: GPIO17
voice_cache_mb: 50
voice_server: tcp://192.168.1.20:10200/nl_NL-mls_5809-low
voice_server_personal: true
"""


def test_every_key_of_the_flat_config_file_sets_its_part(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(EVERY_KEY, encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.journal == JournalSettings(Path.home() / "dagboek", False, look_back=False)
    assert loaded.devices == DeviceSettings(
        mic="2", speaker="none", model=Path("/modellen/nl"), start_button="GPIO17"
    )
    assert loaded.voice == VoiceSettings(
        prompt=StyleSettings(160),
        guide=StyleSettings(110),
        reading=StyleSettings(140),
        timeout=20.0,
        voice="nl_NL-mls_5809-low",
        cache_bytes=50_000_000,
        server=ServerVoice(ServerAddress("192.168.1.20", 10200), "nl_NL-mls_5809-low"),
        server_personal=True,
    )
    assert loaded.listen == ListenSettings(answer_silence=3.0, answer_max=200.0, holdoff=0.5)
    assert (loaded.language, loaded.pace, loaded.patience, loaded.volume) == ("en", 0.5, 40, 0.5)


@pytest.mark.parametrize(
    "value",
    ["http://192.168.1.20:10200", "tcp://192.168.1.20", "192.168.1.20:10200", "tcp://:10200/x"],
)
def test_a_voice_server_that_is_not_an_address_names_the_file_and_line(tmp_path, value):
    path = tmp_path / "config.yaml"
    path.write_text(f"pace: 1\nvoice_server: {value}\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        load_settings(path)
    message = raised.value.message
    assert str(path) in message and "2" in message and "tcp://HOST:PORT" in message
    assert "\n" not in message


def test_without_a_config_file_each_part_has_the_documented_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    loaded = load_settings(None)
    assert loaded.journal == JournalSettings(tmp_path / "data" / "hartsverbinding" / "journal")
    assert loaded.devices == DeviceSettings()
    assert loaded.voice == VoiceSettings(timeout=15.0, cache_bytes=200_000_000)
    assert loaded.listen == ListenSettings(answer_silence=2.5, answer_max=180.0, holdoff=0.3)
    assert (loaded.language, loaded.pace, loaded.patience, loaded.volume) == ("nl", 1, 30, 1)


def test_the_readme_lists_exactly_the_keys_of_the_config_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("\n## Settings\n", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert sorted(line.split(":", 1)[0] for line in block.splitlines()) == sorted(KEYS)


WORDS = ["oefening", "vragen", "meditatie", "", "--", "-x", "é", "transcribe", "devices"]
OPTIONS = ["--pace", "--content", "--config", "--timeline", "--verbose", "--help", "--text"]
VALUES = ["0", "1.5", "-2", "abc", "nan", "inf", "/nonexistent", "11", ""]


@FUZZ
@given(argv=st.lists(st.sampled_from(WORDS + OPTIONS + VALUES), max_size=6))
def test_any_command_line_works_or_exits_2_with_one_message(scratch, argv):
    journal = scratch / "journal"
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main([*argv, "--text", "--pace", "0", "--journal", str(journal)])
        except SystemExit as leaving:  # --help
            status = int(leaving.code or 0)
    assert status in (0, 2), (argv, status, err.getvalue())
    assert "Traceback" not in err.getvalue()
    if status == 2:
        assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()
        assert err.getvalue().startswith("hartsverbinding: ")


def _run_typed(argv: list[str], typed: bytes) -> tuple[int, str, str]:
    """The command line in text mode with `typed` as standard input, bytes as they come."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(typed), encoding="utf-8", errors="surrogateescape")
    with redirect_stdout(out), redirect_stderr(err), pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", stdin)
        status = main([*argv, "--text", "--pace", "0"])
    return status, out.getvalue(), err.getvalue()


@FUZZ
@given(typed=st.binary(max_size=200))
def test_any_bytes_typed_end_the_session_cleanly(scratch, typed):
    journal = scratch / "typed-journal"
    shutil.rmtree(journal, ignore_errors=True)
    status, _out, err = _run_typed(["--journal", str(journal)], typed)
    assert status == 0, err
    assert "Traceback" not in err


@FUZZ
@given(raw=st.binary(min_size=1, max_size=80).filter(lambda b: b"\n" not in b))
def test_any_bytes_typed_as_an_answer_are_kept(scratch, content, raw):
    """Whatever bytes make up the answer, the journal keeps it (undecodable ones replaced)."""
    from assistant.dialog.understand import understand
    from assistant.journal.markdown import parse
    from assistant.session.text_io import decode_line

    text, _replaced = decode_line(raw)
    words = " ".join(text.split())
    assume(words and understand(words, content) is None)
    journal = scratch / "answer-journal"
    shutil.rmtree(journal, ignore_errors=True)
    status, _out, err = _run_typed(
        ["vragen", "--journal", str(journal)], b"\n".join([raw, b"ja", b""])
    )
    assert status == 0, err
    [session] = sorted(journal.glob("*.md"))
    kept = parse(session.read_text(encoding="utf-8"), session.stem).answers
    assert [(a.number, a.text, a.confirmed) for a in kept] == [(1, words, True)]
