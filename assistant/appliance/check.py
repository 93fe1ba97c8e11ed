"""One check of `hartsverbinding doctor`: what was looked at, whether it is fine, and if not,
what to do. Checks never raise: whatever goes wrong inside one becomes its failed result."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from assistant.errors import UserError
from assistant.i18n import _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    skipped: bool = False  # nothing to check here (not a Pi, no systemd): counts as passed


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


def skipped(name: str, detail: str) -> Check:
    return Check(name, True, detail, skipped=True)


def guarded(name: str, check: Callable[[], Check]) -> Check:
    """`check()`, or a failed Check when it raises: the doctor names every problem and ends
    normally, it never stops at a traceback (the traceback goes to the --verbose log)."""
    try:
        return check()
    except UserError as error:
        return failed(name, error.message, _("Fix the problem named above, then run this again."))
    except Exception as error:
        log.debug("check %s raised", name, exc_info=True)
        return failed(
            name,
            f"{type(error).__name__}: {error}",
            _(
                "Run 'hartsverbinding doctor --verbose' and send what it prints along with "
                "your question."
            ),
        )
