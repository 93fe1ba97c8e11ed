"""The command line: `hartsverbinding [COMMAND [VERB]] [OPTIONS]` (see grammar.py), each
command run by the module of its group of verbs.

Status and problems go to standard error, what the assistant says to standard output. Anything
the user can fix ends in one message and exit status 2, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from assistant.cli.grammar import Parsed, parse
from assistant.config import Settings, load_settings, with_values
from assistant.content.model import Content
from assistant.errors import UserError
from assistant.i18n import _
from assistant.packs.chosen import (
    chosen_content,
    offer_packs,
    older_pack_notices,
    packs_dir,
    use,
)
from assistant.packs.installed import pack_content
from assistant.report import warn


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parsed = parse(sys.argv[1:] if argv is None else argv)
    except UserError as error:
        warn(error.message)
        return error.exit_status
    logging.basicConfig(
        level=logging.DEBUG if parsed.value("verbose") else logging.WARNING,
        format="hartsverbinding: %(message)s",
        stream=sys.stderr,
    )
    try:
        return _run(parsed)
    except UserError as error:
        warn(error.message)
        return error.exit_status
    except KeyboardInterrupt:
        warn(_("stopped; everything you confirmed is saved."))
        return 130


def _run(parsed: Parsed) -> int:
    settings = _settings(parsed)
    run = _WITHOUT_CONTENT.get(parsed.words)
    if run is not None:
        return run(parsed, settings)
    content = chosen_content(parsed.value("content"), settings.pack, settings.language)
    for notice in older_pack_notices(content):
        warn(notice)
    if parsed.words[:1] == ("journal",):
        from assistant.cli.journal import journal_command

        return journal_command(parsed, content, settings)
    if parsed.words == ("opnemen",):
        from assistant.cli.recording import record_command

        return record_command(
            content,
            settings,
            parsed.value("selection"),
            again=parsed.value("again"),
            timeline=parsed.value("timeline"),
        )
    if parsed.words == ("standby",):
        from assistant.session.standby import run_standby

        content, switch = _offered(parsed, content, settings)
        return run_standby(content, settings, timeline=parsed.value("timeline"), switch=switch)
    practice_id = parsed.practice
    if practice_id is not None and content.practice(practice_id) is None:
        known = ", ".join(p.id for p in content.practices)
        raise UserError(
            _("there is no practice '{id}' (known: {known}).").format(id=practice_id, known=known)
        )
    from assistant.session.start import run_practice

    content, switch = _offered(parsed, content, settings)
    run_practice(
        content,
        settings,
        practice_id,
        text_only=parsed.value("text"),
        timeline=parsed.value("timeline"),
        switch=switch,
    )
    return 0


def _offered(
    parsed: Parsed, content: Content, settings: Settings
) -> tuple[Content, Callable[[str], Content] | None]:
    """The session's content with the other installed packs offered in its menu, and what
    gives the content of the one chosen by voice (which speaks from then on, as `pack use`);
    nothing offered where --content chose the content."""
    if parsed.value("content") is not None:
        return content, None

    def switch(name: str) -> Content:
        packs = packs_dir()
        return offer_packs(pack_content(use(packs, name), settings.language), packs)

    return offer_packs(content, packs_dir()), switch


def _model_download(parsed: Parsed, settings: Settings) -> int:
    from assistant.cli.listening import download_command, whisper_download_command

    name = parsed.value("name")
    if name is not None:
        return whisper_download_command(name)
    return download_command(settings.devices, if_online=parsed.value("if_online"))


def _model_list(parsed: Parsed, settings: Settings) -> int:
    from assistant.cli.listening import model_list_command

    return model_list_command(settings)


def _devices(parsed: Parsed, settings: Settings) -> int:
    from assistant.cli.listening import devices_command

    return devices_command()


def _transcribe(parsed: Parsed, settings: Settings) -> int:
    from assistant.cli.listening import transcribe_command

    spec = parsed.value("recognizer") or settings.listen.transcriber
    return transcribe_command(parsed.value("file"), settings.devices, spec)


def _voice(parsed: Parsed, settings: Settings) -> int:
    from assistant.cli import voice

    if parsed.words == ("voice", "list"):
        return voice.list_command(settings.voice)
    name = parsed.value("name") or voice.DEFAULT_VOICE
    return voice.download_command(name, settings.voice, if_online=parsed.value("if_online"))


def _service(parsed: Parsed, settings: Settings) -> int:
    from assistant.cli.service import service_command

    return service_command(parsed.words[1], parsed.args)


def _doctor(parsed: Parsed, settings: Settings) -> int:
    from assistant.cli.doctor import doctor_command

    return doctor_command(settings, parsed.args)


def _pack(parsed: Parsed, settings: Settings) -> int:
    from assistant.cli import packs

    verb = parsed.words[1]
    if verb == "key":
        return packs.key_command(parsed.value("file"))
    if verb == "build":
        return packs.build_command(
            parsed.value("folder"), parsed.value("key"), parsed.value("out"), settings.language
        )
    if verb == "install":
        return packs.install_command(parsed.value("source"), parsed.value("trust"), settings.pack)
    if verb == "list":
        return packs.list_command(settings.pack)
    if verb == "use":
        return packs.use_command(parsed.value("name"), settings.pack)
    return packs.remove_command(parsed.value("name"))


# The commands that need no content.
_WITHOUT_CONTENT: dict[tuple[str, ...], Callable[[Parsed, Settings], int]] = {
    ("model", "download"): _model_download,
    ("model", "list"): _model_list,
    ("devices",): _devices,
    ("transcribe",): _transcribe,
    ("voice", "list"): _voice,
    ("voice", "download"): _voice,
    ("service", "install"): _service,
    ("service", "status"): _service,
    ("service", "remove"): _service,
    ("doctor",): _doctor,
    **{("pack", verb): _pack for verb in ("key", "build", "install", "list", "use", "remove")},
}


def _settings(parsed: Parsed) -> Settings:
    settings = load_settings(parsed.value("config"))
    overrides: dict[str, Any] = {
        key: parsed.value(key)
        for key in ("pace", "journal", "model", "mic", "speaker")
        if parsed.value(key) is not None
    }
    return with_values(settings, overrides)


if __name__ == "__main__":
    sys.exit(main())
