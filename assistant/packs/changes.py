"""What an update changed, for the person to read: lines added, reworded or removed, and
recordings new, changed or removed.

Lines are compared by their recording keys (`assistant.dialog.lines`): a question put in
between moves the keys after it, so the questions after it are reported as reworded too.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.content.model import Content
from assistant.dialog.lines import recordable_lines
from assistant.i18n import _, ngettext
from assistant.packs.manifest import Manifest


@dataclass(frozen=True)
class LineText:
    """Any line of a pack, by its recording key, with its words (`content.lines.Line` is one of
    the program's own lines, by its key under `say:`)."""

    key: str
    text: str


@dataclass(frozen=True)
class Reworded:
    key: str
    old: str
    new: str


@dataclass(frozen=True)
class Changes:
    added: tuple[LineText, ...] = ()
    reworded: tuple[Reworded, ...] = ()
    removed: tuple[LineText, ...] = ()
    recordings_new: tuple[str, ...] = ()  # keys
    recordings_changed: tuple[str, ...] = ()
    recordings_removed: tuple[str, ...] = ()

    def describe(self) -> list[str]:
        """One line per change, for the command line to print."""
        said = [_('new line {key}: "{text}"').format(key=a.key, text=a.text) for a in self.added]
        said += [
            _('reworded {key}: "{old}" is now "{new}"').format(key=r.key, old=r.old, new=r.new)
            for r in self.reworded
        ]
        said += [_('removed {key}: "{text}"').format(key=r.key, text=r.text) for r in self.removed]
        new, again, gone = self.recordings_new, self.recordings_changed, self.recordings_removed
        for keys, wording in (
            (new, ngettext("new recording: {keys}", "{count} new recordings: {keys}", len(new))),
            (
                again,
                ngettext(
                    "recording made again: {keys}",
                    "{count} recordings made again: {keys}",
                    len(again),
                ),
            ),
            (
                gone,
                ngettext(
                    "recording removed: {keys}", "{count} recordings removed: {keys}", len(gone)
                ),
            ),
        ):
            if keys:
                said.append(wording.format(count=len(keys), keys=", ".join(keys)))
        return said or [_("nothing the person hears has changed")]


def compare(old: Content, old_manifest: Manifest, new: Content, new_manifest: Manifest) -> Changes:
    before = {line.key: line.text for line in recordable_lines(old)}
    after = {line.key: line.text for line in recordable_lines(new)}
    recorded_before, recorded_after = old_manifest.recordings(), new_manifest.recordings()
    return Changes(
        added=tuple(LineText(key, text) for key, text in after.items() if key not in before),
        reworded=tuple(
            Reworded(key, before[key], text)
            for key, text in after.items()
            if key in before and before[key] != text
        ),
        removed=tuple(LineText(key, text) for key, text in before.items() if key not in after),
        recordings_new=tuple(sorted(recorded_after.keys() - recorded_before.keys())),
        recordings_changed=tuple(
            sorted(
                key
                for key, digest in recorded_after.items()
                if key in recorded_before and recorded_before[key] != digest
            )
        ),
        recordings_removed=tuple(sorted(recorded_before.keys() - recorded_after.keys())),
    )
