"""Downloading published files: the only code in the program that opens a network connection.

Used by `model download` (the Vosk model) and `voice download` (a Piper voice). Each file is
streamed into a temporary folder beside its destination and checked there (the size the
publisher lists, then the checksum it lists), fsynced, and only then renamed into place in one
step. An interrupted, cut-off or damaged download therefore never leaves half a file where the
program would pick it up, and can simply be run again: leftovers of a killed run are cleared.
A download that must come from the host named (`same_host`) follows no redirect elsewhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO
from urllib.parse import urlparse, urlsplit

from assistant.durable import fsync_folder
from assistant.errors import UserError
from assistant.i18n import _

PARTIAL_PREFIX = ".partial-"
BLOCK = 1 << 16

Progress = Callable[[int, "int | None"], None]  # bytes so far, bytes expected (if known)
Say = Callable[[str], None]


@dataclass(frozen=True)
class Remote:
    """One published file: where it is, and what the publisher says it is."""

    url: str
    size: int | None  # bytes; None when the publisher lists no size
    digest: str | None = None  # "sha256:<hex>" or "md5:<hex>", as the publisher lists it

    def __post_init__(self) -> None:
        if self.digest is not None:
            algorithm, _sep, value = self.digest.partition(":")
            if algorithm not in ("sha256", "md5") or not value:
                raise ValueError(f"unknown checksum {self.digest!r}")


class ProgressBar:
    """A one-line progress bar on a terminal; a line per tenth when stderr is a file."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self._drawn_at = 0.0
        self._tenths = -1

    def __call__(self, done: int, total: int | None) -> None:
        finished = total is not None and done >= total
        if self.stream.isatty():
            now = time.monotonic()
            if finished or now - self._drawn_at >= 0.1:
                self._drawn_at = now
                end = "\n" if finished else ""
                print(f"\r{self._line(done, total)}", end=end, file=self.stream, flush=True)
        elif total:
            tenths = min(10, done * 10 // total)
            if tenths > self._tenths:
                self._tenths = tenths
                print(self._line(done, total), file=self.stream, flush=True)

    def _line(self, done: int, total: int | None) -> str:
        megabytes = f"{done / 1e6:.1f}"
        if not total:
            return f"  {megabytes} MB"
        share = min(1.0, done / total)
        filled = round(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        amount = _("{done} of {total} MB").format(done=megabytes, total=f"{total / 1e6:.1f}")
        return f"  [{bar}] {share:4.0%}  {amount}"


def reachable(url: str, within: float = 5.0) -> bool:
    """Whether the server of `url` (or the proxy that reaches it) accepts a connection within
    `within` seconds, the name lookup included: that has no timeout of its own, and on a machine
    whose network is down it can hang for long. The probe connects and closes, nothing more."""
    target = urlparse(url)
    proxy = urllib.request.getproxies().get(target.scheme)
    if proxy and not urllib.request.proxy_bypass(target.hostname or ""):
        target = urlparse(proxy if "://" in proxy else f"http://{proxy}")
    default_port = 443 if target.scheme == "https" else 80
    host, port = target.hostname, target.port or default_port
    answered: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=within).close()
            answered.append(True)
        except OSError:
            answered.append(False)

    # A refusal or a failed lookup ends the wait at once; silence, at `within`.
    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    prober.join(within)
    return answered == [True]


def say_on_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def staging(dest_dir: Path, name: str) -> Iterator[Path]:
    """A fresh temporary folder in `dest_dir` for downloading `name`, removed afterwards
    whatever happens. Leftovers of an earlier run that was killed are removed first."""
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        for old in dest_dir.glob(f"{PARTIAL_PREFIX}{name}-*"):
            shutil.rmtree(old, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f"{PARTIAL_PREFIX}{name}-", dir=dest_dir))
    except OSError as error:
        raise UserError(
            _("Cannot write to {folder}: {error}").format(folder=dest_dir, error=error)
        ) from None
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def put_in_place(staged: Path, target: Path) -> None:
    """Rename a checked file or folder into place, and make the rename durable."""
    try:
        os.rename(staged, target)
        fsync_folder(target.parent)
    except OSError as error:
        raise UserError(
            _("Cannot put the download in {target}: {error}").format(target=target, error=error)
        ) from None


