"""Every line the dialog can say that is known before the session starts, with its style: so
the voice can render them ahead and speaking starts without waiting."""

from __future__ import annotations

from assistant.content.model import Content, Exercise, QuestionList
from assistant.dialog.machine import Dialog
from assistant.dialog.messages import Begin, Say, Style


def known_lines(content: Content) -> list[tuple[str, Style]]:
    lines: list[tuple[str, Style]] = []
    for practice in content.practices:
        if isinstance(practice, Exercise):
            lines.append((practice.intro, Style.GUIDE))
            lines += [(step.say, Style.GUIDE) for step in practice.steps]
            lines.append((practice.outro, Style.GUIDE))
        elif isinstance(practice, QuestionList):
            lines += [(practice.intro, Style.PROMPT), (practice.outro, Style.PROMPT)]
            total = len(practice.questions)
            lines += [
                (content.line("question", 0, number=n, total=total, question=q), Style.PROMPT)
                for n, q in enumerate(practice.questions, start=1)
            ]
    for text in content.texts:
        lines += [(text.title, Style.READING)] + [(p, Style.READING) for p in text.paragraphs]
    # The welcome and the menu, exactly as the dialog words them.
    lines += [(a.text, a.style) for a in Dialog(content).handle(Begin(None)) if isinstance(a, Say)]
    for variants in [*content.lines.values(), *content.singular.values()]:
        lines += [(variant, Style.PROMPT) for variant in variants if "{" not in variant]
    return list(dict.fromkeys(lines))
