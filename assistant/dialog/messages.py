"""What goes into the dialog (events) and what comes out of it (actions): small frozen values."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.content.model import Command
from assistant.dialog.history import History
from assistant.hearing import Utterance
from assistant.preferences import Preferences

if TYPE_CHECKING:  # only named here: a typed session never imports numpy
    from assistant.audio import AudioChunk

# --- what an utterance means -------------------------------------------------------------


@dataclass(frozen=True)
class ChoosePractice:
    practice_id: str


@dataclass(frozen=True)
class ReadText:
    text_id: str


@dataclass(frozen=True)
class ChoosePack:
    """Another installed coach's pack, chosen in the menu by its name."""

    name: str


Meaning = Command | ChoosePractice | ReadText | ChoosePack


# --- events: what happened --------------------------------------------------------------


@dataclass(frozen=True)
class ResumePoint:
    """An earlier session that stopped with questions still open."""

    journal_id: str
    practice_id: str
    next_question: int  # 0-based index of the first question without a confirmed answer


@dataclass(frozen=True)
class Begin:
    practice_id: str | None  # None: welcome and ask what the user wants
    resume: ResumePoint | None = None
    text_input: bool = False  # told once when the microphone could not be used
    # Volume and pace kept from earlier sessions.
    preferences: Preferences = field(default_factory=Preferences)
    # Started from standby: a menu left in silence ends the session (back to standby)
    # instead of waiting for ever.
    standby: bool = False
    # What earlier sessions kept, for looking back (read before the session starts).
    history: History = field(default_factory=History)


@dataclass(frozen=True)
class Heard:
    """An utterance (typed or spoken) as the dialog takes it: with what it means."""

    utterance: Utterance
    meaning: Meaning | None = None
    """Set when the utterance is a known phrasing (understand.py); None for other words."""

    @property
    def text(self) -> str:
        return self.utterance.text

    @property
    def recording(self) -> AudioChunk | None:
        return self.utterance.recording


@dataclass(frozen=True)
class OutputDone:
    """Everything the dialog asked to play has played (including timed pauses)."""


@dataclass(frozen=True)
class Silence:
    """The user said nothing for as long as a patient listener waits."""


class NoticeKind(enum.Enum):
    """News the person should hear about a device or the journal; the dialog says its Line
    (NOTICE_LINES in machine.py). One enum, so a misspelt notice is a type error, not a line
    silently dropped."""

    MICROPHONE_LOST = "microphone_lost"
    MICROPHONE_BACK = "microphone_back"
    SPEAKER_LOST = "speaker_lost"
    SPEAKER_BACK = "speaker_back"
    VOICE_SERVER_LOST = "voice_server_lost"  # another voice speaks until it is back
    VOICE_SERVER_BACK = "voice_server_back"
    JOURNAL_FAILED = "journal_failed"
    RESUME_ELSEWHERE = "resume_elsewhere"  # the session to go on with is open elsewhere
    INPUT_REPLACED = "input_replaced"  # typed bytes that were not text, replaced


@dataclass(frozen=True)
class Notice:
    """Something the person should hear about (see NoticeKind); the dialog says it and
    carries on where it was."""

    kind: NoticeKind


@dataclass(frozen=True)
class InputEnded:
    """No more input will ever come (end of the typed input or of the recording)."""


@dataclass(frozen=True)
class RecordingFetched:
    """The kept recording asked for with FetchRecording; None when it cannot be had (gone,
    or encrypted)."""

    audio: AudioChunk | None


@dataclass(frozen=True)
class JournalWritten:
    """What came of writing the journal: the runtime's answer to each SaveAnswer, and, unasked,
    news that what could not be written before is on disk now. `ok`: everything the journal
    holds is on disk."""

    ok: bool


@dataclass(frozen=True)
class ButtonPressed:
    """The start button (an alternative to the voice): *pauze*, or *verder* when paused."""


Event = (
    Begin
    | Heard
    | OutputDone
    | Silence
    | InputEnded
    | Notice
    | ButtonPressed
    | RecordingFetched
    | JournalWritten
)

# --- actions: what to do ------------------------------------------------------------------


class Style(enum.Enum):
    """How a line is spoken: prompts brisk, the guided exercise slow and calm."""

    PROMPT = "prompt"
    GUIDE = "guide"
    READING = "reading"


class CueKind(enum.Enum):
    BELL = "bell"
    LISTEN_START = "listen_start"
    LISTEN_STOP = "listen_stop"


@dataclass(frozen=True)
class Say:
    text: str
    style: Style = Style.PROMPT
    # Carries the person's own words (a read-back, a look-back): never written to a cache
    # file, and not printed as a caption where output may end up in a log (standby).
    personal: bool = False


@dataclass(frozen=True)
class Pause:
    seconds: float  # as written in the content; the runtime scales it by --pace


@dataclass(frozen=True)
class Cue:
    kind: CueKind


@dataclass(frozen=True)
class PlayRecording:
    """The person's own recorded answer, played back (carries their words: never cached)."""

    audio: AudioChunk


@dataclass(frozen=True)
class StopOutput:
    """Cut what is playing now and drop what is queued."""


@dataclass(frozen=True)
class Listen:
    """Wait for the user. `answer`: free dictation instead of commands. `patient`: report
    Silence after the patience time (only once per prompt: then the dialog waits quietly)."""

    answer: bool = False
    patient: bool = True


@dataclass(frozen=True)
class StartPractice:
    practice_id: str


@dataclass(frozen=True)
class SaveAnswer:
    """Written durably before the dialog's next action runs; the runtime answers with
    JournalWritten."""

    practice_id: str
    number: int  # 1-based
    question: str
    answer: str
    confirmed: bool
    recording: AudioChunk | None = None


@dataclass(frozen=True)
class ContinueJournal:
    journal_id: str


@dataclass(frozen=True)
class CloseResume:
    """The user declined to resume: that old session is not offered again."""

    journal_id: str


@dataclass(frozen=True)
class FetchRecording:
    """Read an earlier session's kept recording from the journal; the runtime answers with
    RecordingFetched."""

    session_id: str
    name: str


@dataclass(frozen=True)
class Adjust:
    """The person asked for another volume or pace: play everything from now on with these,
    and keep them for the next sessions."""

    preferences: Preferences


@dataclass(frozen=True)
class End:
    finished: bool  # every chosen practice was gone through to its end
    switch_to: str | None = None  # the pack chosen in the menu: the next session speaks from it


OutputItem = Say | Pause | Cue | PlayRecording
"""What the runtime plays, one after the other."""

Action = (
    OutputItem
    | StopOutput
    | Listen
    | StartPractice
    | SaveAnswer
    | ContinueJournal
    | CloseResume
    | FetchRecording
    | Adjust
    | End
)
