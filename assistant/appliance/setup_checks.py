"""The doctor's other checks: the Dutch voice, the speech model and its vocabulary, the journal
folder and the disk, the service, and a Raspberry Pi's power supply.

Each uses what the practice itself uses (choose_dutch_voice through the speech worker,
find_model and load_model, missing_words, the durable write), so a pass means the practice
will find the same thing.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from assistant.appliance import service
from assistant.appliance.check import Check, failed, passed, skipped
from assistant.appliance.power import parse_throttled
from assistant.appliance.service import Host, NoSystemd, Runner
from assistant.content.model import Content
from assistant.durable import FOLDER_MODE, write_durably
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.recognizer.model import DOWNLOAD_COMMAND, find_model, load_model
from assistant.recognizer.vocabulary import missing_words
from assistant.voice.base import VoiceError
from assistant.voice.choose import install_hint
from assistant.voice.settings import VoiceSettings

MIN_FREE_BYTES = 200 * 1024 * 1024
PROBE_NAME = ".doctor-probe"
SHOWN_PHRASES = 6  # a model that lacks half the language would otherwise fill the screen


def voice(settings: VoiceSettings) -> Check:
    """The voice the practice would speak with, found the same way (in a speech worker)."""
    from assistant.voice.pyttsx3_voice import Pyttsx3Voice

    name = _("Dutch voice")
    engine = Pyttsx3Voice(settings)
    try:
        found = engine.voice
    except UserError as error:
        return failed(name, error.message, _("To fix this, {hint}.").format(hint=install_hint()))
    except VoiceError as error:
        return failed(name, str(error), _("To fix this, {hint}.").format(hint=install_hint()))
    finally:
        engine.close()
    return passed(name, f"{found.name} ({found.id})")


def model(explicit: Path | None) -> tuple[Check, Any]:
    """The speech model is there and loads; the loaded model too, for the vocabulary check."""
    name = _("speech model")
    fix = _("Run '{command}' (40 MB), and leave out --model and 'model:'.").format(
        command=DOWNLOAD_COMMAND
    )
    try:
        folder = find_model(explicit)
    except UserError as error:
        return failed(name, error.message, fix), None
    if folder is None:
        return failed(name, _("no speech model found"), fix), None
    started = time.monotonic()
    try:
        loaded = load_model(folder)
    except UserError as error:
        return failed(name, error.message, fix), None
    took = time.monotonic() - started
    return passed(
        name, _("{folder} loads ({seconds:.1f} s)").format(folder=folder, seconds=took)
    ), loaded


def vocabulary(loaded: Any, phrasings: list[str]) -> Check:
    """Every word of every phrasing is in the model (Vosk drops unknown words silently)."""
    name = _("vocabulary")
    if loaded is None:
        return skipped(name, _("no model to check"))
    missing = missing_words(loaded, phrasings)
    if not missing:
        return passed(
            name, _("the model knows every phrasing ({count})").format(count=len(phrasings))
        )
    broken = list(dict.fromkeys(phrase for phrases in missing.values() for phrase in phrases))
    shown = ", ".join(repr(phrase) for phrase in broken[:SHOWN_PHRASES])
    more = len(broken) - SHOWN_PHRASES
    if more > 0:
        shown += " " + _("and {count} more").format(count=more)
    return failed(
        name,
        ngettext(
            "the model lacks {words} word, so it cannot hear: {phrases}",
            "the model lacks {words} words, so it cannot hear: {phrases}",
            len(missing),
        ).format(words=len(missing), phrases=shown),
        _("Use the Dutch model: run '{command}', and leave out --model and 'model:'.").format(
            command=DOWNLOAD_COMMAND
        ),
    )


def recordings(content: Content) -> Check:
    """The coach's recordings: the ones that will be played, and any that will not (stale,
    gone) with why. No recordings at all is fine: the voice speaks every line."""
    from assistant.voice.recorded import current_recordings

    name = _("the coach's recordings")
    played, problems = current_recordings(content)
    if problems:
        return failed(
            name,
            " ".join(problems),
            _("Record them again with 'hartsverbinding opnemen'."),
        )
    if not played:
        return passed(name, _("none; the voice speaks every line"))
    count = len(played)
    return passed(
        name,
        ngettext(
            "{count} line is spoken in the coach's own voice",
            "{count} lines are spoken in the coach's own voice",
            count,
        ).format(count=count),
    )


def journal_folder(folder: Path) -> Check:
    """Private (0700, the person's own, no file others can read) and writable."""
    name = _("journal folder")
    if not folder.exists():
        parent = _existing_parent(folder)
        if os.access(parent, os.W_OK | os.X_OK):
            return passed(
                name, _("{folder} is made, private, at the first answer").format(folder=folder)
            )
        return failed(
            name,
            _("{folder} cannot be made: {parent} is not writable").format(
                folder=folder, parent=parent
            ),
            _("Choose a journal folder you can write to (--journal DIR, or 'journal:')."),
        )
    if not folder.is_dir():
        return failed(
            name,
            _("{folder} is not a folder").format(folder=folder),
            _("Choose a journal folder (--journal DIR, or 'journal:')."),
        )
    if os.name == "posix":
        info = folder.stat()
        if info.st_uid != os.getuid():
            return failed(
                name,
                _("{folder} belongs to someone else").format(folder=folder),
                _("Give it to yourself: sudo chown -R {user} {folder}").format(
                    user=os.getuid(), folder=folder
                ),
            )
        if info.st_mode & 0o777 != FOLDER_MODE:
            return failed(
                name,
                _("{folder} can be read by others (mode {mode:o})").format(
                    folder=folder, mode=info.st_mode & 0o777
                ),
                _("Make it private: chmod 700 {folder}").format(folder=folder),
            )
        shared = [path for path in folder.rglob("*") if path.stat().st_mode & 0o077]
        if shared:
            return failed(
                name,
                ngettext(
                    "{count} file in it can be read by others: {path}",
                    "{count} files in it can be read by others, for example {path}",
                    len(shared),
                ).format(count=len(shared), path=shared[0]),
                _("Make them private: chmod -R go-rwx {folder}").format(folder=folder),
            )
    probe = folder / PROBE_NAME
    try:
        write_durably(probe, b"")
        probe.unlink()
    except OSError as error:
        return failed(
            name,
            _("{folder} cannot be written: {why}").format(folder=folder, why=error.strerror),
            _("Check that the disk is not full or read-only, and that the folder is yours."),
        )
    return passed(name, _("{folder}: private and writable").format(folder=folder))


def free_space(folder: Path, minimum: int = MIN_FREE_BYTES) -> Check:
    name = _("free disk space")
    place = _existing_parent(folder)
    free = shutil.disk_usage(place).free
    megabytes = free // (1024 * 1024)
    if free < minimum:
        return failed(
            name,
            _("only {free} MB free on the disk of {place}").format(free=megabytes, place=place),
            _(
                "Free at least {need} MB: a spoken answer keeps its recording (about 2 MB a "
                "minute), and a full disk cannot save what you say."
            ).format(need=minimum // (1024 * 1024)),
        )
    return passed(name, _("{free} MB free").format(free=megabytes))


def _existing_parent(folder: Path) -> Path:
    place = folder.absolute()
    while not place.exists() and place != place.parent:
        place = place.parent
    return place


def service_running(host: Host | None, runner: Runner) -> Check:
    name = _("service")
    if host is None or not host.systemd_marker.is_dir():
        return skipped(name, _("no systemd here: start 'hartsverbinding standby' yourself"))
    try:
        state = service.status(host, runner)
    except NoSystemd as error:
        return failed(name, error.message, _("Run the doctor as the person who practises."))
    if not state.installed:
        return failed(
            name,
            _("not installed"),
            _("Run 'hartsverbinding service install' to start the practice at every boot."),
        )
    if not state.healthy:
        return failed(
            name,
            _("installed, but {enabled} and {active}").format(
                enabled=state.enabled, active=state.active
            ),
            _("See why in its log: {command}; then 'hartsverbinding service install'.").format(
                command=service.LOG_COMMAND
            ),
        )
    if not state.lingering:
        return failed(
            name,
            _("running, but only while you are logged in (lingering is off)"),
            _("Turn lingering on: sudo loginctl enable-linger {user}").format(user=host.user),
        )
    return passed(name, _("installed, enabled and running; starts at boot"))


def power(runner: Runner) -> Check:
    """A Raspberry Pi's own report of under-voltage and heat (`vcgencmd get_throttled`)."""
    name = _("power supply")
    ran = runner.run(["vcgencmd", "get_throttled"])
    if ran.returncode == 127:
        return skipped(name, _("not a Raspberry Pi (no vcgencmd)"))
    state = parse_throttled(ran.stdout) if ran.ok else None
    if state is None:
        return failed(
            name,
            _("vcgencmd cannot say ({why})").format(why=ran.why()),
            _("Add yourself to the video group: sudo usermod -aG video $USER, then log in again."),
        )
    if state.under_voltage:
        when = _("now") if state.under_voltage_now else _("since the last boot")
        return failed(
            name,
            _("under-voltage {when} (throttled=0x{bits:x})").format(when=when, bits=state.bits),
            _(
                "Use a power supply made for the Pi (5.1 V, 3 A for a Pi 4; 5 A for a Pi 5) "
                "and a short cable: too little power makes the sound crackle and the SD card "
                "fail."
            ),
        )
    if state.too_hot:
        return failed(
            name,
            _("slowed down by heat (throttled=0x{bits:x})").format(bits=state.bits),
            _("Give the Pi air, a heatsink or a case with a fan."),
        )
    return passed(
        name, _("no under-voltage since boot (throttled=0x{bits:x})").format(bits=state.bits)
    )


def packs() -> Check:
    """The installed packs: each one's version and signer, every file still as signed, and
    its stale recordings. None installed is fine: the program's own content speaks."""
    from assistant.packs import list_packs, verify_installed
    from assistant.packs.chosen import packs_dir

    name = _("packs")
    folder = packs_dir()
    found = list_packs(folder)
    if not found:
        return passed(name, _("none installed; the program's own content speaks"))
    said, wrong = [], []
    for pack in found:
        said += [pack.describe()[0], *pack.notes]
        try:
            verify_installed(folder, pack.manifest.name)
        except UserError as error:
            wrong.append(error.message)
        wrong.extend(pack.problems)
    if wrong:
        return failed(
            name,
            "; ".join(said + wrong),
            _("Install the pack again, or ask its coach for a version with current recordings."),
        )
    return passed(name, "; ".join(said))
