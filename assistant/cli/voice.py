"""The command-line verbs for Piper voices: `voice list` and `voice download [NAME]`.

Results go to standard output, status and progress to standard error. Only `voice download`
opens a network connection; `voice list` reads the catalogue built into the program.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from assistant import places
from assistant.errors import UserError
from assistant.i18n import _
from assistant.report import warn
from assistant.voice.piper_catalogue import CATALOGUE, DEFAULT_VOICE, find, installed

__all__ = ["DEFAULT_VOICE", "download_command", "list_command"]

if TYPE_CHECKING:
    from assistant.voice.settings import VoiceSettings


def list_command(settings: VoiceSettings) -> int:
    folder = places.voices_dir()
    present = installed(folder)
    print(_("Piper voices that 'hartsverbinding voice download NAME' can fetch:"))
    for voice in CATALOGUE:
        marks = [_("installed")] if voice.name in present else []
        if voice.name == DEFAULT_VOICE:
            marks.append(_("default"))
        mark = f"  [{', '.join(marks)}]" if marks else ""
        print(f"  {voice.name}  {voice.size / 1e6:.0f} MB{mark}")
        print(f"      {_(voice.description)}")
        print("      " + _("licence: {licence}").format(licence=voice.licence))
    others = [name for name in present if find(name) is None]
    if others:
        print(_("Also installed: {names}").format(names=", ".join(others)))
    print(_("Voices are kept in {folder}.").format(folder=folder), file=sys.stderr)
    _say_which_is_used(settings)
    return 0


def download_command(name: str, settings: VoiceSettings, *, if_online: bool = False) -> int:
    """Fetch a voice. `if_online` (as scripts/practice asks before a practice): only the default
    voice, only when the settings choose none, quiet when it is there (unless Piper itself is
    missing), and one line instead of a download when the site does not answer within seconds:
    the practice says nothing about Piper, so this line is the one that does."""
    voice = find(name)
    if voice is None:
        known = ", ".join(entry.name for entry in CATALOGUE)
        raise UserError(
            _("There is no Piper voice '{name}' to download (known: {known}).").format(
                name=name, known=known
            )
        )
    from assistant.download import ProgressBar, reachable
    from assistant.voice.piper_download import DOWNLOAD_COMMAND, download_voice

    if if_online:
        if settings.voice is not None:
            return 0
        if voice.name not in installed(places.voices_dir()):
            if not reachable(voice.model.url):
                warn(
                    _(
                        "The natural voice cannot be fetched now ({host} does not answer): the "
                        "system voice speaks. '{command}' fetches it later."
                    ).format(host=urlparse(voice.model.url).hostname, command=DOWNLOAD_COMMAND)
                )
                return 0
            download_voice(voice, places.voices_dir(), ProgressBar(sys.stderr))
        _say_if_piper_is_missing()
        return 0
    download_voice(voice, places.voices_dir(), ProgressBar(sys.stderr))
    _say_if_piper_is_missing()
    _say_which_is_used(settings)
    return 0


def _say_if_piper_is_missing() -> None:
    from assistant.voice.factory import INSTALL_PIPER, piper_installed

    if not piper_installed():
        print(
            _("Piper itself is not installed; to speak with this voice: {command}").format(
                command=INSTALL_PIPER
            ),
            file=sys.stderr,
        )


def _say_which_is_used(settings: VoiceSettings) -> None:
    if settings.voice is not None:
        print(
            _("Your settings choose the voice '{voice}' ('voice:' in the config).").format(
                voice=settings.voice
            ),
            file=sys.stderr,
        )
