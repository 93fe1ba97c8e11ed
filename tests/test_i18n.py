"""Messages for the person in Dutch by default and in English under an English locale: the
catalogue covers every message in the code right now, the compiled catalogue is the committed
one, and the real command line speaks the locale's language (its help and its errors)."""

from __future__ import annotations

import gettext
import io
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from assistant import i18n
from assistant.errors import ContentError
from tests.helpers import ROOT, copy_content

pytestmark = pytest.mark.files

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
PO = i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO = PO.with_suffix(".mo")
FIX = "run scripts/translations, translate in the .po, and run it again to compile"


# --- the catalogue ---------------------------------------------------------------------------


def _extracted() -> Catalog:
    """What `pybabel extract` (scripts/translations) finds in the code now: _(), ngettext(),
    N_()."""
    catalog = Catalog(project=i18n.DOMAIN)
    package = ROOT / "assistant"
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(package), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], context=context)
    return catalog


def _committed() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="nl")


def _forms(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a plain message, one per form for a plural."""
    if isinstance(message.id, str):
        assert isinstance(message.string, str)
        return [(message.id, message.string)]
    singular, plural = message.id[0], message.id[1]
    return [(singular if form == 0 else plural, text) for form, text in enumerate(message.string)]


def _placeholders(text: str, percent: bool) -> list[str]:
    """The fields a translation must keep: {name:spec!conversion}, and %(name)s / %s for the
    messages in argparse's own %-style."""
    fields = [
        f"{{{name}!{conversion}:{spec}}}"
        for _literal, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    ]
    if percent:
        fields += re.findall(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]", text)
    return sorted(fields)


def test_every_message_in_the_code_has_its_dutch():
    committed = _committed()
    untranslated = []
    for message in _extracted():
        if not message.id:
            continue
        found = committed.get(message.id)
        if found is None or not all(text for _source, text in _forms(found)):
            untranslated.append(message.id)
    assert not untranslated, f"no Dutch for {untranslated}: {FIX}"


def test_the_catalogue_holds_only_what_the_code_has_and_nothing_fuzzy():
    code = {
        message.id if isinstance(message.id, str) else message.id[0] for message in _extracted()
    }
    committed = _committed()
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in committed}
    assert ids == code, f"out of date: {sorted(ids ^ code)}: {FIX}"
    fuzzy = [message.id for message in committed if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy entries (not used by the program): {fuzzy}"


def test_every_translation_keeps_the_placeholders_of_its_message():
    extracted = _extracted()
    wrong = []
    for message in _committed():
        if not message.id:
            continue
        source = extracted.get(message.id)
        percent = source is not None and "python-format" in source.flags
        for text, translation in _forms(message):
            try:
                kept = _placeholders(translation, percent)
            except ValueError as error:
                wrong.append((text, translation, str(error)))
                continue
            if kept != _placeholders(text, percent):
                wrong.append((text, translation, "other placeholders"))
    assert not wrong


def test_the_compiled_catalogue_is_the_committed_translations():
    """The .mo the program reads says exactly what the .po says (compile after every edit)."""
    compiled = io.BytesIO()
    write_mo(compiled, _committed())
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with MO.open("rb") as handle:
        found = gettext.GNUTranslations(handle)
    # What the program reads: every translation, and the two header fields gettext acts on. The
    # rest of the header (which Babel wrote it, when) is no translation and may differ.
    assert _translations(found) == _translations(expected), f"the .mo is stale: {FIX}"


def _translations(catalogue: gettext.GNUTranslations) -> dict[object, str]:
    entries: dict[object, str] = dict(catalogue._catalog)  # type: ignore[attr-defined]
    header = entries.pop("", "")
    for field in ("Content-Type", "Plural-Forms"):
        entries[field] = "".join(re.findall(rf"^{field}:.*$", header, re.MULTILINE))
    return entries


# --- choosing the language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "nl"),
        ({"LANG": "C"}, "nl"),
        ({"LANG": "POSIX"}, "nl"),
        ({"LANG": "C.UTF-8"}, "nl"),
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "nl_BE.UTF-8"}, "nl"),
        ({"LANG": "de_DE.UTF-8"}, "nl"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en"}, "en"),
        ({"LANGUAGE": "en", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"LANGUAGE": "nl:en", "LANG": "en_US.UTF-8"}, "nl"),
        ({"LANGUAGE": "en_GB:nl", "LC_ALL": "nl_NL.UTF-8"}, "en"),
        ({"LANGUAGE": "", "LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, "nl"),
    ],
)
def test_the_language_is_the_first_locale_variable_set(environ, expected):
    assert i18n.language(environ) == expected


def test_messages_follow_the_locale_when_they_are_made(monkeypatch):
    for variable in LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    assert ContentError("a.yaml", "x", 3).message == "a.yaml, regel 3: x"
    assert i18n.ngettext("{count} session", "{count} sessions", 1) == "{count} sessie"
    assert i18n.ngettext("{count} session", "{count} sessions", 2) == "{count} sessies"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert ContentError("a.yaml", "x", 3).message == "a.yaml, line 3: x"
    assert i18n.ngettext("{count} session", "{count} sessions", 2) == "{count} sessions"


# --- the real command line -------------------------------------------------------------------


def _cli(*args: str, **locale: str) -> subprocess.CompletedProcess[str]:
    """The installed `hartsverbinding` with only the locale variables given (none: the C
    locale a service on a Pi runs with)."""
    program = Path(sys.executable).with_name("hartsverbinding")
    if not program.exists():
        pytest.fail(f"{program} is missing: install the package (scripts/setup)")
    env = {key: value for key, value in os.environ.items() if key not in LOCALE_VARIABLES}
    env.update(locale)
    return subprocess.run(
        [str(program), *args], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT
    )


@pytest.mark.parametrize(
    "locale", [{"LANG": "nl_NL.UTF-8"}, {}, {"LANG": "C"}], ids=["nl_NL", "unset", "C"]
)
def test_help_is_dutch_by_default(locale):
    done = _cli("--help", **locale)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("gebruik: hartsverbinding [-h] [--text] [--pace FACTOR]")
    for dutch in (
        "\nopties:\n",
        "laat deze hulptekst zien en stop",
        "typen en lezen in plaats van praten",
        "--journal MAP",
        "start de adem- en visualisatieoefening",
    ):
        assert dutch in done.stdout
    assert "usage" not in done.stdout and "type and read" not in done.stdout


def test_help_is_english_under_an_english_locale():
    done = _cli("--help", LANG="en_US.UTF-8")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: hartsverbinding [-h] [--text] [--pace PACE]")
    for english in (
        "\noptions:\n",
        "show this help message and exit",
        "type and read instead of talk",
        "--journal DIR",
        "start the breathing and visualization exercise",
    ):
        assert english in done.stdout
    assert "gebruik" not in done.stdout and "typen" not in done.stdout


@pytest.mark.parametrize(
    ("args", "dutch", "english"),
    [
        (
            ["--pace", "abc"],
            "argument --pace: 'abc' is geen getal. Zie 'hartsverbinding --help'.",
            "argument --pace: 'abc' is not a number. See 'hartsverbinding --help'.",
        ),
        (
            ["--bogus"],
            "onbekende argumenten: --bogus. Zie 'hartsverbinding --help'.",
            "unrecognized arguments: --bogus. See 'hartsverbinding --help'.",
        ),
        (
            ["--content", "{tmp}/missing", "--text"],
            "{tmp}/missing: inhoudsmap niet gevonden (geef --content MAP)",
            "{tmp}/missing: content folder not found (give --content DIR)",
        ),
        (
            ["--content", "{tmp}/content", "--text"],
            "{tmp}/content/texts.yaml, regel {line}: geen geldige YAML: ",
            "{tmp}/content/texts.yaml, line {line}: not valid YAML: ",
        ),
    ],
    ids=["pace", "argparse", "content-folder", "content-line"],
)
def test_a_mistake_is_one_line_in_the_locale_language(tmp_path, args, dutch, english):
    broken = copy_content(tmp_path) / "texts.yaml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text + "oops: [\n", encoding="utf-8")
    line = str(text.count("\n") + 2)
    args = [arg.format(tmp=tmp_path) for arg in args]
    for locale, expected in (({"LANG": "nl_NL.UTF-8"}, dutch), ({"LANG": "en_GB.UTF-8"}, english)):
        done = _cli(*args, **locale)
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        assert done.stderr.startswith(
            "hartsverbinding: " + expected.format(tmp=tmp_path, line=line)
        ), done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
