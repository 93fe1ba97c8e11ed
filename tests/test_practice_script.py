"""`bash scripts/practice` on a machine without a network, as a newcomer runs it: it goes on to
the practice, and what could not be had is said once per cause, in the program's language.

The network is really gone: the script runs in a network namespace of its own (`unshare -n`),
which has no interface but loopback, so every lookup and connection fails as on a machine that
is offline. The set-up is already done (the test command made .venv), so the script's own steps
have nothing to do and say nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from assistant import download
from tests.helpers import ROOT, http_server

pytestmark = pytest.mark.files

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _offline(
    command: list[str], tmp_path: Path, locale: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`command`, run from the repository in a network namespace of its own."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare is missing (Debian package util-linux)")
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not permitted here: no network namespace can be made")
    if (ROOT / "models" / "vosk-model-small-nl-0.22").exists():
        pytest.skip("a Dutch model is in models/: the first screen of a newcomer is not this one")
    env = {key: value for key, value in os.environ.items() if key not in LOCALE_VARIABLES}
    env.pop("HARTSVERBINDING_MODEL", None)
    env.update(locale)
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run(
        ["unshare", "-n", *command],
        input="stop\n",
        capture_output=True,
        text=True,
        timeout=120,  # a hang, not a measurement: offline it goes on within seconds
        cwd=ROOT,
        env=env,
    )


def test_offline_the_practice_starts_and_says_each_cause_once_in_dutch(tmp_path: Path) -> None:
    practice = ["bash", "scripts/practice", "--journal", str(tmp_path / "journal")]
    done = _offline(practice, tmp_path, {"LANG": "nl_NL.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert "Welkom bij Hartsverbinding" in done.stdout
    problems = done.stderr.splitlines()
    # Every line is the program's (the script says nothing of its own), each a different cause.
    assert all(line.startswith("hartsverbinding: ") for line in problems), problems
    model = [line for line in problems if "spraakmodel" in line]
    voice = [line for line in problems if "natuurlijke stem" in line]
    assert len(model) == 1 and "De oefening gaat verder met typen." in model[0]
    assert "hartsverbinding model download" in model[0]
    assert voice == [
        "hartsverbinding: De natuurlijke stem kan nu niet worden opgehaald (huggingface.co "
        "antwoordt niet): de systeemstem spreekt. 'hartsverbinding voice download' haalt hem "
        "later op."
    ]
    assert len(set(problems)) == len(problems)
    # The missing model is not called a missing microphone.
    assert "microfoon" not in done.stdout + done.stderr
    assert "mislukt" not in done.stderr  # no download was tried and failed at length
    assert not (tmp_path / "data" / "hartsverbinding" / "models").exists()


def test_offline_under_an_english_locale_the_lines_are_english(tmp_path: Path) -> None:
    """The same downloads as the script runs them (the whole script takes seconds more)."""
    program = str(ROOT / ".venv" / "bin" / "hartsverbinding")
    english = {"LANG": "en_GB.UTF-8"}
    model = _offline([program, "model", "download", "--if-online"], tmp_path, english)
    assert (model.returncode, model.stdout, model.stderr) == (0, "", "")
    voice = _offline([program, "voice", "download", "--if-online"], tmp_path, english)
    assert voice.returncode == 0 and voice.stdout == ""
    assert voice.stderr == (
        "hartsverbinding: The natural voice cannot be fetched now (huggingface.co does not "
        "answer): the system voice speaks. 'hartsverbinding voice download' fetches it later.\n"
    )


def test_the_probe_gives_up_on_a_lookup_that_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name lookup with no answer (a fault this machine cannot cause): the probe stops
    waiting at its limit instead of hanging the practice's start."""

    def hangs(*args: object, **kwargs: object) -> None:
        time.sleep(30)
        raise TimeoutError("timed out")  # what a lookup that hangs ends in

    monkeypatch.setattr(download.socket, "create_connection", hangs)
    answers: list[bool] = []
    asking = threading.Thread(
        target=lambda: answers.append(download.reachable("https://example.invalid/", within=0.2))
    )
    asking.start()
    asking.join(10)  # a hang check, not a measurement: the lookup would take 30 s
    assert not asking.is_alive() and answers == [False]


def test_the_probe_reaches_a_server_that_answers() -> None:
    with http_server(BaseHTTPRequestHandler) as url:
        assert download.reachable(url, within=5)
    assert not download.reachable(url, within=5)  # closed now: refused at once
