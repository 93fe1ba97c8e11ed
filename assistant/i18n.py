"""Messages for the person at the command line (errors, notices, help), in their language.

Dutch by default, English when the locale says English: the person this is for speaks Dutch,
and a Raspberry Pi often runs with the C locale. The English text is the message id in the
code; `assistant/locale/nl/LC_MESSAGES/hartsverbinding.po` holds the Dutch. Logs (--verbose)
stay English: they are for whoever debugs, not for the person practising.

Wrap every message meant for the person: `_("Cannot read {path}.").format(path=path)`. Format
after translating, so the translation can move the placeholder.
"""

from __future__ import annotations

import functools
import gettext
import os

from assistant.places import locale_dir

DOMAIN = "hartsverbinding"
LOCALE_DIR = locale_dir()
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language(environ: dict[str, str] | None = None) -> str:
    """'en' when the first locale variable that is set asks for English, else 'nl'."""
    env = os.environ if environ is None else environ
    for variable in _LOCALE_VARIABLES:
        value = env.get(variable, "")
        if value:
            first = value.split(":")[0].lower()
            return "en" if first.startswith("en") else "nl"
    return "nl"


@functools.lru_cache(maxsize=4)
def _translation(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """`message` in the person's language."""
    return _translation(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a message for `count`, in the person's language."""
    return _translation(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it here (it is translated where
    it is used, by someone else's `gettext`)."""
    return message


def translate_argparse() -> None:
    """argparse's own words ("usage:", "options", its error messages) in the person's
    language too. argparse looks its words up through the module-level names `_` and
    `ngettext` when it formats them, so pointing those at our catalogue is enough; the ids it
    uses are listed in assistant/cli/argparse_words.py for the catalogue."""
    import argparse

    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
