"""The package as a user installs it: the sdist and the wheel built from it (as `python -m
build` does), installed into a fresh virtual environment outside the repository and run from
another folder, the way pip or pipx leave it.

No network: the build runs without isolation on the dev environment's setuptools, the wheel is
installed with --no-index --no-deps, and its dependencies are made visible to the new
environment by a .pth line naming the dev environment's site-packages. That line only adds a
folder to the path: the .pth files in it (the editable install's finder, which would import
the repository's `assistant`) are not run, so the program can only import the installed copy,
and the test checks that it does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT, answers_script, human_clips

pytestmark = [pytest.mark.slow, pytest.mark.files]

VERSION = "0.1.0"


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=env,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(the environment's bin folder, the environment to run it with)."""
    work = tmp_path_factory.mktemp("wheel")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.pop("VIRTUAL_ENV", None)
    dist = work / "dist"
    built = _run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT], work, env
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    venv = work / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], work, env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work, env
    )
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    wheel = next(dist.glob("*.whl"))
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--no-deps"]
    done = _run([*pip, wheel], work, env)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin", env


def test_the_sdist_holds_the_content_and_the_licence(installed: tuple[Path, dict[str, str]]):
    sdist = next(installed[0].parent.parent.glob("dist/*.tar.gz"))
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {
        "content/nl/assistant.yaml",
        "content/nl/practices/20-vragen-zelfcompassie.yaml",
    } <= names
    assert {"LICENSE", "setup.py", "assistant/locale/nl/LC_MESSAGES/hartsverbinding.po"} <= names
    wheel = next(installed[0].parent.parent.glob("dist/*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    assert "assistant/_content/nl/commands.yaml" in inside
    assert "assistant/locale/nl/LC_MESSAGES/hartsverbinding.mo" in inside
    assert f"hartsverbinding-{VERSION}.dist-info/licenses/LICENSE" in inside


def test_the_installed_program_runs_a_typed_session_from_another_folder(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_folder, env = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(env, XDG_DATA_HOME=str(tmp_path / "data"), LANGUAGE="en")
    which = _run(
        [bin_folder / "python", "-c", "import assistant.places as p; print(p.PACKAGE)"],
        elsewhere,
        env,
    )
    assert which.stdout.strip().startswith(str(bin_folder.parent / "lib")), which.stdout
    journal = tmp_path / "journal"
    program = bin_folder / "hartsverbinding"
    done = _run(
        [program, "vragen", "--text", "--pace", "0", "--journal", journal],
        elsewhere,
        env,
        stdin=answers_script(10),
    )
    assert done.returncode == 0, done.stderr
    assert "Vraag 10 van 10." in done.stdout
    (entry,) = journal.glob("*.md")
    assert "Mijn antwoord op vraag 10" in entry.read_text(encoding="utf-8")


def test_the_installed_program_knows_its_version_and_its_commands(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_folder, env = installed
    env = dict(env, LANGUAGE="en")
    program = bin_folder / "hartsverbinding"
    version = _run([program, "--version"], tmp_path, env)
    assert (version.returncode, version.stdout) == (0, f"hartsverbinding {VERSION}\n")
    refused = _run([program, "vragen", "--html"], tmp_path, env)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == "hartsverbinding: --html goes with 'journal export DIR'.\n"
    listed = _run([program, "journal", "question", "--help"], tmp_path, env)
    assert listed.returncode == 0 and "[PRACTICE] N" in listed.stdout


def test_downloads_go_to_the_data_folder_and_the_service_runs_the_program(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_folder, env = installed
    data = tmp_path / "data"
    env = dict(env, LANGUAGE="en", XDG_DATA_HOME=str(data), XDG_CONFIG_HOME=str(tmp_path))
    env.pop("HARTSVERBINDING_MODEL", None)
    program = bin_folder / "hartsverbinding"
    missing = _run([program, "transcribe", human_clips()[0].path], tmp_path, env)
    assert missing.returncode == 2
    assert f"{data}/hartsverbinding/models/vosk-model-small-nl-0.22" in missing.stderr
    assert "site-packages" not in missing.stderr
    unit = _run([program, "service", "install", "--dry-run"], tmp_path, env)
    assert unit.returncode == 0, unit.stderr
    lines = unit.stdout.splitlines()
    assert f"ExecStart={program} standby" in lines
    assert not any(line.startswith("WorkingDirectory=") for line in lines)
