"""The command line's grammar: each command its own options and --help, options before or after
the command words, a practice id from the content as a command, one line for a mistake."""

from __future__ import annotations

import pytest

from assistant import places
from assistant.cli import main
from assistant.cli.grammar import COMMANDS, parse
from assistant.errors import UserError

pytestmark = pytest.mark.pure


@pytest.mark.parametrize("words", [(), *(command.words for command in COMMANDS), ("journal",)])
def test_every_command_has_its_own_help(words, capsys):
    with pytest.raises(SystemExit) as leaving:
        parse([*words, "--help"])
    assert leaving.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {' '.join(('hartsverbinding', *words))} [-h]")


def test_a_command_with_verbs_lists_them_in_its_help(capsys):
    with pytest.raises(SystemExit):
        parse(["journal", "--help"])
    out = capsys.readouterr().out
    for verb in ("list", "read", "search", "question", "export", "encrypt"):
        assert f"\n    {verb} " in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["vragen", "--html"], "--html goes with 'journal export DIR'."),
        (["vragen", "--html", "--dry-run", "--again"], "--html goes with 'journal export DIR'."),
        (["doctor", "--dry-run"], "--dry-run goes with 'service install'."),
        (["journal", "read", "--record", "x.wav"], "--record goes with 'doctor'."),
        (
            ["journal", "list", "--text"],
            "unrecognized arguments: --text. See 'hartsverbinding journal list --help'.",
        ),
        (
            ["--text", "journal", "list"],
            "unrecognized arguments: --text. See 'hartsverbinding journal list --help'.",
        ),
        (
            ["standby", "--text"],
            "unrecognized arguments: --text. See 'hartsverbinding standby --help'.",
        ),
        (["devices", "--jour", "x"], "unrecognized arguments: --jour x. See "),
        (["model"], "Use 'model list' or 'model download [whisper:NAME]'."),
        (["service", "start"], "Use 'service install [--dry-run]', 'service status' or"),
    ],
)
def test_what_does_not_belong_to_a_command_is_refused_in_one_line(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"hartsverbinding: {message}")
    assert len(captured.err.splitlines()) == 1


def test_options_mean_the_same_before_and_after_the_command_words():
    before = parse(["--journal", "j", "--pace", "0", "vragen", "--text"])
    after = parse(["vragen", "--text", "--journal", "j", "--pace", "0"])
    assert before == after and before.words == ("vragen",) and before.value("text") is True
    export = parse(["--journal", "j", "journal", "--html", "export", "out"])
    assert export.words == ("journal", "export")
    assert (export.value("folder"), export.value("html")) == ("out", True)


def test_any_other_first_word_is_a_practice_with_the_options_of_a_practice():
    parsed = parse(["dankbaarheid", "--text", "--pace", "0"])
    assert (parsed.words, parsed.practice, parsed.value("pace")) == (
        ("dankbaarheid",),
        "dankbaarheid",
        0,
    )
    assert parse(["--mic", "vragen", "--text"]).words == ()  # a value, not a command
    assert parse([]).practice is None and parse([]).value("text") is False
    with pytest.raises(UserError, match="unknown command: vragen extra"):
        parse(["vragen", "extra"])


def test_the_words_a_command_takes():
    question = parse(["journal", "question", "3"])
    assert (question.value("practice"), question.value("number")) == (None, "3")
    question = parse(["journal", "question", "vragen", "3"])
    assert (question.value("practice"), question.value("number")) == ("vragen", "3")
    assert parse(["journal", "search", "boos", "--journal", "j", "verdriet"]).value("words") == [
        "boos",
        "verdriet",
    ]
    assert parse(["opnemen"]).value("selection") is None
    assert parse(["voice", "download"]).value("name") is None


def test_version(capsys):
    with pytest.raises(SystemExit) as leaving:
        main(["--version"])
    assert leaving.value.code == 0
    assert capsys.readouterr().out == f"hartsverbinding {places.version()}\n"
    assert places.version() != "0+unknown"  # the dev environment installs the package
