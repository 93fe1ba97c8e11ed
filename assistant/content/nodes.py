"""Reading YAML with its line numbers kept, so every content error can point at its place.

Content is meant to be shared, so a file from anyone must end in one message, never a
traceback or a memory blow-up: anchors and aliases are refused before any data is built (a
large text repeated by reference a thousand times became gigabytes of strings), nesting is
bounded (the composer recurses once per level), and numbers are read as YAML reads them
(`0x10`, `1:30`) and must be finite.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NoReturn, cast

import yaml

from assistant.errors import ContentError
from assistant.i18n import N_, _

_STR = "tag:yaml.org,2002:str"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_BOOL = "tag:yaml.org,2002:bool"
MAX_DEPTH = 50  # levels of nesting; content needs five, Python's stack would give out near 300


class RefusedYAML(yaml.MarkedYAMLError):
    """YAML that is valid but not accepted here (anchors, aliases, deep nesting)."""


class SharedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases and nesting deeper than MAX_DEPTH
    while the document is composed, before anything is built from it."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            self._refuse(
                _("anchors and aliases (&name, *name) are not allowed here: write the text out"),
                event,
            )
        if self._depth >= MAX_DEPTH:
            self._refuse(_("nested deeper than {count} levels").format(count=MAX_DEPTH), event)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    @staticmethod
    def _refuse(problem: str, event: yaml.Event) -> NoReturn:
        raise RefusedYAML(problem=problem, problem_mark=cast(yaml.Mark, event.start_mark))


class Node:
    """A YAML node that knows its file and line and fails with a ContentError naming them."""

    def __init__(self, path: str, node: yaml.Node, where: str) -> None:
        self.path = path
        self.node = node
        self.where = where  # e.g. "steps[3].pause", for messages

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def fail(self, what: str) -> NoReturn:
        raise ContentError(self.path, f"{self.where}: {what}" if self.where else what, self.line)

    def mapping(
        self,
        required: set[str],
        optional: frozenset[str] = frozenset(),
        unknown: list[str] | None = None,
    ) -> dict[str, Node]:
        """The children by key. A key neither required nor optional is refused, or with
        `unknown` given, left out and named there (a pack made for an older program)."""
        if not isinstance(self.node, yaml.MappingNode):
            self.fail(_("expected a mapping (key: value lines)"))
        found: dict[str, Node] = {}
        for key_node, value_node in self.node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            child = Node(self.path, value_node, self._child(str(key)))
            if key is None:
                Node(self.path, key_node, self.where).fail(_("keys must be plain words"))
            if key in found:
                Node(self.path, key_node, self._child(key)).fail(_("this key appears twice"))
            if key not in required and key not in optional:
                if unknown is not None:
                    unknown.append(self._child(key))
                    continue
                allowed = ", ".join(sorted(required | optional))
                Node(self.path, key_node, self._child(key)).fail(
                    _("unknown key (allowed here: {allowed})").format(allowed=allowed)
                )
            found[key] = child
        missing = sorted(required - found.keys())
        if missing:
            self.fail(_("missing key '{key}'").format(key=missing[0]))
        return found

    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    def items(self, allow_empty: bool = False) -> list[Node]:
        if not isinstance(self.node, yaml.SequenceNode):
            self.fail(_("expected a list (lines starting with '- ')"))
        if not self.node.value and not allow_empty:
            self.fail(_("the list is empty"))
        return [
            Node(self.path, child, f"{self.where}[{index + 1}]")
            for index, child in enumerate(self.node.value)
        ]

    def text(self) -> str:
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag != _STR:
            self.fail(_("expected text"))
        value = " ".join(str(self.node.value).split())
        if not value:
            self.fail(_("the text is empty"))
        return value

    def scalar(self) -> str:
        """Text or a number, as text."""
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag not in (_STR, *_NUMBERS):
            self.fail(_("expected text or a number"))
        value = str(self.node.value).strip()
        if not value:
            self.fail(_("the text is empty"))
        return value

    def texts(self) -> tuple[str, ...]:
        """One text, or a list of variants."""
        if isinstance(self.node, yaml.SequenceNode):
            return tuple(item.text() for item in self.items())
        return (self.text(),)

    def paragraphs(self) -> tuple[str, ...]:
        """A block of text split on blank lines, each paragraph's lines joined."""
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag != _STR:
            self.fail(_("expected text"))
        blocks = [" ".join(block.split()) for block in str(self.node.value).split("\n\n")]
        found = tuple(block for block in blocks if block)
        if not found:
            self.fail(_("the text is empty"))
        return found

    def number(self, low: float, high: float, unit: str = "") -> float:
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag not in _NUMBERS:
            self.fail(
                _("expected a number of {unit}").format(unit=_(unit))
                if unit
                else _("expected a number")
            )
        value = _number(self.node)
        if math.isnan(value):
            self.fail(_("expected a number"))
        if not low <= value <= high:
            numbers = {"value": f"{value:g}", "low": f"{low:g}", "high": f"{high:g}"}
            self.fail(
                _("{value} is outside {low} to {high} {unit}").format(**numbers, unit=_(unit))
                if unit
                else _("{value} is outside {low} to {high}").format(**numbers)
            )
        return value

    def seconds(self) -> float:
        return self.number(0, 600, N_("seconds"))

    def flag(self) -> bool:
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag != _BOOL:
            self.fail(_("expected true or false"))
        return str(self.node.value).lower() in ("true", "yes", "on")

    def _child(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items())


def parse_file(path: str) -> Node:
    """The document in `path` as a Node; syntax and encoding errors become ContentErrors."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.compose(handle, Loader=SharedLoader)
    except FileNotFoundError:
        raise ContentError(path, _("file not found")) from None
    except UnicodeDecodeError as error:
        raise ContentError(
            path,
            _("not UTF-8 text ({reason} at byte {byte})").format(
                reason=error.reason, byte=error.start
            ),
        ) from None
    except RefusedYAML as error:
        line = error.problem_mark.line + 1 if error.problem_mark is not None else None
        raise ContentError(path, str(error.problem), line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ContentError(
            path,
            _("not valid YAML: {problem}").format(problem=error.problem or error.context),
            line,
        ) from None
    except yaml.reader.ReaderError as error:
        line = _line_of(path, error.position)
        raise ContentError(
            path, _("not valid YAML: {problem}").format(problem=error.reason), line
        ) from None
    except yaml.YAMLError as error:
        raise ContentError(
            path, _("not valid YAML: {problem}").format(problem=" ".join(str(error).split()))
        ) from None
    except OSError as error:
        raise ContentError(
            path, _("cannot be read: {reason}").format(reason=error.strerror)
        ) from None
    if document is None:
        raise ContentError(path, _("the file is empty"))
    return Node(path, document, "")


def _number(node: yaml.ScalarNode) -> float:
    """An int or float node's value as YAML 1.1 reads it (0x10, 0b11, 1_000, 1:30 = 90, .inf,
    .nan); too large for a float is infinite."""
    constructor = yaml.constructor.SafeConstructor()
    try:
        if node.tag == "tag:yaml.org,2002:int":
            return float(constructor.construct_yaml_int(node))
        return float(constructor.construct_yaml_float(node))
    except (OverflowError, ValueError):  # ValueError: an int of over 4300 digits
        return -math.inf if str(node.value).lstrip().startswith("-") else math.inf


def _line_of(path: str, position: int) -> int | None:
    """The 1-based line of a character position, for errors that only know the position."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(position).count("\n") + 1
    except OSError:
        return None
