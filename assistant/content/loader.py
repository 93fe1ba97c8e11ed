"""Load and validate a content folder: assistant.yaml, commands.yaml, texts.yaml, practices/."""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from pathlib import Path

from assistant import places
from assistant.content.lines import Line
from assistant.content.model import Command, Content, Exercise, Practice, QuestionList, Step, Text
from assistant.content.nodes import Node, parse_file
from assistant.content.phrases import normalise
from assistant.errors import ContentError
from assistant.i18n import _

_FORMATTER = string.Formatter()

# Every line the dialog says, with the placeholders it may use (content/lines.py). The dialog
# asks for these keys, so a missing one would break it mid-session: the loader refuses it up front.
LINE_KEYS: dict[str, frozenset[str]] = {line.value: line.placeholders for line in Line}

JOURNAL_KEYS: dict[str, frozenset[str]] = {
    "title": frozenset({"date", "time"}),
    "unconfirmed": frozenset(),
    "recording": frozenset(),
    "page_title": frozenset(),
    "improved": frozenset({"recognizer", "date"}),  # optional: Labels has a plain default
}
_OPTIONAL_JOURNAL_KEYS = frozenset({"improved"})


def default_content_dir() -> Path:
    """`HARTSVERBINDING_CONTENT`, else the Dutch content that comes with the program."""
    configured = os.environ.get("HARTSVERBINDING_CONTENT")
    if configured:
        return Path(configured)
    return places.content_dir() / "nl"


def language_folder(folder: Path, language: str) -> Path:
    """The folder with assistant.yaml: `folder` itself, or its `language` subfolder, or its one
    language subfolder (so `--content content` works as well as `--content content/nl`)."""
    if not folder.is_dir():
        raise ContentError(str(folder), _("content folder not found (give --content DIR)"))
    if (folder / "assistant.yaml").exists():
        return folder
    if (folder / language / "assistant.yaml").is_file():
        return folder / language
    found = sorted(sub.name for sub in folder.iterdir() if (sub / "assistant.yaml").is_file())
    if len(found) == 1:
        return folder / found[0]
    if found:
        choices = " or ".join(f"--content {folder / name}" for name in found)
        raise ContentError(
            str(folder),
            _("holds no '{language}' content but {found}: give {choices}").format(
                language=language, found=", ".join(found), choices=choices
            ),
        )
    raise ContentError(
        str(folder),
        _(
            "no assistant.yaml here nor in a language folder below it; give the folder that "
            "holds assistant.yaml (such as content/nl)"
        ),
    )


def load_content(folder: Path, language: str = "nl", fill_from: Path | None = None) -> Content:
    """The content of `folder`, checked whole. With `fill_from` (the folder above the
    program's own language folders), the lines, journal words and commands that `folder`
    lacks are taken from the program's content of the same language: an installed pack made
    before the program knew them keeps working (its own always win; `Content.filled` names
    what was taken), and those the program no longer has are left out (`Content.dropped`).
    Without it, as for a folder the person gives, every one is required and none unknown."""
    folder = language_folder(folder, language)
    top = parse_file(str(folder / "assistant.yaml")).mapping(
        {"language", "say", "journal", "months"}
    )
    base = _Base.read(fill_from, top["language"].text(), folder)
    filled: list[str] = []
    dropped: list[str] | None = None if base.say is None else []
    lines, singular = _lines(
        top["say"], LINE_KEYS, fallback=base.say, filled=filled, dropped=dropped
    )
    journal = {
        key: variants[0]
        for key, variants in _lines(
            top["journal"], JOURNAL_KEYS, _OPTIONAL_JOURNAL_KEYS, base.journal, filled, dropped
        )[0].items()
    }
    owners: dict[str, str] = {}  # every phrasing, whoever uses it: one meaning per phrasing
    commands_file = parse_file(str(folder / "commands.yaml"))
    commands, lacking = _commands(commands_file, owners, base.commands, dropped)
    start_phrases = _start_phrases(commands_file, owners)
    practices = _practices(folder / "practices", owners)
    texts = _texts(parse_file(str(folder / "texts.yaml")), owners)
    # Last, so every phrasing of the pack is known: the pack's meaning of one wins.
    commands.update(_borrowed_commands(lacking, owners))
    filled += [f"commands.{name}" for name in lacking]
    return Content(
        language=top["language"].text(),
        lines=lines,
        commands=commands,
        practices=practices,
        texts=texts,
        journal=journal,
        source_dir=str(folder),
        singular=singular,
        start_phrases=start_phrases,
        months=_months(top["months"]),
        pack_phrasings=_pack_phrasings(commands_file),
        filled=tuple(filled),
        dropped=tuple(dropped or ()),
    )


