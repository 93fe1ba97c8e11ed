"""`voice download` against a local HTTP server the test runs: a good voice, a cut-off model, a
model whose checksum is wrong, a configuration that is not JSON. A failed download leaves
nothing behind (no half voice a session could load) and can simply be run again."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from assistant.download import Remote
from assistant.errors import UserError
from assistant.voice.piper_catalogue import (
    BASE_URL,
    CATALOGUE,
    DEFAULT_VOICE,
    CatalogueVoice,
    find,
    installed,
)
from assistant.voice.piper_download import download_voice
from tests.helpers import http_server

pytestmark = [pytest.mark.files, pytest.mark.servers]

NAME = "nl_NL-test-low"
MODEL = os.urandom(200_000)
CONFIG = json.dumps({"audio": {"sample_rate": 16000}, "espeak": {"voice": "nl"}}).encode()
CARD = b"# Model card for test (low)\n* License: CC0\n"
NOT_JSON = b"{this is not json"

BODIES = {
    "model": MODEL,
    "config": CONFIG,
    "card": CARD,
    "notjson": NOT_JSON,
    "tampered": bytes(reversed(MODEL)),  # the same size, other bytes
}


class Handler(BaseHTTPRequestHandler):
    requests: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        Handler.requests[self.path] += 1
        kind = self.path.strip("/").split("/")[-1]
        cut = kind == "cut"
        body = BODIES.get("model" if cut else kind)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if cut else body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with http_server(Handler) as url:
        yield url


def voice(
    server: str, model: str = "model", config: bytes = CONFIG, path: str = "config"
) -> CatalogueVoice:
    return CatalogueVoice(
        name=NAME,
        description="a test voice",
        licence="CC0",
        model=Remote(
            f"{server}/{model}", len(MODEL), f"sha256:{hashlib.sha256(MODEL).hexdigest()}"
        ),
        config=Remote(f"{server}/{path}", len(config), f"md5:{hashlib.md5(config).hexdigest()}"),
        card=Remote(f"{server}/card", len(CARD), f"md5:{hashlib.md5(CARD).hexdigest()}"),
    )


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_voice_is_downloaded_checked_and_put_in_place(server: str, tmp_path: Path) -> None:
    progress: list[tuple[int, int | None]] = []
    said: list[str] = []
    folder = tmp_path / "voices"
    model = download_voice(voice(server), folder, lambda *p: progress.append(p), say=said.append)
    assert model == folder / NAME / f"{NAME}.onnx"
    assert model.read_bytes() == MODEL
    assert (folder / NAME / f"{NAME}.onnx.json").read_bytes() == CONFIG
    assert (folder / NAME / "MODEL_CARD").read_bytes() == CARD
    assert left_in(folder) == [NAME] and installed(folder) == [NAME]
    total = len(MODEL) + len(CONFIG) + len(CARD)
    assert progress[0] == (0, total) and progress[-1] == (total, total)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert any("Licence: CC0" in line for line in said)
    assert str(folder / NAME) in said[-1]


def test_a_voice_already_there_is_not_fetched_again(server: str, tmp_path: Path) -> None:
    download_voice(voice(server), tmp_path, lambda *p: None, say=print)
    before = sum(Handler.requests.values())
    said: list[str] = []
    download_voice(voice(server), tmp_path, lambda *p: None, say=said.append)
    assert sum(Handler.requests.values()) == before
    assert "already there" in said[-1]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("cut", "cut off"),
        ("tampered", "does not match its published sha256 checksum"),
        ("notjson", "not one Piper can read"),
        ("missing", "404"),
    ],
)
def test_a_failed_download_leaves_nothing_and_can_be_retried(
    server: str, tmp_path: Path, kind: str, message: str
) -> None:
    folder = tmp_path / "voices"
    if kind == "notjson":
        broken = voice(server, config=NOT_JSON, path="notjson")
    else:
        broken = voice(server, model=kind)
    with pytest.raises(UserError) as raised:
        download_voice(broken, folder, lambda *p: None, say=print)
    assert message in raised.value.message
    assert f"hartsverbinding voice download {NAME}" in raised.value.message
    assert left_in(folder) == []
    download_voice(voice(server), folder, lambda *p: None, say=print)
    assert installed(folder) == [NAME]


def test_leftovers_of_a_killed_download_are_cleared(server: str, tmp_path: Path) -> None:
    stale = tmp_path / f".partial-{NAME}-k1ll3d"
    (stale / NAME).mkdir(parents=True)
    (stale / NAME / f"{NAME}.onnx").write_bytes(MODEL[:100])
    download_voice(voice(server), tmp_path, lambda *p: None, say=print)
    assert left_in(tmp_path) == [NAME]


def test_a_half_voice_folder_in_the_way_is_not_mistaken_for_a_voice(
    server: str, tmp_path: Path
) -> None:
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / f"{NAME}.onnx").write_bytes(MODEL[:10])
    with pytest.raises(UserError, match="Remove it"):
        download_voice(voice(server), tmp_path, say=print)
    assert installed(tmp_path) == []


# --- the catalogue ---------------------------------------------------------------------------


def test_every_catalogue_voice_has_published_sizes_checksums_and_a_licence() -> None:
    assert find(DEFAULT_VOICE) is not None
    assert len({entry.name for entry in CATALOGUE}) == len(CATALOGUE)
    for entry in CATALOGUE:
        language, dataset, quality = entry.name.split("-")
        assert language in ("nl_NL", "nl_BE")
        folder = f"{BASE_URL}/nl/{language}/{dataset}/{quality}"
        assert entry.model.url == f"{folder}/{entry.name}.onnx"
        assert entry.config.url == f"{folder}/{entry.name}.onnx.json"
        assert entry.card.url == f"{folder}/MODEL_CARD"
        assert entry.model.digest is not None and len(entry.model.digest) == len("sha256:") + 64
        for small in (entry.config, entry.card):
            assert small.digest is not None and len(small.digest) == len("md5:") + 32
        assert 20e6 < entry.size < 80e6
        assert "CC" in entry.licence
