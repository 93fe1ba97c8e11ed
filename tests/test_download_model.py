"""`model download` against a local HTTP server the test runs: a good archive, a cut-off one,
a damaged one. A failed download leaves nothing behind and can simply be run again."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import zipfile
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from assistant.errors import UserError
from assistant.recognizer import MODEL_SIZE, MODEL_URL, ProgressBar, download_model
from assistant.recognizer import download as model_download
from tests.helpers import http_server

pytestmark = [pytest.mark.files, pytest.mark.servers]

NAME = "vosk-model-test"
MODEL_FILES = {
    "am/final.mdl": os.urandom(300_000),  # random: deflate cannot hide damage in it
    "conf/model.conf": b"--min-active=200\n",
    "graph/HCLr.fst": os.urandom(50_000),
}


def build_zip(files: dict[str, bytes], top: str | None = NAME) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{top}/{name}" if top else name, data)
    return buffer.getvalue()


GOOD = build_zip(MODEL_FILES)
CORRUPT = bytearray(GOOD)
CORRUPT[1000:1064] = bytes(64)  # inside am/final.mdl's compressed data; same length
NOT_A_MODEL = build_zip({"README": b"hello"})
UNSAFE = build_zip({"../../escaped": b"x", **MODEL_FILES}, top=None)
# Another archive of exactly the same size: a whole model, but not the one published.
IMPOSTOR = build_zip({**MODEL_FILES, "conf/model.conf": b"--min-active=900\n"})
assert len(IMPOSTOR) == len(GOOD)


def zip_bomb() -> bytes:
    """A model whose am/final.mdl unpacks to 1.1 GB of zeros, in a 5 MB archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in MODEL_FILES.items():
            if name != "am/final.mdl":
                archive.writestr(f"{NAME}/{name}", data)
        with archive.open(f"{NAME}/am/final.mdl", "w", force_zip64=True) as member:
            block = bytes(1 << 24)
            for _ in range(66):
                member.write(block)
    return buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    requests: ClassVar[Counter[str]] = Counter()
    elsewhere: ClassVar[str] = ""  # another server's address, for redirects to another host
    bomb: ClassVar[bytes] = b""

    def do_GET(self) -> None:
        Handler.requests[self.path] += 1
        kind = self.path.split("/")[1]
        moved = {"moved-here": "", "moved-away": Handler.elsewhere}
        if kind in moved:
            self.send_response(302)
            self.send_header("Location", f"{moved[kind]}/good/{NAME}.zip")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, length = {
            "good": (GOOD, len(GOOD)),
            "cut": (GOOD[: len(GOOD) // 2], len(GOOD)),  # connection drops halfway
            "short": (GOOD[: len(GOOD) // 2], len(GOOD) // 2),  # a shorter file
            "nolength": (GOOD[: len(GOOD) // 2], None),
            "corrupt": (bytes(CORRUPT), len(CORRUPT)),
            "notmodel": (NOT_A_MODEL, len(NOT_A_MODEL)),
            "unsafe": (UNSAFE, len(UNSAFE)),
            "impostor": (IMPOSTOR, len(IMPOSTOR)),
            "bomb": (Handler.bomb, len(Handler.bomb)),
        }.get(kind, (b"", -1))
        if length == -1:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with http_server(Handler) as url:
        yield url


def url(server: str, kind: str) -> str:
    return f"{server}/{kind}/{NAME}.zip"


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_downloads_checks_and_unpacks_into_place(server: str, tmp_path: Path) -> None:
    progress: list[tuple[int, int | None]] = []
    said: list[str] = []
    dest = tmp_path / "models"
    target = download_model(
        url(server, "good"), dest, len(GOOD), lambda *p: progress.append(p), say=said.append
    )
    assert target == dest / NAME
    for name, data in MODEL_FILES.items():
        assert (target / name).read_bytes() == data
    assert left_in(dest) == [NAME]  # no temporary folder, no zip
    assert progress[0] == (0, len(GOOD)) and progress[-1] == (len(GOOD), len(GOOD))
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert str(target) in said[-1]


def test_a_model_already_there_is_not_fetched_again(server: str, tmp_path: Path) -> None:
    said: list[str] = []
    download_model(url(server, "good"), tmp_path, len(GOOD), lambda *p: None, say=said.append)
    before = Handler.requests[f"/good/{NAME}.zip"]
    again = download_model(url(server, "good"), tmp_path, len(GOOD), say=said.append)
    assert again == tmp_path / NAME
    assert Handler.requests[f"/good/{NAME}.zip"] == before
    assert "already there" in said[-1]


@pytest.mark.parametrize(
    ("kind", "expected_size", "message"),
    [
        ("cut", len(GOOD), "cut off"),
        ("short", len(GOOD), f"{len(GOOD)} were expected"),
        ("nolength", None, "damaged"),
        ("corrupt", len(GOOD), "damaged"),
        ("notmodel", None, "no Vosk model inside"),
        ("unsafe", None, "unsafe path"),
        ("missing", None, "404"),
    ],
)
def test_a_failed_download_leaves_nothing_and_can_be_retried(
    server: str, tmp_path: Path, kind: str, expected_size: int | None, message: str
) -> None:
    dest = tmp_path / "models"
    with pytest.raises(UserError) as raised:
        download_model(url(server, kind), dest, expected_size, lambda *p: None, say=print)
    assert message in raised.value.message
    assert "hartsverbinding model download" in raised.value.message
    assert left_in(dest) == []
    assert not (tmp_path / "escaped").exists()
    target = download_model(url(server, "good"), dest, len(GOOD), lambda *p: None, say=print)
    assert (target / "am" / "final.mdl").read_bytes() == MODEL_FILES["am/final.mdl"]


def test_leftovers_of_a_killed_download_are_cleared(server: str, tmp_path: Path) -> None:
    stale = tmp_path / f".partial-{NAME}-x1y2"
    stale.mkdir()
    (stale / f"{NAME}.zip").write_bytes(GOOD[:100])
    download_model(url(server, "good"), tmp_path, len(GOOD), lambda *p: None, say=print)
    assert left_in(tmp_path) == [NAME]


def test_an_unreachable_server_says_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UserError, match="internet connection") as raised:
        download_model(f"http://127.0.0.1:{port}/{NAME}.zip", tmp_path, None, say=print)
    assert "hartsverbinding model download" in raised.value.message
    assert left_in(tmp_path) == []


def test_a_half_model_folder_in_the_way_is_not_mistaken_for_a_model(
    server: str, tmp_path: Path
) -> None:
    (tmp_path / NAME).mkdir()
    with pytest.raises(UserError, match="Remove it"):
        download_model(url(server, "good"), tmp_path, len(GOOD), say=print)


def test_the_progress_bar_on_a_log_file_prints_each_tenth() -> None:
    out = io.StringIO()
    bar = ProgressBar(out)
    for done in range(0, 1001, 50):
        bar(done, 1000)
    lines = out.getvalue().splitlines()
    assert len(lines) == 11
    assert "100%" in lines[-1] and "[" + "#" * 30 + "]" in lines[-1]


def test_the_official_model() -> None:
    assert MODEL_URL == "https://alphacephei.com/vosk/models/vosk-model-small-nl-0.22.zip"
    assert MODEL_SIZE == 40_441_176
    assert model_download.MODEL_SHA256 == (
        "039811c3b829de64e4f123a9f684a53784005b212a346ac0b899dc7efce2ed0a"
    )


# --- hostile servers and archives (issue 17, item 5) ---


def test_the_official_model_must_be_the_published_file_not_just_its_size(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The official address, as if it served a whole model of exactly the right size that is
    # not the published one (a changed file, a mirror, an attacker).
    official = url(server, "impostor")
    monkeypatch.setattr(model_download, "MODEL_URL", official)
    with pytest.raises(UserError, match="does not match its published sha256") as raised:
        download_model(official, tmp_path, len(IMPOSTOR), say=print)
    assert "hartsverbinding model download" in raised.value.message
    assert left_in(tmp_path) == []
    # The pin is what refuses it: the published file itself passes.
    digest = hashlib.sha256(GOOD).hexdigest()
    monkeypatch.setattr(model_download, "MODEL_SHA256", digest)
    monkeypatch.setattr(model_download, "MODEL_URL", url(server, "good"))
    assert download_model(url(server, "good"), tmp_path, len(GOOD), say=print).is_dir()


def test_a_redirect_to_another_host_is_not_followed(server: str, tmp_path: Path) -> None:
    with http_server(Handler) as other:
        Handler.elsewhere = other.replace("127.0.0.1", "localhost")
        before = Handler.requests[f"/good/{NAME}.zip"]
        with pytest.raises(UserError, match="another host") as raised:
            download_model(url(server, "moved-away"), tmp_path, len(GOOD), say=print)
        assert Handler.requests[f"/good/{NAME}.zip"] == before  # never asked
    assert Handler.elsewhere in raised.value.message
    assert "hartsverbinding model download" in raised.value.message
    assert left_in(tmp_path) == []
    # On the same host, a redirect is followed.
    assert download_model(url(server, "moved-here"), tmp_path, len(GOOD), say=print).is_dir()


def test_an_archive_that_would_unpack_to_too_much_is_refused_before_unpacking(
    server: str, tmp_path: Path
) -> None:
    Handler.bomb = zip_bomb()
    dest = tmp_path / "models"
    with pytest.raises(UserError, match="would unpack to 1107 MB") as raised:
        download_model(url(server, "bomb"), dest, len(Handler.bomb), say=print)
    assert "hartsverbinding model download" in raised.value.message
    assert left_in(dest) == []
