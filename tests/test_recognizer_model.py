"""Finding and loading the model, and the vocabulary check, with the real Korean Vosk model."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.content import Content
from assistant.errors import UserError
from assistant.recognizer import (
    MODEL_ENV,
    default_model_dirs,
    describe_missing,
    find_model,
    load_model,
    missing_model_message,
    missing_words,
)
from assistant.recognizer import model as model_module
from tests.helpers import ko_model

pytestmark = [pytest.mark.files, pytest.mark.vosk]


def test_find_model_prefers_explicit_then_environment_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit, from_env, default = (tmp_path / name for name in ("explicit", "env", "default"))
    for folder in (explicit, from_env, default):
        folder.mkdir()
    monkeypatch.setattr(model_module, "default_model_dirs", lambda: [default])
    monkeypatch.setenv(MODEL_ENV, str(from_env))
    assert find_model(explicit) == explicit
    assert find_model(None) == from_env
    monkeypatch.delenv(MODEL_ENV)
    assert find_model(None) == default
    default.rmdir()
    assert find_model(None) is None


def test_a_named_folder_that_is_not_there_is_an_error_not_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UserError, match="--model"):
        find_model(tmp_path / "nowhere")
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "elsewhere"))
    with pytest.raises(UserError, match=MODEL_ENV):
        find_model(None)


def test_default_folders_and_the_message_without_a_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Downloaded into the data folder; a clone's models/ is looked in too, for development."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    repo = Path(__file__).resolve().parents[1]
    data, clone = default_model_dirs()
    assert data == tmp_path / "hartsverbinding" / "models" / "vosk-model-small-nl-0.22"
    assert clone == repo / "models" / "vosk-model-small-nl-0.22"
    message = missing_model_message()
    assert "hartsverbinding model download" in message and str(data) in message


@pytest.mark.timed
def test_the_model_loads_once_per_process(ko_model_dir: Path) -> None:
    first = load_model(ko_model_dir)
    began = time.monotonic()
    again = load_model(ko_model_dir / "." / "am" / "..")  # another spelling, same folder
    assert again is first
    assert time.monotonic() - began < 0.05  # a real load takes seconds


@pytest.mark.parametrize("what", ["empty", "garbage", "missing"])
def test_a_broken_model_folder_says_which_and_how_to_fix(tmp_path: Path, what: str) -> None:
    folder = tmp_path / "model"
    if what != "missing":
        (folder / "am").mkdir(parents=True)
    if what == "garbage":
        (folder / "am" / "final.mdl").write_bytes(b"not a model")
        (folder / "conf").mkdir()
        (folder / "conf" / "model.conf").write_text("--nonsense\n")
    with pytest.raises(UserError) as raised:
        load_model(folder)
    assert str(folder) in raised.value.message
    assert "hartsverbinding model download" in raised.value.message


def test_dutch_command_words_are_reported_missing_with_their_phrasings(content: Content) -> None:
    model = ko_model()
    phrases = list(content.commands)
    missing = missing_words(model, phrases)
    assert missing["volgende"] == ["volgende", "de volgende", "volgende vraag", "volgende stap"]
    assert missing["klopt"] == ["dat klopt niet", "dat klopt"]
    assert set(missing) == {word for phrase in phrases for word in phrase.split()}
    lines = describe_missing(missing)
    assert any("'volgende'" in line and "'volgende vraag'" in line for line in lines)


def test_words_the_model_knows_are_not_reported() -> None:
    model = ko_model()
    missing = missing_words(model, ["네", "안녕하세요", "네 volgende"])
    assert missing == {"volgende": ["네 volgende"]}
