"""What a typed line or a recognised utterance means: a command, a practice, a text, or nothing."""

from __future__ import annotations

from assistant.content.model import Content
from assistant.content.phrases import normalise
from assistant.dialog.messages import ChoosePack, ChoosePractice, Meaning, ReadText


def understand(text: str, content: Content) -> Meaning | None:
    """The meaning of the whole utterance, if it is one of the phrasings in content."""
    phrase = normalise(text)
    if not phrase:
        return None
    if phrase in content.commands:
        return content.commands[phrase]
    for practice in content.practices:
        if phrase in practice.phrasings or phrase == practice.id:
            return ChoosePractice(practice.id)
    for text_item in content.texts:
        if phrase in text_item.phrasings:
            return ReadText(text_item.id)
    if phrase in content.packs:
        return ChoosePack(content.packs[phrase])
    return None


def all_phrasings(content: Content) -> list[str]:
    """Every phrasing the user may say: the vocabulary of the command recogniser."""
    phrases = list(content.commands)
    for practice in content.practices:
        phrases += practice.phrasings
    for text_item in content.texts:
        phrases += text_item.phrasings
    return phrases + [phrase for phrase in content.packs if phrase not in phrases]
