"""Every line the dialog can say that is known before the session starts: with its style, so
the voice can render them ahead and speaking starts without waiting; and with a stable key, so
a coach can record it (`hartsverbinding opnemen`) and the recording is found again.

Keys (also the recordings' file names):
  say.welcome            a line of assistant.yaml; its second variant is say.not_understood.2
  say.goodbye_saved.one  the wording for exactly one of a line that counts
  say.menu               the menu, as the dialog first composes it from the practices
  oefening.intro         a practice's opening words (oefening.outro: its closing words)
  oefening.steps.3       the third step of an exercise
  vragen.questions.4     the fourth question, as it is said: "Vraag 4 van 10. Mag het er zijn?"
  text.compassie.title   a text's title; text.compassie.2 is its second paragraph
Numbers count from 1. A line whose words are known only during a session (the answer read
back, a count, the point to go on from) has no key: it is always synthesised.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.content.lines import Line
from assistant.content.model import Content, Exercise, QuestionList
from assistant.dialog.machine import Dialog
from assistant.dialog.messages import Begin, Say, Style

SAY = "say"
TEXT = "text"


@dataclass(frozen=True)
class RecordableLine:
    """One line of content exactly as it is said, and the key its recording is kept under."""

    key: str
    text: str
    style: Style


def recordable_lines(content: Content) -> list[RecordableLine]:
    """Every line known ahead, in the order a coach would record them: each practice from its
    opening to its closing words, the texts, then the assistant's own lines."""
    lines: list[RecordableLine] = []
    for practice in content.practices:
        if isinstance(practice, Exercise):
            lines.append(RecordableLine(f"{practice.id}.intro", practice.intro, Style.GUIDE))
            lines += [
                RecordableLine(f"{practice.id}.steps.{number}", step.say, Style.GUIDE)
                for number, step in enumerate(practice.steps, start=1)
            ]
            lines.append(RecordableLine(f"{practice.id}.outro", practice.outro, Style.GUIDE))
        elif isinstance(practice, QuestionList):
            total = len(practice.questions)
            lines.append(RecordableLine(f"{practice.id}.intro", practice.intro, Style.PROMPT))
            lines += [
                RecordableLine(
                    f"{practice.id}.questions.{number}",
                    content.line(Line.QUESTION, 0, number=number, total=total, question=question),
                    Style.PROMPT,
                )
                for number, question in enumerate(practice.questions, start=1)
            ]
            lines.append(RecordableLine(f"{practice.id}.outro", practice.outro, Style.PROMPT))
    for text in content.texts:
        lines.append(RecordableLine(f"{TEXT}.{text.id}.title", text.title, Style.READING))
        lines += [
            RecordableLine(f"{TEXT}.{text.id}.{number}", paragraph, Style.READING)
            for number, paragraph in enumerate(text.paragraphs, start=1)
        ]
    for key, variants in content.lines.items():
        if key == Line.MENU:
            lines.append(RecordableLine(f"{SAY}.{Line.MENU.value}", *_menu(content)))
            continue
        lines += _plain(f"{SAY}.{key}", variants)
        if key in content.singular:
            lines += _plain(f"{SAY}.{key}.one", content.singular[key])
    return lines


def unrecordable_keys(content: Content) -> list[str]:
    """The assistant's lines that carry words known only during a session (an answer, a
    count, a title in a sentence): they cannot be recorded ahead and are always synthesised.
    The pieces the menu is made of are left out: the menu itself is recorded whole."""
    recordable = {line.key for line in recordable_lines(content)}
    found = []
    for key, variants in content.lines.items():
        if key in (Line.MENU, Line.MENU_CHOICE, Line.MENU_ALL, Line.QUESTION):
            continue
        for number, variant in enumerate(variants, start=1):
            name = _variant_key(f"{SAY}.{key}", number)
            if "{" in variant and name not in recordable:
                found.append(name)
    return found


def known_lines(content: Content) -> list[tuple[str, Style]]:
    """The lines to render ahead: each text once, with the style it is said in."""
    return list(dict.fromkeys((line.text, line.style) for line in recordable_lines(content)))


def _plain(key: str, variants: tuple[str, ...]) -> list[RecordableLine]:
    """The variants of a line without placeholders (the others cannot be known ahead)."""
    return [
        RecordableLine(_variant_key(key, number), variant, Style.PROMPT)
        for number, variant in enumerate(variants, start=1)
        if "{" not in variant
    ]


def _variant_key(key: str, number: int) -> str:
    # The first variant keeps the plain key, so adding a variant later moves no recording.
    return key if number == 1 else f"{key}.{number}"


def _menu(content: Content) -> tuple[str, Style]:
    """The menu exactly as the dialog words it: the last thing said after the welcome."""
    said = [a for a in Dialog(content).handle(Begin(None)) if isinstance(a, Say)]
    return said[-1].text, said[-1].style
