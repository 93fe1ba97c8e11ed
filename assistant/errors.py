"""The one error type that reaches the user: a clear message and exit status 2."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; the message says what to do. Never shown as a traceback."""

    exit_status = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ContentError(UserError):
    """A content file is broken; the message names the file and, where known, the line."""

    def __init__(self, path: str, what: str, line: int | None = None) -> None:
        place = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{place}: {what}")
        self.path = path
        self.line = line
        self.what = what
