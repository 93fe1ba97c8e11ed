"""The errors of packs, each one line: a pack refused and why, a file that cannot be read or
written."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import UserError
from assistant.i18n import _


class Refused(UserError):
    """A pack that is not installed: the one reason why, and what to do about it."""

    def __init__(self, pack: str, reason: str, advice: str | None = None) -> None:
        self.pack = pack
        self.reason = reason
        self.advice = advice or _("Nothing was changed; get the pack again from its coach.")
        super().__init__(
            _("{pack} was not installed: {reason}. {advice}").format(
                pack=pack, reason=reason, advice=self.advice
            )
        )


def cannot_read(path: Path, error: OSError | ValueError) -> UserError:
    reason = getattr(error, "strerror", None) or error
    return UserError(_("{path}: cannot be read ({reason}).").format(path=path, reason=reason))


def cannot_write(path: Path, error: OSError) -> UserError:
    return UserError(
        _("Cannot write {path} ({error}).").format(path=path, error=error.strerror or error)
    )
