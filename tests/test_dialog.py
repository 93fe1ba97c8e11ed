"""The dialog as a pure state machine: every command in every state, without devices."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.content.lines import Line
from assistant.content.loader import LINE_KEYS, load_content
from assistant.content.model import Command, Exercise, QuestionList
from assistant.dialog.machine import NOTICE_LINES, State
from assistant.dialog.messages import (
    Begin,
    ChoosePack,
    CloseResume,
    ContinueJournal,
    Cue,
    CueKind,
    End,
    Heard,
    InputEnded,
    JournalWritten,
    Listen,
    Notice,
    NoticeKind,
    OutputDone,
    Pause,
    ResumePoint,
    SaveAnswer,
    Say,
    Silence,
    StartPractice,
    StopOutput,
    Style,
)
from assistant.dialog.understand import understand
from assistant.hearing import Utterance
from tests.dialog_driver import Driver
from tests.helpers import CONTENT_DIR, ENGLISH_CONTENT_DIR

pytestmark = pytest.mark.pure


@pytest.fixture
def drv(content):
    return Driver(content)


def exercise(content) -> Exercise:
    practice = content.practices[0]
    assert isinstance(practice, Exercise)
    return practice


def questions(content) -> QuestionList:
    practice = content.practices[1]
    assert isinstance(practice, QuestionList)
    return practice


def line(content, key, turn=0, **values):
    return content.line(key, turn, **values)


# --- welcome and menu ---------------------------------------------------------------------


def test_welcome_explains_and_asks_what_to_do(drv, content):
    drv.begin()
    assert drv.said() == [
        line(content, "welcome"),
        line(content, "how_it_works"),
        "Wat wil je doen? Zeg oefening voor de oefening Hartsverbinding, vragen voor de vragen "
        "over zelfcompassie, of allebei voor alles na elkaar.",
    ]
    assert drv.state is State.MENU and drv.listen == Listen(answer=False, patient=True)


def test_choosing_the_exercise_rings_the_bell_and_guides_slowly(drv, content):
    drv.begin()
    actions = drv.say("Oefening!", settle=False)
    first = exercise(content).steps[0]
    assert actions == [
        StartPractice("oefening"),
        Cue(CueKind.BELL),
        Say(exercise(content).intro, Style.GUIDE),
        Say(first.say, Style.GUIDE),
        Pause(first.pause),
    ]
    assert drv.state is State.EXERCISE and drv.listen is None


def test_choosing_the_questions_asks_the_first_and_listens_for_an_answer(drv, content):
    drv.begin()
    drv.say("de vragen")
    assert drv.last_said() == "Vraag 1 van 10. Waardoor, of waarvan, lijd je?"
    assert drv.actions[-2] == Cue(CueKind.LISTEN_START)
    assert drv.listen == Listen(answer=True, patient=True)


@pytest.mark.parametrize("phrase", ["allebei", "start", "beide"])
def test_both_runs_the_exercise_then_the_questions(drv, content, phrase):
    drv.begin()
    drv.say(phrase)
    starts = [a.practice_id for a in drv.journal_actions() if isinstance(a, StartPractice)]
    assert starts == ["oefening", "vragen"]
    assert drv.state is State.ASKING and drv.dialog.question == 0
    assert exercise(content).outro in drv.said()


def test_a_text_is_read_on_request_and_the_menu_follows(drv, content):
    drv.begin()
    before = len(drv.actions)
    drv.say("lees over zelfcompassie")
    said = drv.said(drv.actions[before:])
    text = next(t for t in content.texts if t.id == "zelfcompassie")
    assert said[: 1 + len(text.paragraphs)] == [text.title, *text.paragraphs]
    assert all(a.style is Style.READING for a in drv.actions[before:][:3] if isinstance(a, Say))
    assert drv.state is State.MENU and said[-1].startswith("Wat wil je doen?")


def test_volgende_while_a_text_is_read_goes_back_to_the_menu(drv):
    drv.begin()
    drv.say("lees over compassie", settle=False)
    actions = drv.say("volgende")
    assert actions[0] == StopOutput() and drv.state is State.MENU


@pytest.mark.parametrize(
    "phrase", ["volgende", "vorige", "overslaan", "opnieuw", "klaar", "ja", "nee", "blabla"]
)
def test_the_menu_does_not_understand_other_words_and_says_so_once(drv, content, phrase):
    drv.begin()
    actions = drv.say(phrase)
    assert drv.said(actions) == [
        line(content, "not_understood"),
        line(content, "reprompt_menu"),
    ]
    assert drv.listen == Listen(patient=False) and drv.state is State.MENU


def test_herhaal_in_the_menu_says_the_menu_again(drv):
    drv.begin()
    menu = drv.last_said()
    assert drv.said(drv.say("herhaal")) == [menu]


def test_help_in_the_menu(drv, content):
    drv.begin()
    said = drv.said(drv.say("help"))
    assert said[0] == line(content, "help_menu") and said[1].startswith("Wat wil je doen?")


def test_silence_asks_once_more_then_waits_quietly(drv, content):
    drv.begin()
    assert drv.said(drv.silence()) == [line(content, "reprompt_menu")]
    assert drv.listen == Listen(patient=False)
    assert drv.silence() == []  # never an endless loop of prompts
    assert drv.state is State.MENU


def test_stop_in_the_menu_says_goodbye_and_ends_unfinished(drv, content):
    drv.begin()
    actions = drv.say("stop")
    assert actions[0] == StopOutput()
    assert drv.said(actions) == [line(content, "goodbye")]
    assert drv.ended == End(finished=False) and drv.state is State.ENDED
    assert drv.say("vragen") == []  # nothing after the end


def test_end_of_input_in_the_menu_ends_cleanly(drv):
    drv.begin()
    drv.input_ended()
    assert drv.ended == End(finished=False)


# --- the exercise -------------------------------------------------------------------------


def test_the_exercise_plays_every_step_with_its_pause_then_ends(drv, content):
    drv.begin("oefening")
    drv.settle()
    steps = exercise(content).steps
    pauses = [a for a in drv.actions if isinstance(a, Pause)]
    assert [p.seconds for p in pauses] == [s.pause for s in steps]
    said = drv.said()
    for step in steps:
        assert step.say in said
    assert drv.actions.count(Cue(CueKind.BELL)) == 2  # start and end
    assert drv.ended == End(finished=True)


def _into_exercise(drv, steps_played):
    drv.begin("oefening", settle=False)
    for _ in range(steps_played):
        drv.step_once()
    return drv.dialog.step


@pytest.mark.parametrize(
    ("phrase", "move"),
    [("volgende", 1), ("overslaan", 1), ("herhaal", 0), ("vorige", -1), ("terug", -1)],
)
def test_moving_through_the_exercise(drv, content, phrase, move):
    step = _into_exercise(drv, 3)
    actions = drv.say(phrase, settle=False)
    target = exercise(content).steps[step + move]
    assert actions == [StopOutput(), Say(target.say, Style.GUIDE), Pause(target.pause)]
    assert drv.dialog.step == step + move


def test_vorige_at_the_first_step_says_so(drv, content):
    _into_exercise(drv, 0)
    actions = drv.say("vorige", settle=False)
    assert drv.said(actions) == [line(content, "first_step"), exercise(content).steps[0].say]


def test_volgende_at_the_last_step_finishes_the_exercise(drv, content):
    _into_exercise(drv, len(exercise(content).steps) - 1)
    drv.say("volgende")
    assert exercise(content).outro in drv.said() and drv.ended == End(finished=True)


def test_pause_and_resume_in_the_exercise_restarts_the_interrupted_sentence(drv, content):
    step = _into_exercise(drv, 5)
    actions = drv.say("pauze")
    assert actions[0] == StopOutput() and drv.state is State.PAUSED
    assert drv.said(actions) == [line(content, "paused")]
    assert drv.listen == Listen(patient=False)  # a pause never nags
    assert drv.silence() == []
    assert drv.say("iets anders") == []  # only verder, help and stop are answered
    actions = drv.say("verder", settle=False)
    assert actions[0] == Say(exercise(content).steps[step].say, Style.GUIDE)
    assert drv.state is State.EXERCISE


def test_help_in_the_exercise_then_the_step_again(drv, content):
    step = _into_exercise(drv, 2)
    actions = drv.say("help", settle=False)
    assert drv.said(actions) == [line(content, "help_exercise"), exercise(content).steps[step].say]


@pytest.mark.parametrize("phrase", ["ja", "nee", "klaar", "opnieuw", "hallo daar", ""])
def test_other_speech_during_the_exercise_is_ignored(drv, phrase):
    _into_exercise(drv, 4)
    assert drv.say(phrase, settle=False) == []
    assert drv.silence() == []


def test_stop_in_the_exercise(drv, content):
    _into_exercise(drv, 4)
    actions = drv.say("stop")
    assert actions[0] == StopOutput() and drv.ended == End(finished=False)


def test_end_of_input_lets_the_exercise_play_to_its_end(drv, content):
    _into_exercise(drv, 1)
    assert drv.input_ended() == []
    drv.settle()
    assert exercise(content).steps[-1].say in drv.said()
    assert drv.ended == End(finished=True)


# --- the questions ------------------------------------------------------------------------


def _at_question(drv, number=1):
    drv.begin("vragen")
    for n in range(1, number):
        drv.say(f"antwoord {n}")
        drv.say("ja")
    assert drv.dialog.question == number - 1


def test_an_answer_is_kept_as_a_draft_read_back_and_confirmed(drv, content):
    _at_question(drv)
    actions = drv.say("Door mijn werk.")
    draft = SaveAnswer("vragen", 1, questions(content).questions[0], "Door mijn werk.", False)
    assert actions[:2] == [Cue(CueKind.LISTEN_STOP), draft]
    assert drv.last_said().startswith("Ik hoorde: Door mijn werk. Zeg ja")
    assert drv.state is State.CONFIRMING and drv.listen == Listen(patient=True)
    actions = drv.say("ja")
    assert actions[0] == SaveAnswer(
        "vragen", 1, questions(content).questions[0], "Door mijn werk.", True
    )
    assert drv.last_said() == "Vraag 2 van 10. Accepteer je je lot?"


@pytest.mark.parametrize("confirm", ["ja", "goed", "volgende", "Ja graag."])
def test_every_confirming_word_keeps_the_answer(drv, confirm):
    _at_question(drv)
    drv.say("mijn antwoord")
    drv.say(confirm)
    assert drv.saves()[-1].confirmed and drv.dialog.question == 1


@pytest.mark.parametrize("answer", ["ja", "Nee.", "verder", "start", "oefening"])
def test_a_one_word_answer_that_is_also_a_command_is_an_answer_to_a_question(drv, answer):
    _at_question(drv, 2)
    drv.say(answer)
    assert drv.state is State.CONFIRMING and drv.saves()[-1].answer == answer


@pytest.mark.parametrize("again", ["opnieuw", "nee", "dat klopt niet"])
def test_opnieuw_asks_again_and_the_new_answer_replaces_the_draft(drv, again):
    _at_question(drv)
    drv.say("eerste poging")
    drv.say(again)
    assert drv.state is State.ASKING and drv.last_said().startswith("Vraag 1 van 10")
    drv.say("tweede poging")
    drv.say("ja")
    final = drv.saves()[-1]
    assert final.number == 1 and final.answer == "tweede poging" and final.confirmed


def test_herhaal_repeats_the_question_and_the_read_back(drv):
    _at_question(drv, 3)
    question = drv.last_said()
    assert drv.said(drv.say("herhaal")) == [question]
    drv.say("iets")
    read_back = drv.last_said()
    assert drv.said(drv.say("herhaal")) == [read_back]


def test_overslaan_skips_without_saving(drv, content):
    _at_question(drv, 4)
    saved_before = len(drv.saves())
    said = drv.said(drv.say("overslaan"))
    assert said == [line(content, "skipped"), "Vraag 5 van 10. " + questions(content).questions[4]]
    assert len(drv.saves()) == saved_before


def test_overslaan_after_a_read_back_leaves_the_draft_unconfirmed(drv):
    _at_question(drv, 2)
    drv.say("misschien")
    drv.say("overslaan")
    assert drv.saves()[-1].answer == "misschien" and not drv.saves()[-1].confirmed
    assert drv.dialog.question == 2


def test_vorige_says_the_kept_answer_and_says_so_at_the_first(drv, content):
    _at_question(drv, 3)
    said = drv.said(drv.say("vorige"))
    assert said == [line(content, "kept_answer", number=2, answer="antwoord 2")]
    assert drv.state is State.REVIEWING
    drv.say("vorige")
    assert drv.last_said() == line(content, "kept_answer", number=1, answer="antwoord 1")
    said = drv.said(drv.say("vorige"))
    assert said[0] == line(content, "first_question") and drv.state is State.REVIEWING


def test_a_question_not_answered_yet_is_simply_asked_again(drv, content):
    _at_question(drv, 2)
    drv.say("overslaan")  # question 2 skipped: now at 3
    assert drv.last_said() == "Vraag 3 van 10. " + questions(content).questions[2]
    drv.say("vorige")
    assert drv.last_said() == "Vraag 2 van 10. " + questions(content).questions[1]
    assert drv.state is State.ASKING


def test_opnieuw_replaces_a_kept_answer_and_volgende_keeps_it(drv, content):
    _at_question(drv, 3)
    drv.say("vorige")
    drv.say("opnieuw")
    assert drv.state is State.ASKING and drv.dialog.question == 1
    drv.say("een beter antwoord")
    drv.say("ja")
    assert [(s.number, s.answer) for s in drv.saves() if s.confirmed][-1] == (
        2,
        "een beter antwoord",
    )
    drv.say("vorige")
    drv.say("volgende")
    assert drv.state is State.ASKING and drv.dialog.question == 2


def test_vorige_after_a_read_back_goes_back_keeping_the_draft(drv):
    _at_question(drv, 2)
    drv.say("weet ik niet")
    drv.say("vorige")  # question 1 was answered: its kept answer is said
    assert drv.state is State.REVIEWING and drv.saves()[-1].answer == "weet ik niet"
    assert not drv.saves()[-1].confirmed


@pytest.mark.parametrize("empty", ["", "   ", "klaar"])
def test_an_empty_answer_is_asked_again_once_then_waited_for_quietly(drv, content, empty):
    _at_question(drv)
    assert drv.said(drv.say(empty)) == [line(content, "empty_answer")]
    assert drv.listen == Listen(answer=True, patient=True)
    assert drv.said(drv.say(empty)) == []
    assert drv.listen == Listen(answer=True, patient=False)
    assert drv.state is State.ASKING and drv.saves() == []


def test_silence_at_a_question_reminds_gently_once(drv, content):
    _at_question(drv)
    assert drv.said(drv.silence()) == [line(content, "reprompt_answer")]
    assert drv.listen == Listen(answer=True, patient=False)
    assert drv.silence() == []
    drv.say("toch een antwoord")
    assert drv.state is State.CONFIRMING


def test_silence_at_a_read_back_reminds_once(drv, content):
    _at_question(drv)
    drv.say("antwoord")
    assert drv.said(drv.silence()) == [line(content, "reprompt_confirm")]
    assert drv.silence() == []


def test_words_that_are_no_confirmation_are_not_understood(drv, content):
    _at_question(drv)
    drv.say("antwoord")
    assert drv.said(drv.say("misschien wel")) == [
        line(content, "not_understood"),
        line(content, "reprompt_confirm"),
    ]
    assert drv.state is State.CONFIRMING


def test_pause_at_a_question_then_verder_asks_it_again(drv):
    _at_question(drv, 2)
    question = drv.last_said()
    drv.say("pauze")
    assert drv.state is State.PAUSED
    drv.say("verder")
    assert drv.last_said() == question and drv.listen == Listen(answer=True, patient=True)


def test_pause_at_a_read_back_then_verder_reads_it_back_again(drv):
    _at_question(drv)
    drv.say("een antwoord")
    read_back = drv.last_said()
    drv.say("wacht even")
    drv.say("ga verder")
    assert drv.last_said() == read_back and drv.state is State.CONFIRMING


def test_help_at_a_question_and_in_a_pause(drv, content):
    _at_question(drv)
    question = drv.last_said()
    assert drv.said(drv.say("help")) == [line(content, "help_question"), question]
    drv.say("pauze")
    assert drv.said(drv.say("wat kan ik zeggen")) == [line(content, "help_paused")]
    assert drv.state is State.PAUSED


def test_stop_at_a_question_ends_with_what_was_saved(drv, content):
    _at_question(drv, 4)
    said = drv.said(drv.say("ik wil stoppen"))
    assert said == [line(content, "goodbye_saved", count=3), line(content, "goodbye")]
    assert drv.ended == End(finished=False)


def test_an_answer_the_journal_could_not_write_is_not_called_kept(drv, content):
    """The runtime answers SaveAnswer with JournalWritten(ok=False): no "Bewaard", the line
    that says so, the next question; the goodbye counts only what is on disk."""
    _at_question(drv, 2)
    drv.journal_ok = False
    drv.say("tweede")
    said = drv.said(drv.say("ja"))
    assert said[0] == line(content, "journal_failed")
    assert not set(said) & set(content.lines["saved"])
    assert said[1].startswith("Vraag 3 van 10.")
    assert drv.said(drv.say("stop")) == [
        line(content, "goodbye_saved", count=1),
        line(content, "goodbye_unwritten", count=1),
        line(content, "goodbye"),
    ]


def test_what_waited_is_counted_kept_once_the_journal_has_written_it(drv, content):
    _at_question(drv, 2)
    drv.journal_ok = False
    drv.say("tweede")
    drv.say("ja")
    said = drv.said(drv.send(JournalWritten(ok=True)))  # the runtime's retry succeeded
    assert said == [line(content, "journal_written")]
    assert drv.listen == Listen(answer=True, patient=False)
    assert drv.said(drv.send(JournalWritten(ok=True))) == []  # nothing more to tell
    assert drv.said(drv.say("stop"))[0] == line(content, "goodbye_saved", count=2)


def test_stop_during_a_read_back_keeps_the_draft(drv):
    _at_question(drv, 2)
    drv.say("iets wat ik nog niet bevestigd heb")
    drv.say("stop")
    last = drv.saves()[-1]
    assert last.answer == "iets wat ik nog niet bevestigd heb" and not last.confirmed
    assert drv.ended == End(finished=False)


def test_end_of_input_at_a_question_ends_cleanly(drv):
    _at_question(drv, 2)
    drv.input_ended()
    assert drv.ended == End(finished=False)


def test_ten_answers_finish_the_practice(drv, content):
    _at_question(drv, 10)
    drv.say("laatste antwoord")
    drv.say("ja")
    confirmed = [s for s in drv.saves() if s.confirmed]
    assert [s.number for s in confirmed] == list(range(1, 11))
    assert questions(content).outro in drv.said()
    assert drv.last_said() == line(content, "read_offer") and drv.state is State.READ_OFFER
    drv.say("nee")  # offered, never pushed
    assert line(content, "goodbye_saved", count=10) in drv.said()
    assert drv.ended == End(finished=True)


def test_the_offer_at_the_end_reads_this_sessions_answers(drv, content):
    _at_question(drv, 10)
    drv.say("laatste antwoord")
    drv.say("ja")
    start = len(drv.actions)
    drv.say("ja")  # yes, read them to me
    said = drv.said(drv.actions[start:])
    assert said[:2] == [
        line(content, "read_question", number=1, question=questions(content).questions[0]),
        "antwoord 1.",
    ]
    assert "laatste antwoord." in said and line(content, "read_answers_done") in said
    personal = [a.text for a in drv.actions[start:] if isinstance(a, Say) and a.personal]
    assert personal == [f"antwoord {n}." for n in range(1, 10)] + ["laatste antwoord."]
    assert drv.ended == End(finished=True)


def test_the_end_of_input_at_the_offer_still_counts_as_finished(drv):
    _at_question(drv, 10)
    drv.say("laatste antwoord")
    drv.say("ja")
    drv.input_ended()
    assert drv.ended == End(finished=True)


def test_variants_take_turns(drv, content):
    _at_question(drv, 4)
    saved_lines = [s for s in drv.said() if s in content.lines["saved"]]
    assert saved_lines == list(content.lines["saved"])


# --- resuming -----------------------------------------------------------------------------

RESUME = ResumePoint(journal_id="2026-11-20_101010", practice_id="vragen", next_question=3)


def test_an_unfinished_session_is_offered_and_resumed_at_its_open_question(drv, content):
    drv.begin(None, RESUME)
    assert drv.last_said() == line(
        content, "resume_offer", number=4, title=questions(content).title
    )
    drv.say("ja")
    assert ContinueJournal(RESUME.journal_id) in drv.actions
    assert drv.last_said() == "Vraag 4 van 10. " + questions(content).questions[3]
    drv.say("antwoord vier")
    drv.say("ja")
    assert drv.saves()[-1].number == 4


def test_declining_to_resume_closes_that_session_and_shows_the_menu(drv, content):
    drv.begin(None, RESUME)
    drv.say("nee")
    assert CloseResume(RESUME.journal_id) in drv.actions
    assert line(content, "resume_declined") in drv.said()
    assert drv.state is State.MENU


def test_declining_to_resume_goes_to_the_practice_asked_for(drv, content):
    """`hartsverbinding vragen`, then nee: the questions from the start, not the menu."""
    drv.begin("vragen", RESUME)
    drv.say("nee")
    assert CloseResume(RESUME.journal_id) in drv.actions
    assert StartPractice("vragen") in drv.actions
    assert drv.state is State.ASKING and drv.dialog.question == 0
    assert drv.last_said() == "Vraag 1 van 10. " + questions(content).questions[0]


def test_the_resume_offer_reminds_once_on_silence_and_ends_on_end_of_input(drv, content):
    drv.begin(None, RESUME)
    assert drv.said(drv.silence()) == [line(content, "reprompt_resume")]
    drv.input_ended()
    assert drv.ended is not None


def test_starting_another_practice_does_not_offer_to_resume(drv):
    drv.begin("oefening", RESUME, settle=False)
    assert drv.state is State.EXERCISE


def test_the_microphone_fallback_is_said_first(content):
    drv = Driver(content)
    drv.send(Begin(None, None, text_input=True))
    assert drv.said()[0] == line(content, "no_microphone")


# --- no event sequence can strand the runtime ---------------------------------------------

PHRASES = ["oefening", "vragen", "allebei", "lees over compassie", "een antwoord", "", "klaar"]
PHRASES += [c.value for c in Command]
EVENTS = st.one_of(
    st.sampled_from(PHRASES).map(lambda text: ("say", text)),
    st.just(("silence", "")),
    st.just(("output", "")),
    st.just(("ended", "")),
)


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from([None, "oefening", "vragen"]), events=st.lists(EVENTS, max_size=40))
def test_any_sequence_of_events_leaves_the_dialog_listening_or_ended(content, start, events):
    drv = Driver(content)
    drv.begin(start)
    for kind, text in events:
        if drv.ended:
            break
        if kind == "say":
            drv.say(text)
        elif kind == "silence":
            drv.silence()
            drv.settle()
        elif kind == "output":
            drv.output_done()
            drv.settle()
        else:
            drv.input_ended()
            drv.settle()
        assert drv.ended or drv.listen, f"stranded in {drv.state}"
        for save in drv.saves():
            assert 1 <= save.number <= 10 and save.answer.strip()
    ends = [a for a in drv.actions if isinstance(a, End)]
    assert len(ends) <= 1


def test_events_after_the_end_do_nothing(drv):
    drv.begin()
    drv.say("stop")
    for event in (Silence(), OutputDone(), InputEnded(), Heard(Utterance("vragen"))):
        assert drv.send(event) == []


# --- device notices -------------------------------------------------------------------------


def test_a_device_notice_is_said_and_the_question_still_waits(drv, content):
    _at_question(drv, 2)
    actions = drv.send(Notice(NoticeKind.MICROPHONE_LOST))
    assert drv.said(actions) == [line(content, "microphone_lost")]
    assert drv.listen == Listen(answer=True, patient=False) and drv.state is State.ASKING


def test_a_device_notice_in_the_exercise_does_not_stop_it(drv, content):
    _into_exercise(drv, 2)
    actions = drv.send(Notice(NoticeKind.MICROPHONE_BACK))
    assert actions == [Say(line(content, "microphone_back"))]
    assert drv.state is State.EXERCISE and drv.dialog.step == 2


def test_a_count_of_one_has_its_own_wording(content):
    assert content.line("goodbye_saved", count=1) == "Je hebt één antwoord bewaard in je dagboek."
    assert content.line("goodbye_saved", count=3) == "Je hebt 3 antwoorden bewaard in je dagboek."


def test_every_notice_has_its_line_in_the_content(content):
    # The loader insists on every line the dialog may say, so a notice without one could not
    # load; this ties the enum to that list.
    assert {kind.value for kind in NoticeKind} <= set(LINE_KEYS)
    for kind in NoticeKind:
        assert content.line(kind.value)


def test_the_dialog_has_a_line_for_every_notice(content):
    assert set(NOTICE_LINES) == set(NoticeKind)
    for kind, line in NOTICE_LINES.items():
        assert content.line(line)
        assert Driver(content).dialog.handle(Notice(kind)) == [Say(content.line(line))]


# --- the lines: one typed list, a wording for each in every content folder ------------------


@pytest.mark.parametrize("folder", [CONTENT_DIR, ENGLISH_CONTENT_DIR], ids=["nl", "en"])
def test_every_line_has_a_wording_that_fills_its_placeholders(folder):
    content = load_content(folder)
    assert set(content.lines) == {line.value for line in Line}
    values = {name: 1 for line in Line for name in line.placeholders}
    for line in Line:
        for turn, variant in enumerate(content.lines[line]):
            assert variant and content.line(line, turn, **values), (folder, line)


def test_other_installed_packs_are_offered_in_the_menu_and_one_is_chosen_by_its_name(content):
    offered = replace(
        content,
        packs={
            "kies jacqueline kort": "jacqueline-kort",
            "ik wil jacqueline kort": "jacqueline-kort",
        },
        pack_titles={"jacqueline-kort": "jacqueline kort"},
    )
    assert understand("Kies Jacqueline kort!", offered) == ChoosePack("jacqueline-kort")
    assert understand("kies jacqueline kort", content) is None  # one pack: nothing to choose
    drv = Driver(offered)
    drv.begin()
    assert drv.said()[-1] == line(
        content, "menu_packs", phrase="kies jacqueline kort", packs="jacqueline kort"
    )
    drv.say("ik wil jacqueline kort")
    assert drv.said()[-1] == line(content, "switch_pack", pack="jacqueline kort")
    assert drv.ended == End(False, switch_to="jacqueline-kort")
    plain = Driver(content)
    plain.begin()
    assert not any("coach" in said for said in plain.said())
