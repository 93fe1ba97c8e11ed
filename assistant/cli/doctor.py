"""`hartsverbinding doctor`: check everything the practice needs, one line each, and say what
to do about each problem. Exit status 0 when everything passes, 1 otherwise.

Results go to standard output as each check finishes (loading the model takes seconds); the
request to speak during the microphone test goes to standard error.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from assistant.appliance import server_checks, setup_checks, sound_checks
from assistant.appliance.check import Check, guarded
from assistant.appliance.service import Host, Runner, SubprocessRunner
from assistant.config import Settings
from assistant.content.model import Content
from assistant.dialog.understand import all_phrasings
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.speech_server import ServerAddress


def doctor_command(
    settings: Settings,
    args: argparse.Namespace,
    runner: Runner | None = None,
    host: Host | None = None,
) -> int:
    record: Path | None = getattr(args, "record", None)
    if record is not None:
        _check_record_path(record)
    runner = runner or SubprocessRunner(timeout=20)
    if host is None and os.name == "posix":
        host = Host.current()
    return report(run_checks(settings, args.content, record, runner, host))


def report(checks: Iterable[Check]) -> int:
    """Print each check as it comes; 0 when all passed (skipped ones count as passed)."""
    failures = 0
    for check in checks:
        print_check(check)
        failures += not check.ok
    if failures:
        print(
            ngettext("{count} check failed.", "{count} checks failed.", failures).format(
                count=failures
            )
        )
        return 1
    print(_("All checks passed."))
    return 0


def run_checks(
    settings: Settings,
    content_dir: Path | None,
    record: Path | None,
    runner: Runner,
    host: Host | None,
) -> Iterator[Check]:
    """Each check in turn, the speaker's bell before the microphone's recording."""
    devices, journal = settings.devices, settings.journal.folder
    yield guarded(_("sound server"), lambda: sound_checks.sound_server(runner))
    yield guarded(_("speaker"), lambda: sound_checks.speaker(devices.speaker))
    yield guarded(_("microphone"), lambda: sound_checks.microphone(devices.mic, record, _ask))
    yield guarded(_("Dutch voice"), lambda: setup_checks.voice(settings.voice))
    if (server := settings.voice.server) is not None:
        kind = server_checks.ServerKind.VOICE
        yield guarded(
            server_checks.check_name(kind),
            lambda: server_checks.speech_server(
                server.address, kind, settings.language, server.name
            ),
        )
    if (spec := settings.listen.transcriber.strip()).startswith("tcp://"):
        kind = server_checks.ServerKind.TRANSCRIBER
        yield guarded(
            server_checks.check_name(kind),
            lambda: server_checks.speech_server(ServerAddress.parse(spec), kind, settings.language),
        )
    loaded: list[Any] = [None]

    def model() -> Check:
        check, loaded[0] = setup_checks.model(devices.model)
        return check

    yield guarded(_("speech model"), model)
    yield guarded(
        _("vocabulary"),
        lambda: setup_checks.vocabulary(loaded[0], all_phrasings(_content(content_dir, settings))),
    )
    yield guarded(
        _("the coach's recordings"),
        lambda: setup_checks.recordings(_content(content_dir, settings)),
    )
    yield guarded(_("packs"), setup_checks.packs)
    yield guarded(_("journal folder"), lambda: setup_checks.journal_folder(journal))
    yield guarded(_("free disk space"), lambda: setup_checks.free_space(journal))
    yield guarded(_("service"), lambda: setup_checks.service_running(host, runner))
    yield guarded(_("power supply"), lambda: setup_checks.power(runner))


@functools.lru_cache(maxsize=1)
def _content(content_dir: Path | None, settings: Settings) -> Content:
    from assistant.packs.chosen import chosen_content

    return chosen_content(content_dir, settings.pack, settings.language)


def print_check(check: Check, write: Callable[[str], None] = print) -> None:
    labels = (_("OK"), _("FAIL"), _("SKIP"), _("fix:"))
    width = max(len(label) for label in labels) + 2
    label = _("SKIP") if check.skipped else _("OK") if check.ok else _("FAIL")
    write(f"{label:<{width}}{check.name}: {check.detail}")
    if not check.ok and check.fix:
        write(f"{'':<{width}}{_('fix:')} {check.fix}")
    sys.stdout.flush()


def _ask(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check_record_path(path: Path) -> None:
    if path.suffix.lower() != ".wav":
        raise UserError(
            _("--record needs a file name ending in .wav, not {path}.").format(path=path)
        )
    if not path.absolute().parent.is_dir():
        raise UserError(
            _("--record {path}: the folder {folder} does not exist.").format(
                path=path, folder=path.absolute().parent
            )
        )
