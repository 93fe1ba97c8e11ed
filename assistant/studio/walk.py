"""`hartsverbinding opnemen`: a coach records the content's lines, one after the other.

For each line without a current recording: the line is shown and spoken (the synthetic voice,
so the intended wording is heard), a rising tone says "now", the take runs until the coach
is quiet, its silence is trimmed, a falling tone, and the take is played back as it will be
heard (after the loudness step). Then *ja* keeps it (written durably before the next line),
*opnieuw* records it again, *herhaal* plays it again, *overslaan* leaves the line, *stop*
ends. Lines with a current recording are passed over, so the next run goes on where this one
stopped.

Half-duplex like a session: what the microphone hears while the tool plays is thrown away
(a device) or not read yet (a recording used as the microphone, read as fast as needed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from assistant.audio import AudioChunk
from assistant.content.recordings import RecordingFolder
from assistant.dialog.lines import RecordableLine
from assistant.dialog.messages import CueKind
from assistant.i18n import _
from assistant.microphone import Microphone
from assistant.speaker.base import Segment, Speaker
from assistant.speaker.volume import at_volume
from assistant.studio.choices import Choice, ChoiceListener
from assistant.studio.take import Take, TakeRecorder
from assistant.voice.base import Voice, VoiceError
from assistant.voice.cache import finish_line
from assistant.voice.cues import cue_audio

log = logging.getLogger(__name__)

CUE_RATE = 22050
READ_TIMEOUT = 0.1
PLAY_TIMEOUT = 600.0  # seconds: the longest anything played here can take
NOTHING_HEARD_HINT = 20.0  # seconds of a take without speech before the coach is told


@dataclass(frozen=True)
class Booth:
    """What the walk works with: where sound goes, where it comes from, and who decides."""

    microphone: Microphone
    speaker: Speaker
    voice: Voice | None  # the synthetic voice that says each line first; None: shown only
    volume: float  # the configured volume, as for a session
    listener: ChoiceListener
    out: TextIO  # the lines, for the coach to read
    tell: Callable[[str], None]  # progress and hints
    question: str  # what to say after a take (the content's words for each choice)
    holdoff: float = 0.3  # seconds of microphone ignored after playing (echo, reverb)
    end_silence: float = 2.5
    most: float = 180.0


@dataclass(frozen=True)
class Outcome:
    kept: int  # takes kept in this run
    done: int  # lines of the selection with a current recording now
    total: int
    next_key: str | None  # the first line still without a recording; None when all have one
    stopped: bool  # the coach said stop, or the input ended, before the last line


class Walk:
    def __init__(self, lines: Sequence[RecordableLine], folder: RecordingFolder, booth: Booth):
        self.lines = list(lines)
        self.folder = folder
        self.booth = booth

    def run(self, again: bool = False) -> Outcome:
        """Every line that needs a take (all of them with `again`), in order."""
        keys = {line.key: line.text for line in self.lines}
        current = set(self.folder.survey(keys).current)
        todo = [line for line in self.lines if again or line.key not in current]
        self.booth.tell(
            _("{count} of {total} lines to record. Read each line after the rising tone.").format(
                count=len(todo), total=len(self.lines)
            )
        )
        self.booth.microphone.start()
        kept = 0
        stopped = False
        for position, line in enumerate(todo, start=1):
            choice = self._line(line, position, len(todo))
            if choice is Choice.KEEP:
                kept += 1
                current.add(line.key)
            elif choice is Choice.STOP or choice is None:
                stopped = True
                break
        missing = [line.key for line in self.lines if line.key not in current]
        return Outcome(
            kept=kept,
            done=len(self.lines) - len(missing),
            total=len(self.lines),
            next_key=missing[0] if missing else None,
            stopped=stopped,
        )

    # --- one line -------------------------------------------------------------------------

    def _line(self, line: RecordableLine, position: int, count: int) -> Choice | None:
        booth = self.booth
        booth.out.write(f"\n[{position}/{count}] {line.key}\n{line.text}\n")
        booth.out.flush()
        self._speak(line)
        while True:
            take = self._take()
            if take is None:
                booth.tell(_("The recording used as the microphone has ended."))
                return None
            if not take.heard:
                booth.tell(_("Nothing was heard. Read the line once more."))
                continue
            if take.cut_off:
                booth.tell(_("The take reached its longest length and was cut off."))
            choice = self._review(line, take)
            if choice is Choice.KEEP:
                self.folder.save(line.key, line.text, take.audio)
                booth.tell(
                    _("Kept: {key} ({seconds:.1f} s).").format(
                        key=line.key, seconds=take.audio.seconds
                    )
                )
                return choice
            if choice is Choice.SKIP:
                booth.tell(_("Left without a recording: {key}.").format(key=line.key))
                return choice
            if choice is None:
                booth.tell(_("Nothing more can be heard or typed: the take is not kept."))
            if choice is not Choice.AGAIN:
                return choice  # stop, or nothing more can be heard

    def _speak(self, line: RecordableLine) -> None:
        voice = self.booth.voice
        if voice is None:
            return
        try:
            audio = voice.render(line.text, line.style)
        except VoiceError:
            return  # the line is on the screen; the take matters, not the preview
        self._play(Segment.speech(audio, line.text))

    def _take(self) -> Take | None:
        booth = self.booth
        self._play(Segment.cue(cue_audio(CueKind.LISTEN_START, CUE_RATE)))
        recorder = TakeRecorder(booth.microphone.rate, booth.end_silence, booth.most)
        told = False
        while True:
            chunk = booth.microphone.read(READ_TIMEOUT)
            if chunk is None:
                if booth.microphone.ended:
                    last = recorder.finish()
                    return last if last.heard else None
                continue
            take = recorder.feed(chunk)
            if take is not None:
                self._play(Segment.cue(cue_audio(CueKind.LISTEN_STOP, CUE_RATE)))
                return take
            if not told and not recorder.started and recorder.seconds >= NOTHING_HEARD_HINT:
                told = True
                booth.tell(
                    _(
                        "Nothing heard yet. Is the microphone on? ('hartsverbinding devices' "
                        "lists them; choose one with --mic.)"
                    )
                )

    def _review(self, line: RecordableLine, take: Take) -> Choice | None:
        """Play the take back as it will sound, and ask what to do with it."""
        heard = finish_line(take.audio)
        while True:
            self._play(Segment.speech(heard, line.text))
            self.booth.tell(self.booth.question)
            choice = self.booth.listener.choose()
            log.info("take of %s (%.2f s): %s", line.key, take.audio.seconds, choice)
            if choice is not Choice.REPLAY:
                return choice

    # --- sound ----------------------------------------------------------------------------

    def _play(self, segment: Segment) -> None:
        """Play and wait for the end; then what the microphone heard meanwhile is dropped.
        Everything the walk plays goes through here: the one place its volume is applied."""
        booth = self.booth
        booth.speaker.play(at_volume(segment, booth.volume))
        booth.speaker.wait(PLAY_TIMEOUT)
        if booth.microphone.realtime:
            self._discard()

    def _discard(self) -> None:
        microphone = self.booth.microphone
        while microphone.read(0.0) is not None:
            pass  # buffered while the tool played: its own sound
        held = 0.0
        while held < self.booth.holdoff:
            chunk: AudioChunk | None = microphone.read(READ_TIMEOUT)
            if chunk is None:
                if microphone.ended:
                    return
                continue
            held += chunk.seconds
