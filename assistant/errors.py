"""The one error type that reaches the user: a clear message and exit status 2."""

from __future__ import annotations

from assistant.i18n import _


class UserError(Exception):
    """Something the user can fix; the message says what to do. Never shown as a traceback."""

    exit_status = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ContentError(UserError):
    """A content file is broken; the message names the file and, where known, the line."""

    def __init__(self, path: str, what: str, line: int | None = None) -> None:
        if line is None:
            message = f"{path}: {what}"
        else:
            message = _("{path}, line {line}: {what}").format(path=path, line=line, what=what)
        super().__init__(message)
        self.path = path
        self.line = line
        self.what = what
