"""Standby: the assistant waits quietly to be called, runs a whole session, then waits again.

For a Raspberry Pi on a shelf with no screen or keyboard: the speech model is loaded once, and
between sessions only the start phrases are listened for (their own small grammar, a whole
utterance, certain), so talk in the room does not start a session. Nothing heard in standby is
kept, printed or logged, and in a session the lines that carry the person's words are spoken
but not printed (standard output may go to a system log).

At boot the sound server may start after this program: the microphone and the speaker are
waited for, in silence, with growing delays (see devices.wait_for_device).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.content.model import Content
from assistant.dialog.messages import ButtonPressed, Cue, CueKind, InputEnded
from assistant.errors import UserError
from assistant.hearing import ListenMode, Utterance
from assistant.i18n import N_, _
from assistant.improve.improver import (
    Improver,
    apply_done,
    open_improver,
    queue_unimproved,
    recognizer_name,
)
from assistant.journal.reading import Locked, read_sessions
from assistant.report import warn
from assistant.session import devices
from assistant.session.ports import Input, Output
from assistant.session.start import NotKept, open_journal, prepare_session

if TYPE_CHECKING:
    from assistant.speaker import Speaker

log = logging.getLogger(__name__)


def run_standby(
    content: Content,
    settings: Settings,
    timeline: Path | None = None,
    switch: Callable[[str], Content] | None = None,
) -> int:
    """Wait for a start phrase, run a session, and again, until the input ends (a recording
    used as the microphone) or the program is stopped (Ctrl-C, SIGTERM). Where the person
    chose another pack in a session's menu, `switch` gives its content, and the devices are
    opened again with it (its lines, recordings and phrasings)."""
    if not content.start_phrases:
        raise UserError(
            _(
                "{folder}/commands.yaml has no start_phrases: standby would never start a "
                "session. Add a few (see the shipped content/nl/commands.yaml)."
            ).format(folder=content.source_dir)
        )
    closing = threading.Event()
    serving: Content | None = content
    with _stopped_by_sigterm(closing):
        try:
            while serving is not None and not closing.is_set():
                serving = _serve(serving, settings, timeline, closing, switch)
        except _Stopped:  # also while it waited for a device at boot, before any session
            pass
    return 0


def _serve(
    content: Content,
    settings: Settings,
    timeline: Path | None,
    closing: threading.Event,
    switch: Callable[[str], Content] | None,
) -> Content | None:
    """Sessions with `content` until the input ends or the program is stopped (None), or
    until the person chose another pack (its content)."""
    input_, output = _open_devices(content, settings, timeline, closing)
    improver = _improver(content, settings)
    try:
        while not closing.is_set():
            if not _wait_for_start_phrase(input_, closing, improver):
                return None
            going_on, chosen = _one_session(content, settings, input_, output, improver)
            if chosen is not None and switch is not None:
                return switch(chosen)
            if not going_on:
                return None
    except _Stopped:
        return None
    finally:
        if improver is not None:
            improver.close()
        output.close()
        input_.close()
    return None


def _improver(content: Content, settings: Settings) -> Improver | None:
    """With a better recogniser configured: what earlier runs left, and every earlier answer
    whose recording is kept and that it has not improved yet, done while nobody practises (an
    encrypted journal's earlier answers wait for `journal improve` and its passphrase)."""
    journal = open_journal(content, settings.journal)
    try:
        improver = open_improver(content, settings, journal)
        name = recognizer_name(settings.listen.transcriber)
        if improver is not None and name is not None:
            records = read_sessions(journal)
            if not isinstance(records, Locked):
                queue_unimproved(improver, records, name)
        return improver
    finally:
        journal.close()


def _open_devices(
    content: Content, settings: Settings, timeline: Path | None, closing: threading.Event
) -> tuple[Input, Output]:
    from assistant.microphone import open_microphone
    from assistant.recognizer import find_model, load_model, missing_model_message
    from assistant.session.voice_io import VoiceListening
    from assistant.speaker import make_speaker

    chosen = settings.devices
    model_dir = find_model(chosen.model)
    if model_dir is None:
        raise UserError(missing_model_message())
    model = load_model(model_dir)  # once: every session of this standby shares it
    devices.report_missing_words(content, model, content.start_phrases)
    recording = chosen.mic_is_recording
    realtime = not recording or settings.pace > 0

    def listening() -> Input:
        microphone = open_microphone(chosen.mic, realtime=realtime)
        return VoiceListening.open(content, settings.listen, microphone, model, standby=True)

    def speaker() -> Speaker:
        return make_speaker(chosen.speaker, timeline)

    # A recording or a file that is not there will not appear by waiting: that stops at once.
    input_ = (
        listening() if recording else devices.wait_for_device(listening, N_("microphone"), closing)
    )
    input_ = devices.with_button(input_, chosen)
    to_file = chosen.renders_to_file or (chosen.speaker or "").lower() == "none"
    sound = speaker() if to_file else devices.wait_for_device(speaker, N_("speaker"), closing)
    output = devices.spoken_output(
        content, settings, timeline, speaker=sound, captions_personal=False
    )
    log.info("standby: listening for %s", ", ".join(content.start_phrases))
    return input_, output


def _wait_for_start_phrase(
    input_: Input, closing: threading.Event, improver: Improver | None = None
) -> bool:
    """True once a start phrase was heard; False when no more input will come. Meanwhile the
    better transcripts made are put into the journal."""
    input_.listen(ListenMode.STANDBY)
    while not closing.is_set():
        if improver is not None:
            apply_done(improver)
        got = input_.get(0.5)
        if isinstance(got, InputEnded):
            return False
        if isinstance(got, Utterance | ButtonPressed):  # only start phrases are heard here
            return True
        # A notice (the microphone went or came back) is logged by the input; nobody is
        # there to tell in standby.
    return False


def _one_session(
    content: Content,
    settings: Settings,
    input_: Input,
    output: Output,
    improver: Improver | None = None,
) -> tuple[bool, str | None]:
    """A short rising cue, then a whole session; False when the input ended in it, and the
    pack chosen in it, if one was."""
    output.start(Cue(CueKind.LISTEN_START))
    while not output.wait(0.5):
        pass
    journal = open_journal(content, settings.journal)
    session, begin = prepare_session(
        content, settings, journal, output, input_, standby=True, improver=improver
    )
    try:
        session.run(begin)
    except (_Stopped, KeyboardInterrupt):
        raise
    except Exception:
        # An appliance goes back to waiting rather than dying; what was confirmed is saved.
        log.exception("the session failed; back to standby")
    if journal.pending:  # said aloud too; the next session writes a journal of its own
        warn(NotKept(journal).message)
    log.info("standby: the session ended")
    return not session.input_ended, session.switch_to


class _Stopped(BaseException):
    """SIGTERM (systemctl stop, shutdown): end cleanly; everything confirmed is on disk. A
    BaseException, like KeyboardInterrupt, because the signal can land anywhere, in code
    that catches every Exception (logging writing a line, a device being opened)."""


@contextmanager
def _stopped_by_sigterm(closing: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signal: int, _frame: FrameType | None) -> None:
        closing.set()
        raise _Stopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
