"""The content folder: the shipped practice loads, and every kind of broken file is refused with
one message that names the file and the place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.content import Command, Exercise, QuestionList, load_content
from assistant.content.lines import Line
from assistant.errors import ContentError
from tests.helpers import copy_content, run_cli

pytestmark = pytest.mark.files


def test_the_shipped_content_is_the_handouts_practice(content):
    exercise, questions = content.practices
    assert isinstance(exercise, Exercise) and exercise.id == "oefening"
    assert isinstance(questions, QuestionList) and questions.id == "vragen"
    assert len(questions.questions) == 10
    assert questions.questions[0].startswith("Waardoor")
    assert questions.questions[-1].startswith("Geloof je dat je ervan geleerd")
    assert exercise.steps[0].say.startswith("Adem diep en rustig in")
    # about five minutes at normal pace: pauses plus roughly 2.5 words a second of speech
    words = sum(len(step.say.split()) for step in exercise.steps)
    total = sum(step.pause for step in exercise.steps) + words / 2.5
    assert 240 <= total <= 360, total
    assert {t.id for t in content.texts} == {"hartsverbinding", "zelfcompassie", "compassie"}
    # whose words these are, said where the content is edited (the program does not read it)
    assert "Jacqueline Verhaegh" in Path(content.source_dir, "assistant.yaml").read_text("utf-8")
    assert set(content.commands.values()) == set(Command)


def test_the_coach_pauses_where_the_handout_says_to_stay(content):
    exercise = content.practices[0]
    pauses = {step.say: step.pause for step in exercise.steps}
    assert next(p for s, p in pauses.items() if "Blijf zo even zitten" in s) >= 20
    assert next(p for s, p in pauses.items() if "Houd de aandacht een tijdje" in s) >= 20
    breaths = [s for s in exercise.steps[:4] if "adem" in s.say.lower()]
    assert len(breaths) >= 3  # several slow breaths before the body scan


def _broken(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    folder = copy_content(tmp_path)
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


PRACTICE = "practices/10-oefening-hartsverbinding.yaml"
QUESTIONS = "practices/20-vragen-zelfcompassie.yaml"

BROKEN = [
    # (file, text replaced, replacement, words expected in the message)
    (PRACTICE, "    pause: 6\n", "    pause: -3\n", ["steps[1].pause", "outside 0 to 600"]),
    (PRACTICE, "    pause: 6\n", "    pause: zeven\n", ["steps[1].pause", "expected a number"]),
    (PRACTICE, "    pause: 6\n", "", ["steps[1]", "missing key 'pause'"]),
    (PRACTICE, "  - say: Adem diep", "  - sai: Adem diep", ["unknown key", "sai"]),
    (PRACTICE, "kind: exercise", "kind: meditation", ["unknown kind 'meditation'"]),
    (QUESTIONS, "id: vragen", "id: oefening", ["another practice already has id 'oefening'"]),
    (PRACTICE, "id: oefening", "id: 'de oefening!'", ["not a valid id"]),
    (PRACTICE, "id: oefening", "id: say", ["'say' cannot be a practice's id"]),
    (
        "commands.yaml",
        '  klaar: [klaar, "ik ben klaar", "dat was het"]',
        "  klaar: []",
        ["commands.klaar", "the list is empty"],
    ),
    (PRACTICE, "title: de oefening", "title: [de oefening", ["not valid YAML"]),
    (PRACTICE, "phrasings: [oefening,", "phrasings: [stop,", ["'stop' already means command"]),
    (QUESTIONS, "  - Accepteer je je lot?\n", "  - \n", ["questions[2]", "expected text"]),
    (QUESTIONS, "outro:", "intro: dubbel\noutro:", ["this key appears twice"]),
    ("assistant.yaml", "  saved:\n", "  saaved:\n", ["unknown key", "saaved"]),
    ("assistant.yaml", "{answer}", "{antwoord}", ["unknown placeholder {antwoord}"]),
    ("assistant.yaml", "{answer}", "{answer", ["broken placeholder"]),
    ("assistant.yaml", "  paused: Ik wacht.", "  pauzed: Ik wacht.", ["unknown key"]),
    ("commands.yaml", "  klaar: [", "  klaar: [pauze, ", ["'pauze' already means command 'pauze'"]),
    ("commands.yaml", "  help: [", "  hulpje: [", ["unknown key", "hulpje"]),
    ("commands.yaml", "  ja: [ja,", "  ja: [' ! ',", ["needs at least one word"]),
    ("texts.yaml", "    title: Compassie\n", "", ["texts[3]", "missing key 'title'"]),
    ("assistant.yaml", "    other: Je hebt", "    andere: Je hebt", ["goodbye_saved", "andere"]),
    ("assistant.yaml", "    one: Je hebt één", "    one: [Je hebt één", ["not valid YAML"]),
    (
        "assistant.yaml",
        "  paused: Ik wacht. Zeg verder als je door wilt gaan.",
        "  paused: {one: Ik wacht., other: Wij wachten.}",
        ["paused", "expected text"],
    ),
]


@pytest.mark.parametrize(("relative", "old", "new", "expected"), BROKEN)
def test_a_broken_file_is_named_with_its_line(tmp_path, relative, old, new, expected):
    folder = _broken(tmp_path, relative, old, new)
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    message = caught.value.message
    assert caught.value.path.endswith(Path(relative).name), message
    assert caught.value.line is not None, message
    for words in expected:
        assert words in message, message


def test_a_missing_key_names_the_line_of_its_mapping(tmp_path):
    folder = _broken(tmp_path, "assistant.yaml", "  welcome:", "  # welcome:")
    with pytest.raises(ContentError, match="missing key 'welcome'") as caught:
        load_content(folder)
    assert caught.value.path.endswith("assistant.yaml") and caught.value.line is not None


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda f: (f / "commands.yaml").unlink(), "file not found"),
        (lambda f: (f / "texts.yaml").write_bytes(b"texts:\n  - id: \xff\xfe\n"), "not UTF-8"),
        (lambda f: (f / "texts.yaml").write_text(""), "the file is empty"),
        (lambda f: [p.unlink() for p in (f / "practices").glob("*.yaml")], "no practice files"),
    ],
)
def test_missing_empty_or_undecodable_files(tmp_path, damage, expected):
    folder = copy_content(tmp_path)
    damage(folder)
    with pytest.raises(ContentError, match=expected):
        load_content(folder)


def test_the_folder_above_the_language_folder_is_accepted(tmp_path):
    root = tmp_path / "content"
    copy_content(tmp_path)  # tmp_path/content
    (root / "nl").mkdir()
    for item in list(root.iterdir()):
        if item.name != "nl":
            item.rename(root / "nl" / item.name)
    assert load_content(root).source_dir == str(root / "nl")
    copy_content(tmp_path / "other")
    (tmp_path / "other" / "content").rename(root / "en")
    assert load_content(root, "en").source_dir == str(root / "en")
    with pytest.raises(ContentError, match=r"holds no 'fr' content but en, nl: give --content"):
        load_content(root, "fr")


def test_a_folder_without_content_says_which_folder_to_give(tmp_path):
    with pytest.raises(ContentError, match=r"give the folder that holds assistant\.yaml") as caught:
        load_content(tmp_path)
    assert "\n" not in caught.value.message


def test_the_cli_takes_the_shipped_content_root(tmp_path):
    done = run_cli(
        "vragen", "--text", "--pace", "0", "--content", "content", "--journal", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    assert "Vraag 1 van 10." in done.stdout


def test_a_missing_folder_says_how_to_choose_another(tmp_path):
    with pytest.raises(ContentError, match="--content DIR"):
        load_content(tmp_path / "nowhere")


def test_the_cli_refuses_broken_content_with_exit_status_2_and_no_traceback(tmp_path):
    folder = _broken(tmp_path, PRACTICE, "    pause: 6\n", "    pause: lang\n")
    done = run_cli(
        "oefening",
        "--text",
        "--pace",
        "0",
        "--content",
        str(folder),
        "--journal",
        str(tmp_path / "j"),
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "10-oefening-hartsverbinding.yaml" in lines[0] and "line 12" in lines[0], lines[0]
    assert done.stdout == ""


def test_a_user_adds_a_practice_by_adding_a_yaml_file(tmp_path):
    folder = copy_content(tmp_path)
    (folder / "practices" / "30-dankbaarheid.yaml").write_text(
        "id: dankbaarheid\nkind: questions\ntitle: drie vragen over dankbaarheid\n"
        "phrasings: [dankbaarheid]\nintro: Drie korte vragen.\n"
        "questions:\n  - Waar ben je dankbaar voor?\n  - Wie wil je bedanken?\n"
        "  - Wat gun je jezelf vandaag?\noutro: Dank je wel.\n",
        encoding="utf-8",
    )
    content = load_content(folder)
    assert [p.id for p in content.practices] == ["oefening", "vragen", "dankbaarheid"]
    done = run_cli(
        "dankbaarheid",
        "--text",
        "--pace",
        "0",
        "--content",
        str(folder),
        "--journal",
        str(tmp_path / "j"),
        stdin="de zon\nja\nmijn zus\nja\nrust\nja\n",
    )
    assert done.returncode == 0, done.stderr
    assert "Vraag 3 van 3. Wat gun je jezelf vandaag?" in done.stdout
    journal = next((tmp_path / "j").glob("*.md")).read_text(encoding="utf-8")
    assert "mijn zus" in journal and "dankbaarheid" in journal


def test_a_content_folder_without_a_line_is_refused_naming_it(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "assistant.yaml"
    whole = path.read_text(encoding="utf-8")
    for line in Line:
        # The line's key and its wording (variants and folded text are indented further).
        without, found = re.subn(rf"(?m)^  {line.value}:.*\n(?:    .*\n)*", "", whole)
        assert found == 1, line
        path.write_text(without, encoding="utf-8")
        with pytest.raises(ContentError, match=f"missing key '{line.value}'") as caught:
            load_content(folder)
        assert caught.value.path.endswith("assistant.yaml") and caught.value.line is not None
