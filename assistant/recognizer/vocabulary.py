"""Which words of the phrasings the model does not know (Vosk drops them with only a log line)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.content.phrases import normalise
from assistant.i18n import _

UNKNOWN = "[unk]"


def missing_words(model: Any, phrases: Iterable[str]) -> dict[str, list[str]]:
    """Each word the model lacks, with the phrasings it breaks, in first-seen order."""
    missing: dict[str, list[str]] = {}
    known: dict[str, bool] = {}
    for phrase in phrases:
        text = normalise(phrase)
        for word in text.split():
            if word not in known:
                known[word] = model.vosk_model_find_word(word) != -1
            if not known[word]:
                broken = missing.setdefault(word, [])
                if text not in broken:
                    broken.append(text)
    return missing


def knows_unknown(model: Any) -> bool:
    """Whether the model has the "[unk]" word that keeps other speech off the commands."""
    return bool(model.vosk_model_find_word(UNKNOWN) != -1)


def describe_missing(missing: dict[str, list[str]]) -> list[str]:
    """One line per missing word, for the start-up report."""
    return [
        _("the speech model does not know {word}, so it cannot hear: {phrases}").format(
            word=repr(word), phrases=", ".join(repr(phrase) for phrase in phrases)
        )
        for word, phrases in missing.items()
    ]
