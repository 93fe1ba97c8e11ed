"""Small helpers shared by the tests: running the real CLI, copying the content folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = ROOT / "content" / "nl"


def run_cli(
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    timeout: float = 60,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ARGS` in a child process, as a user would run it."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd or ROOT,
    )


def copy_content(target: Path) -> Path:
    folder = target / "content"
    shutil.copytree(CONTENT_DIR, folder)
    return folder


def answers_script(count: int = 10) -> str:
    """Typed input: `count` answers, each confirmed with 'ja'."""
    return "".join(f"Mijn antwoord op vraag {n}\nja\n" for n in range(1, count + 1))
