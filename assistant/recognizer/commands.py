"""Commands: a Vosk recognizer limited to the command phrasings, acting as soon as it is sure."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from assistant.audio import AudioChunk
from assistant.content.phrases import normalise
from assistant.recognizer.renewal import RenewingRecognizer
from assistant.recognizer.vocabulary import UNKNOWN, describe_missing, knows_unknown, missing_words

log = logging.getLogger(__name__)


class CommandRecognizer:
    """Feed it audio; it answers with a phrase (normalised) once it is certain one was said.

    Certain means: the partial result has been that whole phrase, unchanged, for `stable`
    seconds of audio, or Vosk's final result is that phrase. Waiting for the final result
    alone would cost 0.5 s of silence and more. A phrase that begins a longer phrase with a
    different meaning ("dat klopt" / "dat klopt niet") waits for the final result, because a
    pause before the last word would otherwise turn one command into another.
    """

    def __init__(
        self,
        model: Any,
        phrases: Iterable[str],
        rate: int = 16000,
        *,
        stable: float = 0.3,
        meanings: Mapping[str, object] | None = None,
    ) -> None:
        wanted = list(dict.fromkeys(p for p in (normalise(p) for p in phrases) if p))
        # Vosk silently drops unknown words from a grammar, which would turn "dat klopt niet"
        # into "dat niet"; a phrase it cannot hear whole is better left out and reported.
        self.missing = missing_words(model, wanted)
        broken = {phrase for phrases in self.missing.values() for phrase in phrases}
        self.phrases: tuple[str, ...] = tuple(p for p in wanted if p not in broken)
        self.grammar: list[str] = [*self.phrases, UNKNOWN]
        self.unknown_supported = knows_unknown(model)
        for line in describe_missing(self.missing):
            log.warning(line)
        if not self.unknown_supported:
            log.warning(
                "the speech model has no %s word: other speech may sound like a command", UNKNOWN
            )
        self.rate = rate
        self.stable = stable
        self._waits_for_final = _ambiguous_prefixes(self.phrases, meanings)
        self._recognizer: RenewingRecognizer | None = None
        if self.phrases:  # an empty grammar crashes Vosk 0.3.45 (segmentation fault)
            grammar = json.dumps(self.grammar, ensure_ascii=False)  # escaped words are unknown
            self._recognizer = RenewingRecognizer(model, rate, grammar)
        else:
            log.warning("no command phrase can be recognised with this speech model")
        self.reset()

    def reset(self) -> None:
        """Forget the utterance in progress (after the assistant spoke, or a mode change)."""
        if self._recognizer is not None:
            self._recognizer.reset()
        self._partial = ""
        self._partial_age = 0.0  # seconds of audio the current partial has stood unchanged
        self._acted = False  # acted on this utterance already: its final result is not news

    @property
    def in_utterance(self) -> bool:
        """A phrase was given for this utterance before Vosk saw its end."""
        return self._acted

    def feed(self, chunk: AudioChunk) -> str | None:
        if self._recognizer is None:
            return None
        if self._recognizer.accept(chunk.samples):
            return self._final(self._recognizer.result())
        partial = _words(self._recognizer.partial())
        if partial != self._partial:
            self._partial, self._partial_age = partial, 0.0
            return None
        self._partial_age += chunk.seconds
        if (
            not self._acted
            and self._partial_age >= self.stable
            and partial in self.phrases
            and partial not in self._waits_for_final
        ):
            self._acted = True
            return partial
        return None

    def finish(self) -> str | None:
        """End of input: whatever the last words were, if they were a command."""
        if self._recognizer is None:
            return None
        heard = self._final(self._recognizer.final())
        self.reset()
        return heard

    def _final(self, text: str) -> str | None:
        final = _words(text)
        acted, last_partial = self._acted, self._partial
        self._partial, self._partial_age, self._acted = "", 0.0, False
        if acted:
            return None
        if not final and last_partial in self.phrases:
            return last_partial  # Vosk sometimes ends with an empty result after good partials
        return final if final in self.phrases else None


def _ambiguous_prefixes(
    phrases: tuple[str, ...], meanings: Mapping[str, object] | None
) -> frozenset[str]:
    """Phrases that are the first words of a longer phrase meaning something else."""

    def meaning(phrase: str) -> object:
        return phrase if meanings is None else meanings.get(phrase, phrase)

    return frozenset(
        short
        for short in phrases
        for long in phrases
        if long.startswith(short + " ") and meaning(long) != meaning(short)
    )


def _words(text: str) -> str:
    # Vosk already answers in the grammar's (normalised) words; normalising again would turn
    # "[unk]" into "unk".
    return " ".join(text.split())
