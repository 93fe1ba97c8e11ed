"""The Vosk library, imported without the network code it brings along.

`import vosk` imports `requests` for vosk's own model downloader, which this program never
uses (it has its own, `model download`). `requests` loads urllib3, whose import opens an
AF_INET6 socket to probe for IPv6. A stand-in module keeps that whole stack out of the process,
so a practice session opens no network socket at all (tests/test_privacy*.py prove it).
"""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

_lock = threading.Lock()


def vosk() -> Any:
    """The `vosk` module, imported once, with no networking library loaded on its behalf."""
    with _lock:
        if "vosk" in sys.modules:
            return sys.modules["vosk"]
        placed = "requests" not in sys.modules
        if placed:
            sys.modules["requests"] = _unavailable("requests")
        try:
            import vosk as module
        finally:
            if placed:
                del sys.modules["requests"]  # a later real import of requests is unaffected
        return module


def _unavailable(name: str) -> types.ModuleType:
    stand_in = types.ModuleType(name, "not loaded: only vosk's own model downloader uses it")

    def __getattr__(attribute: str) -> Any:
        raise RuntimeError(f"{name}.{attribute} is not available in this program")

    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    return stand_in
