"""Telling the person at the terminal about a problem: one line on standard error.

Standard output is for what the assistant says (captions, text mode); everything about the
program itself goes here, so the two never mix in a pipe.
"""

from __future__ import annotations

import sys

PROGRAM = "hartsverbinding"


def warn(message: str) -> None:
    print(f"{PROGRAM}: {message}", file=sys.stderr, flush=True)
