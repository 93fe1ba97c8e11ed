"""`hartsverbinding opnemen [PRACTICE]`: the coach records the lines in their own voice.

Choices are heard with the content's command phrasings when a speech model is there, and can
always be typed. The lines go to standard output, progress and hints to standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import places
from assistant.config import Settings
from assistant.content.model import Content
from assistant.content.recordings import RecordingFolder, problems
from assistant.dialog.lines import SAY, TEXT, RecordableLine, recordable_lines, unrecordable_keys
from assistant.dialog.messages import Style
from assistant.errors import UserError
from assistant.i18n import _
from assistant.report import warn
from assistant.studio.choices import (
    Choice,
    ChoiceListener,
    TypedLines,
    choice_phrases,
    first_phrase,
)
from assistant.studio.walk import Booth, Outcome, Walk
from assistant.voice.base import VoiceError

if TYPE_CHECKING:
    from assistant.microphone import Microphone
    from assistant.voice.base import CachingVoice
    from assistant.voice.settings import VoiceSettings

RECORD_RATE = 22050  # the voices' own rate: the takes are played as they were made


def record_command(
    content: Content,
    settings: Settings,
    selection: str | None,
    *,
    again: bool = False,
    timeline: Path | None = None,
) -> int:
    from assistant.microphone import open_microphone
    from assistant.speaker import make_speaker

    lines = selected_lines(content, selection)
    from assistant.packs.chosen import packs_dir

    if Path(content.source_dir).resolve().is_relative_to(packs_dir().resolve()):
        # An installed pack is exactly what its coach signed; a recording added is damage.
        raise UserError(
            _(
                "{folder} is an installed pack: it holds what its coach signed and cannot take "
                "recordings. Record into your own content folder with --content DIR."
            ).format(folder=content.source_dir)
        )
    if places.is_packaged_content(Path(content.source_dir)):
        # An update of the program replaces that copy, and the recordings with it.
        raise UserError(
            _(
                "The content that comes with the program cannot hold recordings: an update "
                "would lose them. Copy {folder} to a folder of your own and give it with "
                "--content DIR."
            ).format(folder=content.source_dir)
        )
    folder = RecordingFolder(Path(content.source_dir))
    folder.check_writable()
    every = {line.key: line.text for line in recordable_lines(content)}
    for old, new in folder.adopt(every):
        _tell(
            _("{new} has the words {old} was recorded for: its recording is used.").format(
                new=new, old=old
            )
        )
    survey = folder.survey(every)
    for problem in problems(survey, folder):
        warn(problem)
    skipped = unrecordable_keys(content)
    if skipped:
        warn(
            _(
                "Always synthesised, because their words are known only during a session: {keys}."
            ).format(keys=", ".join(skipped))
        )
    devices, listen = settings.devices, settings.listen
    speaker = make_speaker(devices.speaker, timeline)
    try:
        # A recording used as the microphone is read as fast as the takes need it.
        microphone = open_microphone(
            devices.mic, rate=RECORD_RATE, realtime=not devices.mic_is_recording
        )
    except UserError:
        speaker.close()
        raise
    voice = _voice(settings.voice)
    try:
        booth = Booth(
            microphone=microphone,
            speaker=speaker,
            voice=voice,
            volume=settings.volume,
            listener=_listener(content, devices.model, microphone),
            out=sys.stdout,
            tell=_tell,
            question=_question(content),
            holdoff=listen.holdoff,
            end_silence=listen.answer_silence,
            most=listen.answer_max,
        )
        outcome = Walk(lines, folder, booth).run(again=again)
    finally:
        microphone.close()
        if voice is not None:
            voice.close()
        speaker.close()
    _summary(outcome, selection)
    return 0


def selected_lines(content: Content, selection: str | None) -> list[RecordableLine]:
    """All recordable lines, or those of one practice, or of the texts or the assistant's own
    lines ('text', 'say')."""
    lines = recordable_lines(content)
    if selection is None:
        return lines
    known = [p.id for p in content.practices] + [TEXT, SAY]
    if selection not in known:
        raise UserError(
            _("There is nothing called '{name}' to record (known: {known}).").format(
                name=selection, known=", ".join(known)
            )
        )
    return [line for line in lines if line.key.startswith(f"{selection}.")]


def _voice(settings: VoiceSettings) -> CachingVoice | None:
    """The synthetic voice that says each line first, or None (the line is shown only)."""
    from assistant.voice import make_voice

    voice = make_voice(settings, places.cache_home() / "voice")
    try:
        voice.identity(Style.PROMPT)  # finds the Dutch voice now, not at the first line
    except (UserError, VoiceError) as error:
        message = error.message if isinstance(error, UserError) else str(error)
        warn(_("{problem} The lines are shown, not spoken first.").format(problem=message))
        voice.close()
        return None
    return voice


def _listener(content: Content, model: Path | None, microphone: Microphone) -> ChoiceListener:
    from assistant.recognizer import CommandRecognizer, find_model, load_model

    phrases = choice_phrases(content)
    recognizer = None
    model_dir = find_model(model)
    if model_dir is None:
        warn(_("No speech model: type your choice after each take."))
    else:
        model = load_model(model_dir)
        recognizer = CommandRecognizer(model, phrases, meanings=phrases)
    return ChoiceListener(
        phrases,
        microphone,
        recognizer,
        TypedLines(sys.stdin),
        unknown=lambda typed: _tell(
            _("'{typed}' is not one of the choices. {question}").format(
                typed=typed, question=_question(content)
            )
        ),
    )


def _question(content: Content) -> str:
    words = {choice: first_phrase(content, choice) for choice in Choice}
    return _(
        "Keep it? Say or type: {keep} (keep it), {again} (record it again), {replay} (hear it "
        "again), {skip} (leave this line), {stop} (stop; the next run goes on here)."
    ).format(
        keep=words[Choice.KEEP],
        again=words[Choice.AGAIN],
        replay=words[Choice.REPLAY],
        skip=words[Choice.SKIP],
        stop=words[Choice.STOP],
    )


def _tell(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _summary(outcome: Outcome, selection: str | None) -> None:
    again = "hartsverbinding opnemen" + (f" {selection}" if selection else "")
    _tell(
        _("{kept} kept now; {done} of {total} lines have a recording.").format(
            kept=outcome.kept, done=outcome.done, total=outcome.total
        )
    )
    if outcome.next_key is not None:
        _tell(_("'{command}' goes on at {key}.").format(command=again, key=outcome.next_key))
