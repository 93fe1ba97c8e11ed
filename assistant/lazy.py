"""A package whose names are imported from their modules when first used (PEP 562), so that
importing the package costs nothing: the CLI and a typed session never load numpy, Vosk or the
signing library they do not use.

    __getattr__, __dir__ = lazy_names(__name__, {"module": ("Name", ...), ...}, globals())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, modules: Mapping[str, tuple[str, ...]], names: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's `__getattr__` and `__dir__`: `modules` maps each module of `package` to
    the names it gives; `names` is the package's globals, where a name is kept once imported
    (so later lookups do not come here)."""
    home = {name: module for module, given in modules.items() for name in given}

    def get(name: str) -> Any:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        names[name] = value
        return value

    def listing() -> list[str]:
        return sorted(set(names) | set(home))

    return get, listing
