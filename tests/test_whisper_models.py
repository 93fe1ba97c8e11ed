"""The Whisper model catalogue and fetching a model by name, against a local web server that
serves the real Whisper base files (from PyPI): the published sizes and SHA-256 digests are
checked, a damaged file keeps nothing, and a fetched model transcribes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from assistant.download import Remote
from assistant.errors import UserError
from assistant.recognizer.transcribers import make_transcriber
from assistant.recognizer.whisper_models import (
    CATALOGUE,
    WhisperModel,
    download_whisper_model,
    find,
    model_folder,
)
from tests.helpers import http_server, human_clips

pytestmark = pytest.mark.servers

COMMIT = re.compile(r"/resolve/[0-9a-f]{40}/")


def test_every_model_is_complete_and_pinned() -> None:
    assert [m.name for m in CATALOGUE] == ["tiny", "base", "small", "medium", "large-v3"]
    for model in CATALOGUE:
        names = [name for name, _remote in model.files]
        assert {"model.bin", "config.json", "tokenizer.json"} <= set(names), model.name
        assert any(name.startswith("vocabulary.") for name in names), model.name
        for _name, remote in model.files:
            assert COMMIT.search(remote.url), remote.url  # the files cannot change under us
            assert remote.size and remote.digest and remote.digest.startswith("sha256:")
    assert [m.size for m in CATALOGUE] == sorted(m.size for m in CATALOGUE)


@pytest.mark.slow
def test_the_base_entry_is_the_whisper_base_the_tests_use(whisper_model_dir: Path) -> None:
    """The published digests, checked against real files: Whisper base from PyPI."""
    base = find("base")
    assert base is not None
    for name, remote in base.files:
        data = (whisper_model_dir / name).read_bytes()
        assert len(data) == remote.size, name
        assert f"sha256:{hashlib.sha256(data).hexdigest()}" == remote.digest, name


class Handler(BaseHTTPRequestHandler):
    folder: ClassVar[Path]
    damage: ClassVar[str] = ""

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        path = Handler.folder / name
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        if name == Handler.damage:
            body = bytes(reversed(body))  # the same size, other bytes
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_base(whisper_model_dir: Path) -> Iterator[WhisperModel]:
    """The catalogue's base entry, served from this machine (sizes and digests unchanged)."""
    base = find("base")
    assert base is not None
    Handler.folder, Handler.damage = whisper_model_dir, ""
    with http_server(Handler) as url:
        files = tuple(
            (name, Remote(f"{url}/{name}", remote.size, remote.digest))
            for name, remote in base.files
        )
        yield replace(base, files=files)


@pytest.mark.slow
def test_a_fetched_model_is_found_by_name_and_transcribes(
    local_base: WhisperModel, tmp_path: Path
) -> None:
    lines: list[str] = []
    folder = download_whisper_model(local_base, tmp_path, lambda *_: None, say=lines.append)
    assert folder == tmp_path / "base" == model_folder("base", tmp_path)
    assert any("MIT" in line for line in lines)
    assert [p.name for p in tmp_path.iterdir()] == ["base"]  # no temporary folder left
    clip = next(c for c in human_clips() if c.path.name == "kitchen__kuch-v-podivej.wav")
    transcript = make_transcriber("whisper:base", whisper_home=tmp_path).transcribe(clip.audio())
    assert "kijk" in transcript.text.lower(), transcript.text
    again = download_whisper_model(local_base, tmp_path, lambda *_: None, say=lines.append)
    assert again == folder and "already there" in lines[-1]


@pytest.mark.slow
def test_a_damaged_file_keeps_nothing(local_base: WhisperModel, tmp_path: Path) -> None:
    Handler.damage = "tokenizer.json"
    with pytest.raises(UserError, match=r"checksum.*model download whisper:base"):
        download_whisper_model(local_base, tmp_path, lambda *_: None, say=lambda _: None)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UserError, match="not downloaded"):
        model_folder("base", tmp_path)


def test_a_half_model_folder_is_not_taken_for_a_model(tmp_path: Path) -> None:
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "model.bin").write_bytes(b"half")
    with pytest.raises(UserError, match=r"not downloaded \(486 MB\)"):
        model_folder("small", tmp_path)
    small = find("small")
    assert small is not None
    with pytest.raises(UserError, match="not a complete model"):
        download_whisper_model(small, tmp_path, say=lambda _: None)
