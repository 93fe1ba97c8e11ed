"""One Vosk recognizer, replaced by a new one every minute of audio, so memory stays flat.

Guarantee: a recognizer that listens all day holds no more memory after an hour than after a
minute. Vosk's KaldiRecognizer keeps its feature pipeline (every frame heard: about 4 MB per
minute of audio) across utterances and drops it only after ten minutes of decoded audio;
`Reset()` keeps it too. Without a grammar it also keeps the part of the model's graph it has
composed so far, which grows with every new stretch of speech. A new KaldiRecognizer starts
empty. (Measured by bench/listening_memory.py; the figures are in bench/README.md.)

The change happens between utterances only, at the first final result or reset after
RENEW_AFTER seconds of audio, so nothing said is cut in two. Not after every final result:
the pipeline adapts to the voice and the room as it listens (online CMVN, i-vectors), and a
new one starts cold, which made the Korean test model mishear short words said right after
the change; and a recognizer without a grammar composes the graph again when new (about
1.5 s of CPU here over its first seconds of speech). Once a minute both are rare, and the
memory held is at most a minute's frames.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.recognizer import engine

RENEW_AFTER = 60.0  # seconds of audio a recognizer takes before it is replaced


class RenewingRecognizer:
    """A KaldiRecognizer on `model` (limited to `grammar`, a JSON list, when given), replaced
    by a new one at the first final result or reset after `renew_after` seconds of audio."""

    def __init__(
        self,
        model: Any,
        rate: int,
        grammar: str | None = None,
        *,
        renew_after: float = RENEW_AFTER,
    ) -> None:
        self._model = model
        self._rate = rate
        self._grammar = grammar
        self.renew_after = renew_after
        self._fed = 0  # frames taken by the current recognizer
        self._stale = False  # the current one has given its final result and is due for renewal
        self._recognizer = self._new()

    def accept(self, samples: bytes) -> bool:
        """Feed 16-bit mono PCM; True when Vosk saw the end of an utterance (`result` then
        gives its text)."""
        if self._stale:
            self._renew()
        self._fed += len(samples) // 2
        return bool(self._recognizer.AcceptWaveform(samples))

    def result(self) -> str:
        """The text of the utterance that just ended."""
        text = _text(self._recognizer.Result(), "text")
        self._due()
        return text

    def partial(self) -> str:
        """The text of the utterance in progress."""
        return _text(self._recognizer.PartialResult(), "partial")

    def final(self) -> str:
        """The end of the input: the last utterance's text, flushed."""
        text = _text(self._recognizer.FinalResult(), "text")
        self._due()
        return text

    def reset(self) -> None:
        """Forget the utterance in progress."""
        self._recognizer.Reset()
        self._due()

    def _due(self) -> None:
        if self._fed and self._fed >= self.renew_after * self._rate:
            self._stale = True

    def _renew(self) -> None:
        # The old one is freed before the new one is made: never two at once.
        self._recognizer = None
        self._recognizer = self._new()
        self._fed = 0
        self._stale = False

    def _new(self) -> Any:
        vosk = engine.vosk()
        if self._grammar is None:
            return vosk.KaldiRecognizer(self._model, self._rate)
        return vosk.KaldiRecognizer(self._model, self._rate, self._grammar)


def _text(result: str, key: str) -> str:
    found = json.loads(result).get(key, "")
    return found if isinstance(found, str) else ""
