"""Every line the assistant says, one typed list: each `Line` is a key under `say:` in
assistant.yaml, with the placeholders its wording may fill in.

The dialog says only `Line`s and the loader refuses a content folder that lacks a wording for one
of them, or whose wording uses a placeholder the dialog does not fill: so a line the dialog asks
for is always there. A new line is a member here and a wording in each content folder.
"""

from __future__ import annotations

import enum


class Line(str, enum.Enum):
    """A line's key (the member's value, as written in assistant.yaml) and `placeholders`."""

    placeholders: frozenset[str]

    def __new__(cls, key: str, *placeholders: str) -> Line:
        member = str.__new__(cls, key)
        member._value_ = key
        member.placeholders = frozenset(placeholders)
        return member

    def __str__(self) -> str:
        return str.__str__(self)  # the key, as a plain str would say it (like enum.StrEnum)

    # Welcome, menu and the practices.
    WELCOME = "welcome"
    HOW_IT_WORKS = "how_it_works"
    NO_MICROPHONE = "no_microphone"
    MENU = "menu", "choices"
    MENU_CHOICE = "menu_choice", "phrase", "title"
    MENU_ALL = "menu_all", "phrase"
    MENU_PACKS = "menu_packs", "phrase", "packs"  # where more than one pack is installed
    SWITCH_PACK = "switch_pack", "pack"
    NOT_UNDERSTOOD = "not_understood"
    FIRST_STEP = "first_step"
    QUESTION = "question", "number", "total", "question"
    READ_BACK = "read_back", "answer"
    SAVED = "saved"
    SKIPPED = "skipped"
    FIRST_QUESTION = "first_question"
    EMPTY_ANSWER = "empty_answer"
    PAUSED = "paused"
    RESUME_OFFER = "resume_offer", "number", "title"
    RESUME_DECLINED = "resume_declined"

    # Asked again after a silence, in each state that waits for the person.
    REPROMPT_MENU = "reprompt_menu"
    REPROMPT_ANSWER = "reprompt_answer"
    REPROMPT_CONFIRM = "reprompt_confirm"
    REPROMPT_RESUME = "reprompt_resume"
    REPROMPT_REVIEW = "reprompt_review"
    REPROMPT_READ_OFFER = "reprompt_read_offer"

    # What can be said here, for *help*.
    HELP_MENU = "help_menu"
    HELP_EXERCISE = "help_exercise"
    HELP_QUESTION = "help_question"
    HELP_CONFIRM = "help_confirm"
    HELP_PAUSED = "help_paused"
    HELP_RESUME = "help_resume"
    HELP_REVIEW = "help_review"
    HELP_READ_OFFER = "help_read_offer"
    HELP_READING_ANSWERS = "help_reading_answers"

    # The end of a session.
    GOODBYE = "goodbye"
    GOODBYE_SAVED = "goodbye_saved", "count"
    GOODBYE_UNWRITTEN = "goodbye_unwritten", "count"
    STANDBY_TIMEOUT = "standby_timeout"

    # Volume and pace.
    LOUDER = "louder"
    SOFTER = "softer"
    SLOWER = "slower"
    FASTER = "faster"
    LOUDEST = "loudest"
    SOFTEST = "softest"
    SLOWEST = "slowest"
    FASTEST = "fastest"

    # Looking back: earlier answers, this session's answers read aloud, recordings.
    LOOK_BACK = "look_back", "date", "answer"
    LOOK_BACK_ASKED = "look_back_asked", "date", "question", "answer"  # asked in other words
    LOOK_BACK_NONE = "look_back_none"
    LOOK_BACK_OFF = "look_back_off"
    LOOK_BACK_LOCKED = "look_back_locked"
    READ_ANSWERS = "read_answers", "date"
    READ_ANSWERS_NONE = "read_answers_none"
    READ_ANSWERS_DONE = "read_answers_done"
    READ_QUESTION = "read_question", "number", "question"
    READ_OFFER = "read_offer"
    KEPT_ANSWER = "kept_answer", "number", "answer"
    RECORDING_HERE = "recording_here"
    NO_RECORDING = "no_recording"

    # News about a device or the journal (the dialog's notices).
    MICROPHONE_LOST = "microphone_lost"
    MICROPHONE_BACK = "microphone_back"
    SPEAKER_LOST = "speaker_lost"
    SPEAKER_BACK = "speaker_back"
    VOICE_SERVER_LOST = "voice_server_lost"
    VOICE_SERVER_BACK = "voice_server_back"
    JOURNAL_FAILED = "journal_failed"
    JOURNAL_WRITTEN = "journal_written"
    RESUME_ELSEWHERE = "resume_elsewhere"
    INPUT_REPLACED = "input_replaced"
