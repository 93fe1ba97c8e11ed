"""Which installed pack speaks, and removing one.

    packs/.in-use     the name `pack use NAME` chose (one line; a dot name, so it is never
                      taken for a pack)

The content of a session comes from, in this order: `--content DIR`,
`$HARTSVERBINDING_CONTENT`, the config's `pack: NAME`, the pack `pack use` chose, the only
pack installed, else the content that comes with the program. A session reads the version
folder behind `current`, so an update during a session never changes its words mid-way. Only
a pack's content is filled in from the program's own where it lacks a line (`pack_content`):
a folder the person gives is checked strictly, as `pack build` checks it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from assistant import places
from assistant.content.loader import default_content_dir, load_content
from assistant.content.model import Content
from assistant.content.phrases import normalise
from assistant.durable import fsync_folder, write_durably
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.packs.failures import cannot_write
from assistant.packs.installed import installed, pack_content, pack_folder

IN_USE = ".in-use"
_REMOVING = ".removing-"


def packs_dir() -> Path:
    """Where packs are installed: `packs/` in the data folder."""
    return places.data_home() / "packs"


def trust_file() -> Path:
    from assistant.packs.trust import TRUST_FILE

    return places.data_home() / TRUST_FILE


def chosen_name(packs: Path) -> str | None:
    """The name `pack use` chose, when that pack is still installed."""
    try:
        name = (packs / IN_USE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if name in installed(packs) else None


def speaking(packs: Path, configured: str | None) -> str | None:
    """The pack whose content a session uses (the config's `pack:` first), None for the
    program's own content."""
    if configured:
        pack_folder(packs, configured)  # one line when it is not installed
        return configured
    chosen = chosen_name(packs)
    if chosen is not None:
        return chosen
    names = list(installed(packs))
    return names[0] if len(names) == 1 else None


def content_folder(given: Path | None, configured_pack: str | None) -> Path:
    """The content folder a command reads (see the module's text)."""
    if given is not None:
        return given
    if os.environ.get("HARTSVERBINDING_CONTENT"):
        return default_content_dir()
    packs = packs_dir()
    name = speaking(packs, configured_pack)
    return pack_folder(packs, name) if name is not None else default_content_dir()


def chosen_content(given: Path | None, configured_pack: str | None, language: str) -> Content:
    """The content a command reads (see the module's text), loaded."""
    if given is None and not os.environ.get("HARTSVERBINDING_CONTENT"):
        packs = packs_dir()
        name = speaking(packs, configured_pack)
        if name is not None:
            return pack_content(pack_folder(packs, name), language)
    return load_content(content_folder(given, configured_pack), language)


def older_pack_notices(content: Content) -> list[str]:
    """A line for stderr per way the pack is older than the program (none when it is not):
    lines it lacks (the program's own are spoken), lines, journal words or commands the program
    no longer knows (left out). The session works either way."""
    notices = []
    if content.filled:
        count = len(content.filled)
        notices.append(
            ngettext(
                "This pack lacks {count} newer line of the assistant ({keys}); the program's "
                "own is spoken for it. Ask its coach for a new version.",
                "This pack lacks {count} newer lines of the assistant ({keys}); the program's "
                "own are spoken for those. Ask its coach for a new version.",
                count,
            ).format(count=count, keys=", ".join(content.filled))
        )
    if content.dropped:
        count = len(content.dropped)
        notices.append(
            ngettext(
                "This pack has {count} part this version of the assistant no longer knows "
                "({keys}); it is left out.",
                "This pack has {count} parts this version of the assistant no longer knows "
                "({keys}); they are left out.",
                count,
            ).format(count=count, keys=", ".join(content.dropped))
        )
    return notices


def offer_packs(content: Content, packs: Path) -> Content:
    """`content` with the other installed packs to choose by voice in the menu, where more
    than one is installed and the content says how a pack is chosen (`pack_phrasings`)."""
    found = installed(packs)
    if not content.pack_phrasings or len(found) < 2:
        return content
    speaking = Path(content.source_dir).resolve()
    titles = {
        name: name.replace("-", " ").replace("_", " ")
        for name, version in found.items()
        if version.folder.resolve() != speaking
    }
    phrases = {
        normalise(template.format(pack=title)): name
        for name, title in titles.items()
        for template in content.pack_phrasings
    }
    taken = set(content.commands)  # a command's phrasing keeps its meaning
    return replace(
        content,
        packs={phrase: name for phrase, name in phrases.items() if phrase not in taken},
        pack_titles=titles,
    )


def use(packs: Path, name: str) -> Path:
    """Choose pack `name` for the sessions from now on; its content folder."""
    folder = pack_folder(packs, name)
    try:
        write_durably(packs / IN_USE, (name + "\n").encode("utf-8"), 0o644)
    except OSError as error:
        raise cannot_write(packs / IN_USE, error) from None
    return folder


def remove(packs: Path, name: str) -> None:
    """Remove pack `name` whole: renamed out of the way in one step, then deleted. Its key
    stays trusted for that name, so a pack of that name from anyone else is still refused."""
    home = packs / name
    if name.startswith(".") or name not in installed(packs):
        pack_folder(packs, name)  # says which are installed
        raise UserError(_("No pack named '{name}' is installed.").format(name=name))
    try:
        gone = Path(tempfile.mkdtemp(prefix=f"{_REMOVING}{name}-", dir=packs))
        os.rename(home, gone / name)
        fsync_folder(packs)
        if chosen_name(packs) is None and (packs / IN_USE).exists():
            (packs / IN_USE).unlink()
            fsync_folder(packs)
    except OSError as error:
        raise cannot_write(home, error) from None
    for leftover in [gone, *packs.glob(f"{_REMOVING}*")]:  # and what a killed remove left
        shutil.rmtree(leftover, ignore_errors=True)
