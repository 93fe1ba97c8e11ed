"""The assistant's lines as one session says them: each line's variants in turn, so that a line
said often does not grate. One per session, shared by the dialog and its look-back reading, so a
line takes its next variant whichever of them says it."""

from __future__ import annotations

from assistant.content.lines import Line
from assistant.content.model import Content
from assistant.dialog.messages import Action, Say


class Wording:
    def __init__(self, content: Content) -> None:
        self.content = content
        self._turns: dict[Line, int] = {}

    def line(self, line: Line, **values: object) -> str:
        """The next variant of `line`, with its placeholders filled in."""
        turn = self._turns.get(line, 0)
        self._turns[line] = turn + 1
        return self.content.line(line, turn, **values)

    def say(self, line: Line, **values: object) -> list[Action]:
        """The line, said in the brisk style of a prompt."""
        said: list[Action] = [Say(self.line(line, **values))]
        return said