class _SameHost(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the scheme, host and port the download was asked from."""

    def __init__(self, url: str, retry: str) -> None:
        self.origin = _origin(url)
        self.retry = retry

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if _origin(newurl) != self.origin:
            raise UserError(
                _(
                    "The server sent the download of {url} on to {elsewhere}, another host; "
                    "it was not followed. {retry}"
                ).format(url=req.full_url, elsewhere=newurl, retry=self.retry)
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def fetch(
    remote: Remote,
    path: Path,
    progress: Progress,
    *,
    again: str,
    timeout: float = 30.0,
    offset: int = 0,
    total: int | None = None,
    same_host: bool = False,
    most: int | None = None,
) -> None:
    """Stream `remote` into `path`, then check its length, size and checksum, and fsync it.

    `again` is the command that retries (named in every failure message). `offset` and `total`
    let several files share one progress bar. With `same_host`, a redirect to another scheme,
    host or port is refused. `most`: bytes past which a file of no published size is refused
    as it comes. Any failure raises UserError.
    """
    retry = _("Nothing was kept; run '{command}' again.").format(command=again)
    request = urllib.request.Request(remote.url, headers={"User-Agent": "hartsverbinding"})
    opener = (
        urllib.request.build_opener(_SameHost(remote.url, retry))
        if same_host
        else urllib.request.build_opener()
    )
    algorithm, _sep, expected_digest = (remote.digest or "").partition(":")
    hasher = hashlib.new(algorithm) if algorithm else None
    done = 0
    try:
        with opener.open(request, timeout=timeout) as response, path.open("wb") as out:
            announced = response.headers.get("Content-Length")
            length = int(announced) if announced and announced.isdigit() else None
            expected = remote.size if remote.size is not None else length
            overall = total if total is not None else expected
            progress(offset, overall)
            while block := response.read(BLOCK):
                out.write(block)
                if hasher is not None:
                    hasher.update(block)
                done += len(block)
                progress(offset + done, overall)
                if remote.size is not None and done > remote.size:
                    break  # not the file we expected; no point fetching the rest
                if most is not None and done > most:
                    raise UserError(
                        _("{url} is larger than {most} MB: not the file expected. {retry}").format(
                            url=remote.url, most=most // 1_000_000, retry=retry
                        )
                    )
            out.flush()
            os.fsync(out.fileno())
    except urllib.error.HTTPError as error:
        raise UserError(
            _("The server answered '{code} {reason}' for {url}. {retry}").format(
                code=error.code, reason=error.reason, url=remote.url, retry=retry
            )
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", None) or error
        after = _(" after {megabytes} MB").format(megabytes=f"{done / 1e6:.1f}") if done else ""
        raise UserError(
            _(
                "The download of {url} failed{after} ({reason}). Check the internet "
                "connection. {retry}"
            ).format(url=remote.url, after=after, reason=reason, retry=retry)
        ) from None
    if length is not None and done != length:
        raise UserError(
            _("The download was cut off at {done} of {length} bytes. {retry}").format(
                done=done, length=length, retry=retry
            )
        )
    if remote.size is not None and done != remote.size:
        raise UserError(
            _(
                "The download has {done} bytes where {expected} were expected (cut off, or "
                "not the file expected). {retry}"
            ).format(done=done, expected=remote.size, retry=retry)
        )
    if hasher is not None and hasher.hexdigest() != expected_digest.lower():
        raise UserError(
            _(
                "The download of {url} does not match its published {algorithm} checksum "
                "(damaged, or not the file expected). {retry}"
            ).format(url=remote.url, algorithm=algorithm, retry=retry)
        )


def fetch_files(
    files: Sequence[tuple[str, Remote]],
    folder: Path,
    progress: Progress,
    *,
    again: str,
    timeout: float = 30.0,
) -> None:
    """`fetch` each (file name, remote) into `folder`, one progress bar over them all."""
    total = sum(remote.size or 0 for _name, remote in files)
    done = 0
    for name, remote in files:
        fetch(
            remote, folder / name, progress, again=again, timeout=timeout, offset=done, total=total
        )
        done += remote.size or 0
