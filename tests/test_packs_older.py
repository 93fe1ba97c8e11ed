"""A coach's pack made before a program update added a line, through the real command line in
a fresh home: it installs and its session runs to the end, the program's own wording spoken
where the pack has none and the pack's own wording everywhere else, with one line on stderr
saying so; the same content given with `--content`, or built with `pack build`, is still
refused with its file and place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant import places
from assistant.appliance import setup_checks
from assistant.content import load_content, loader
from assistant.content.lines import Line
from assistant.content.model import Command
from assistant.errors import ContentError
from assistant.packs import build_pack, make_key
from tests.helpers import answers_script, coach_content, record_lines, run_cli
from tests.test_packs_cli import cli, home_env

pytestmark = [pytest.mark.files, pytest.mark.slow]

LACKING = Line.GOODBYE_SAVED  # said at the end of `vragen`; counts, so it has a `one:` form
OWN_OFFER = "Zal ik je antwoorden van vandaag nog eens voorlezen? Zeg ja of nee."


def _older_folder(root: Path) -> Path:
    """A coach's folder as an older program knew it: no wording for LACKING, and an offer to
    read the answers back in words of her own."""
    folder = coach_content(root)
    assistant = folder / "assistant.yaml"
    text = assistant.read_text("utf-8")
    text, removed = re.subn(rf"\n  {LACKING.value}:.*\n    one: .*\n    other: .*\n", "\n", text)
    assert removed == 1
    text, reworded = re.subn(r"\n  read_offer: .*\n", f"\n  read_offer: {OWN_OFFER}\n", text)
    assert reworded == 1
    assistant.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def older_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """(content folder, pack, public key): the pack built and signed as the program before
    LACKING was added built it (its loader did not ask for that line)."""
    folder = _older_folder(tmp_path / "coach")
    key = tmp_path / "keys" / "coach.key"
    key.parent.mkdir()
    make_key(key)
    known = {k: v for k, v in loader.LINE_KEYS.items() if k != LACKING.value}
    with monkeypatch.context() as older:
        older.setattr(loader, "LINE_KEYS", known)
        build_pack(folder, key, tmp_path / "older.zip")
    return folder, tmp_path / "older.zip", key.with_name(key.name + ".pub")


def _notes_after_a_whole_session(home: Path) -> list[str]:
    """The session's tenth answer is in the journal; returns what `pack list` notes of the
    pack."""
    journal = sorted((home / "data" / "hartsverbinding" / "journal").glob("*.md"))
    assert "Mijn antwoord op vraag 10" in journal[-1].read_text("utf-8")
    listed = cli(home, "pack", "list")
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.splitlines()[1:]


def test_an_older_pack_installs_and_its_session_completes_with_the_programs_line(
    older_pack, tmp_path, monkeypatch
):
    _folder, pack, public = older_pack
    home = tmp_path / "client"
    installed = cli(home, "pack", "install", str(pack), "--trust", str(public))
    assert installed.returncode == 0, installed.stderr

    # In Dutch, as the person hears it: the notice is translated too.
    done = run_cli(
        "vragen",
        "--text",
        "--pace",
        "0",
        stdin=answers_script(10) + "nee\n",
        env={**home_env(home), "LANGUAGE": "nl"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    program = load_content(places.content_dir() / "nl")
    assert program.line(LACKING, count=10) in done.stdout  # the program's wording
    assert OWN_OFFER in done.stdout  # hers wins where she has one
    assert program.line(Line.READ_OFFER) not in done.stdout
    notices = [line for line in done.stderr.splitlines() if LACKING.value in line]
    assert notices == [
        "hartsverbinding: Dit pakket mist 1 nieuwere zin van de assistent "
        f"(say.{LACKING.value}); het programma spreekt daar zijn eigen zin. "
        "Vraag de coach om een nieuwe versie."
    ], done.stderr
    assert _notes_after_a_whole_session(home) == [
        f"  made for an older program: lacks 1 of its lines (say.{LACKING.value}); the "
        "program's own is used"
    ]
    # The doctor says so too, as a note: the pack works, nothing needs fixing.
    for name, value in home_env(home).items():
        monkeypatch.setenv(name, value)
    check = setup_checks.packs()
    assert check.ok, check.detail
    assert f"lacks 1 of its lines (say.{LACKING.value})" in check.detail


def test_the_same_content_given_with_content_or_built_is_still_refused_with_file_and_place(
    older_pack, tmp_path
):
    folder, _pack, _public = older_pack
    home = tmp_path / "client"
    given = cli(home, "vragen", "--text", "--content", str(folder), stdin="stop\n")
    assert given.returncode == 2 and given.stdout == ""
    assert given.stderr.count("\n") == 1, given.stderr
    assert f"{folder / 'assistant.yaml'}, line " in given.stderr
    assert f"missing key '{LACKING.value}'" in given.stderr

    key = tmp_path / "keys" / "coach.key"
    built = cli(home, "pack", "build", str(folder), "--key", str(key), "--out", str(tmp_path / "b"))
    assert built.returncode == 2 and built.stderr.count("\n") == 1, built.stderr
    assert f"missing key '{LACKING.value}'" in built.stderr
    assert not (tmp_path / "b").exists()


def test_a_command_the_pack_lacks_takes_the_programs_phrasings_but_those_the_pack_uses(tmp_path):
    folder = coach_content(tmp_path / "coach")
    commands = folder / "commands.yaml"
    text = commands.read_text("utf-8")
    text, removed = re.subn(r"\n  opname: .*\n", "\n", text)
    assert removed == 1
    # Her own meaning of a phrasing the program gives to the command she lacks.
    text = text.replace("  stop: [stop,", '  stop: ["mijn opname", stop,')
    commands.write_text(text, "utf-8")

    with pytest.raises(ContentError, match="missing key 'opname'") as refused:
        load_content(folder)
    assert refused.value.path == str(commands)
    content = load_content(folder, fill_from=places.content_dir())
    assert content.filled == ("commands.opname",)
    assert content.commands["mijn opname"] is Command.STOP
    program = load_content(places.content_dir() / "nl")
    theirs = {p for p, c in program.commands.items() if c is Command.OPNAME} - {"mijn opname"}
    assert theirs and all(content.commands[p] is Command.OPNAME for p in theirs)


DROPPED = "breathe_on"  # a line an older program said and this one no longer does


def test_a_pack_with_a_line_the_program_no_longer_says_installs_and_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other way round: a program update removed a line the coach's pack still has (and
    she recorded). The pack installs and its session runs to the end, the line left out and
    said so once (its recording is not reported on its own); given with `--content` the same
    folder is refused with its file and place."""
    folder = coach_content(tmp_path / "coach")
    assistant = folder / "assistant.yaml"
    text = assistant.read_text("utf-8")
    assistant.write_text(
        text.replace("\nsay:\n", f"\nsay:\n  {DROPPED}: Adem rustig verder.\n", 1), "utf-8"
    )
    key = tmp_path / "keys" / "coach.key"
    key.parent.mkdir()
    make_key(key)
    with monkeypatch.context() as older:
        older.setattr(loader, "LINE_KEYS", {**loader.LINE_KEYS, DROPPED: frozenset()})
        record_lines(folder, [f"say.{DROPPED}"])  # the coach recorded it too
        build_pack(folder, key, tmp_path / "older.zip")

    home = tmp_path / "client"
    public = key.with_name(key.name + ".pub")
    installed = cli(home, "pack", "install", str(tmp_path / "older.zip"), "--trust", str(public))
    assert installed.returncode == 0, installed.stderr
    done = run_cli(
        *("vragen", "--text", "--pace", "0"),
        stdin=answers_script(10) + "nee\n",
        env={**home_env(home), "LANGUAGE": "nl"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "hartsverbinding: Dit pakket heeft 1 onderdeel dat deze versie van de assistent niet "
        f"meer kent (say.{DROPPED}); dat wordt weggelaten."
    ], done.stderr
    assert _notes_after_a_whole_session(home) == [
        f"  made for an older program: has 1 part it no longer knows (say.{DROPPED}); left out"
    ]

    given = cli(home, "vragen", "--text", "--content", str(folder), stdin="stop\n")
    assert given.returncode == 2 and given.stderr.count("\n") == 1, given.stderr
    assert f"{assistant}, line 12" in given.stderr and "unknown key" in given.stderr
