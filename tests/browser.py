"""A real headless browser for the tests: Debian's Chromium, driven over the DevTools protocol
on a pipe (`--remote-debugging-pipe`: JSON messages ending in a NUL byte, read by Chromium on
file descriptor 3, written on 4). No Python package and no browser download is needed, and no
port is opened. Chromium is installed by `scripts/setup --dev`; without it the test fails.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.programs import need_program

FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests may run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--remote-debugging-pipe",
)


class BrowserError(Exception):
    pass


class Browser:
    """One Chromium process with one page; `call` sends a command and returns its result."""

    def __init__(self, workdir: Path, timeout: float = 60) -> None:
        need_program("chromium")  # Debian's, which scripts/setup --dev installs
        program = shutil.which("chromium")
        assert program is not None
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._buffer = b""
        self._next_id = 0
        self.log = workdir / "chromium.log"
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def onto_3_and_4() -> None:  # in the child, before exec
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [program, *FLAGS, f"--user-data-dir={workdir / 'profile'}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=onto_3_and_4,
                close_fds=False,  # fds 3 and 4 must survive; Python's own fds are not inheritable
            )
        os.close(to_browser_r)
        os.close(from_browser_w)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session = attached["sessionId"]

    def call(self, method: str, params: dict[str, Any] | None = None, page: bool = False) -> Any:
        """Send a command (to the page when `page`, else to the browser) and wait for its reply."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        reply = self._until(lambda m: m.get("id") == self._next_id, method)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply["result"]

    def wait_event(self, method: str) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        return self._until(lambda m: m.get("method") == method, method)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            page=True,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """The whole page, not just the window, as PNG."""
        size = self.call("Page.getLayoutMetrics", page=True)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.call(
            "Page.captureScreenshot",
            {"format": "png", "clip": clip, "captureBeyondViewport": True},
            page=True,
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    def pdf(self, path: Path) -> None:
        printed = self.call("Page.printToPDF", {"preferCSSPageSize": True}, page=True)
        path.write_bytes(base64.b64decode(printed["data"]))

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def _until(self, wanted: Any, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
                if "method" in message:  # an event someone may wait for later
                    self.events.append(message)
            left = deadline - time.monotonic()
            readable, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not readable:
                raise BrowserError(f"no answer to {what} in {self.timeout} s; see {self.log}")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium ended during {what}; see {self.log}")
            self._buffer += chunk