@dataclass(frozen=True)
class _Base:
    """The program's own lines, journal words and commands that a pack may lack (all None:
    nothing is filled in)."""

    say: Node | None = None
    journal: Node | None = None
    commands: Node | None = None

    @classmethod
    def read(cls, root: Path | None, language: str, folder: Path) -> _Base:
        own = root / language if root is not None and language.isalpha() else None
        if own is None or not (own / "assistant.yaml").is_file():
            return cls()  # no content of this language comes with the program
        if own.resolve() == folder.resolve():
            return cls()
        top = parse_file(str(own / "assistant.yaml")).mapping(
            {"language", "say", "journal", "months"}
        )
        commands = parse_file(str(own / "commands.yaml")).mapping({"commands"}, _COMMANDS_OPTIONAL)
        return cls(top["say"], top["journal"], commands["commands"])


def _lines(
    node: Node,
    schema: dict[str, frozenset[str]],
    optional: frozenset[str] = frozenset(),
    fallback: Node | None = None,
    filled: list[str] | None = None,
    dropped: list[str] | None = None,
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The lines with their variants, and the singular forms of the lines that count; with
    `fallback`, those `node` lacks are taken from it (each named in `filled`), and those the
    schema does not know are left out (each named in `dropped`)."""
    if fallback is None:
        found = node.mapping(set(schema) - optional, optional)
    else:
        theirs = fallback.mapping(set(), frozenset(schema))
        required = set(schema) - optional - theirs.keys()
        found = node.mapping(required, frozenset(schema), dropped)
        lacking = [k for k in schema if k in theirs and k not in found and k not in optional]
        found.update((key, theirs[key]) for key in lacking)
        if filled is not None:
            prefix = node.where + "." if node.where else ""
            filled += [prefix + key for key in lacking]
    lines: dict[str, tuple[str, ...]] = {}
    singular: dict[str, tuple[str, ...]] = {}
    for key, child in found.items():
        if child.is_mapping() and "count" in schema[key]:
            # one: the wording for exactly one; other: for every other number (Dutch plurals).
            forms = child.mapping({"one", "other"})
            singular[key] = _variants(forms["one"], schema[key])
            lines[key] = _variants(forms["other"], schema[key])
        else:
            lines[key] = _variants(child, schema[key])
    return lines, singular


def _variants(node: Node, allowed: frozenset[str]) -> tuple[str, ...]:
    variants = node.texts()
    for variant in variants:
        _check_placeholders(node, variant, allowed)
    return variants


def _check_placeholders(node: Node, text: str, allowed: frozenset[str]) -> None:
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in _FORMATTER.parse(text)]
    except ValueError as error:
        node.fail(
            _("broken placeholder ({error}); write a literal brace as {{{{ or }}}}").format(
                error=error
            )
        )
    names = {name for name, _spec, _conversion in fields if name is not None}
    for name, spec, conversion in fields:
        # {answer!r} or {number:x} would pass here and fail only when the line is first said.
        if name is not None and (spec or conversion):
            plain = "{" + name + "}"
            node.fail(
                _(
                    "placeholder {plain} has a conversion or format (! or :): write just {plain}"
                ).format(plain=plain)
            )
    unknown = sorted(names - allowed)
    if unknown:
        hint = ", ".join("{" + name + "}" for name in sorted(allowed)) or _("none")
        node.fail(
            _("unknown placeholder {name} (usable here: {hint})").format(
                name="{" + unknown[0] + "}", hint=hint
            )
        )


def _commands(
    document: Node,
    owners: dict[str, str],
    base: Node | None = None,
    dropped: list[str] | None = None,
) -> tuple[dict[str, Command], dict[str, Node]]:
    """The phrasings of the commands; and those of `base` (the program's) for the commands
    the file lacks, to be added last (`_borrowed_commands`); commands the program no longer
    has are named in `dropped` when it is given, else refused."""
    top = document.mapping({"commands"}, _COMMANDS_OPTIONAL)
    names = {c.value for c in Command}
    theirs = {} if base is None else base.mapping(set(), frozenset(names))
    found = top["commands"].mapping(names - theirs.keys(), frozenset(names), dropped)
    commands = {
        phrase: Command(name)
        for name, child in found.items()
        for phrase in _phrasings(child, owners, _("command '{name}'").format(name=name))
    }
    return commands, {name: node for name, node in theirs.items() if name not in found}


def _borrowed_commands(lacking: dict[str, Node], owners: dict[str, str]) -> dict[str, Command]:
    """The program's phrasings of the commands a pack lacks, but those the pack gave a
    meaning of its own."""
    borrowed: dict[str, Command] = {}
    for name, node in lacking.items():
        for item in node.items():
            phrase = normalise(item.text())
            if phrase and phrase not in owners:
                owners[phrase] = _("command '{name}'").format(name=name)
                borrowed[phrase] = Command(name)
    return borrowed


def _months(node: Node) -> tuple[str, ...]:
    months = tuple(item.text() for item in node.items())
    if len(months) != 12:
        node.fail(_("expected the 12 month names, found {count}").format(count=len(months)))
    return months


def _start_phrases(document: Node, owners: dict[str, str]) -> tuple[str, ...]:
    """What starts a session from standby (`hartsverbinding standby`); none: no standby."""
    node = document.mapping({"commands"}, _COMMANDS_OPTIONAL).get("start_phrases")
    return () if node is None else _phrasings(node, owners, _("a start phrase"))


_COMMANDS_OPTIONAL = frozenset({"start_phrases", "pack_phrasings"})


def _pack_phrasings(document: Node) -> tuple[str, ...]:
    """How another installed pack is chosen in the menu, each with {pack} where its name goes;
    none: packs are not offered by voice."""
    node = document.mapping({"commands"}, _COMMANDS_OPTIONAL).get("pack_phrasings")
    if node is None:
        return ()
    templates = node.texts()
    for template in templates:
        _check_placeholders(node, template, frozenset({"pack"}))
        if "{pack}" not in template:
            node.fail(
                _("'{text}' needs {{pack}}, where the pack's name goes").format(text=template)
            )
    return templates


def _practices(folder: Path, owners: dict[str, str]) -> tuple[Practice, ...]:
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        raise ContentError(str(folder), _("no practice files (*.yaml) in this folder"))
    practices: list[Practice] = []
    for path in files:
        document = parse_file(str(path))
        practice = _practice(document, owners)
        if practice.id in RESERVED_IDS:
            document.mapping({"id", "kind"}, _PRACTICE_KEYS)["id"].fail(
                f"'{practice.id}' cannot be a practice's id (it is used for other recordings)"
            )
        if any(other.id == practice.id for other in practices):
            document.mapping({"id", "kind"}, _PRACTICE_KEYS)["id"].fail(
                _("another practice already has id '{id}'").format(id=practice.id)
            )
        practices.append(practice)
    return tuple(practices)


_PRACTICE_KEYS = frozenset({"title", "phrasings", "intro", "outro", "steps", "questions"})
# A practice's id begins the keys of its recordings (dialog/lines.py); these begin the keys of
# the assistant's own lines and of the texts.
RESERVED_IDS = frozenset({"say", "text"})


def _practice(document: Node, owners: dict[str, str]) -> Practice:
    head = document.mapping({"id", "kind"}, _PRACTICE_KEYS)
    kind = head["kind"].text()
    common = {"id", "kind", "title", "phrasings", "intro", "outro"}
    owner = _("practice '{id}'").format(id=head["id"].text())
    if kind == "exercise":
        found = document.mapping(common | {"steps"})
        steps = tuple(_step(item) for item in found["steps"].items())
        return Exercise(
            id=_identifier(found["id"]),
            title=found["title"].text(),
            phrasings=_phrasings(found["phrasings"], owners, owner),
            intro=found["intro"].text(),
            steps=steps,
            outro=found["outro"].text(),
        )
    if kind == "questions":
        found = document.mapping(common | {"questions"})
        return QuestionList(
            id=_identifier(found["id"]),
            title=found["title"].text(),
            phrasings=_phrasings(found["phrasings"], owners, owner),
            intro=found["intro"].text(),
            questions=tuple(item.text() for item in found["questions"].items()),
            outro=found["outro"].text(),
        )
    head["kind"].fail(_("unknown kind '{kind}' (use 'exercise' or 'questions')").format(kind=kind))


def _step(node: Node) -> Step:
    found = node.mapping({"say", "pause"})
    return Step(say=found["say"].text(), pause=found["pause"].seconds())


def _texts(document: Node, owners: dict[str, str]) -> tuple[Text, ...]:
    texts = []
    for item in document.mapping({"texts"})["texts"].items():
        found = item.mapping({"id", "title", "phrasings", "text"})
        texts.append(
            Text(
                id=_identifier(found["id"]),
                title=found["title"].text(),
                phrasings=_phrasings(
                    found["phrasings"], owners, _("text '{id}'").format(id=found["id"].text())
                ),
                paragraphs=found["text"].paragraphs(),
            )
        )
    return tuple(texts)


def _identifier(node: Node) -> str:
    value = node.text()
    if not value.replace("-", "").replace("_", "").isalnum() or not value.isascii():
        node.fail(
            _("'{value}' is not a valid id (letters, digits, '-' and '_')").format(value=value)
        )
    return value


def _phrasings(node: Node, owners: dict[str, str], owner: str) -> tuple[str, ...]:
    phrases = []
    for item in node.items():
        phrase = normalise(item.text())
        if not phrase:
            item.fail(_("a phrasing needs at least one word"))
        if phrase in owners:
            item.fail(
                _("'{phrase}' already means {owner}").format(phrase=phrase, owner=owners[phrase])
            )
        owners[phrase] = owner
        phrases.append(phrase)
    return tuple(phrases)
