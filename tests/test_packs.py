"""The coach's pack: her key, a pack built from content/nl with two recordings in a real voice,
signed, installed into a fresh folder, loaded and played from there; trust on first install
and for every later version; an update that rewords question 4, and what it reports."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest

from assistant.audio import AudioChunk, read_wav
from assistant.content import load_content
from assistant.errors import ContentError, UserError
from assistant.packs import (
    Damaged,
    Refused,
    Signer,
    TrustStore,
    build_pack,
    install_pack,
    list_packs,
    make_key,
    manifest_of,
    pack_folder,
    read_public,
    trust_fingerprint,
    trust_key_file,
    verify_installed,
)
from assistant.packs.keys import plain_fingerprint
from assistant.voice.cache import finish_line
from assistant.voice.recorded import current_recordings
from tests.helpers import coach_content, record_lines, run_cli

KEYS = ["vragen.questions.4", "oefening.intro"]
QUESTION_4 = "Vraag 4 van 10. Mag het er zijn?"
REWORDED_4 = "Vraag 4 van 10. Mag het er zijn, zoals het is?"


class Asker:
    """The `ask` callback: says `answer`, and remembers whom it was asked about."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[Signer] = []

    def __call__(self, signer: Signer) -> bool:
        self.asked.append(signer)
        return self.answer


@pytest.fixture
def coach(tmp_path: Path) -> tuple[Path, Path]:
    """A coach's content folder with two lines recorded, and her key."""
    folder = coach_content(tmp_path / "coach")
    record_lines(folder, KEYS)
    key = tmp_path / "keys" / "coach.key"
    key.parent.mkdir()
    make_key(key)
    return folder, key


def _reword_question_4(folder: Path, version: str) -> None:
    practice = folder / "practices" / "20-vragen-zelfcompassie.yaml"
    text = practice.read_text(encoding="utf-8")
    assert "  - Mag het er zijn?\n" in text
    practice.write_text(
        text.replace("  - Mag het er zijn?\n", "  - Mag het er zijn, zoals het is?\n"), "utf-8"
    )
    meta = folder / "pack.yaml"
    meta.write_text(meta.read_text("utf-8").replace("version: 1.0", f"version: {version}"), "utf-8")


# --- the key ----------------------------------------------------------------------------------


def test_the_key_is_private_its_public_half_readable_and_never_overwritten(tmp_path):
    key = tmp_path / "coach.key"
    public = make_key(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert read_public(tmp_path / "coach.key.pub") == public
    assert plain_fingerprint(public.fingerprint.replace(" ", "-").upper()) == public.fingerprint
    assert len(public.fingerprint.split()) == 5
    before = key.read_bytes()
    with pytest.raises(UserError, match="never overwritten"):
        make_key(key)
    assert key.read_bytes() == before
    assert make_key(tmp_path / "other.key") != public


def test_a_key_inside_the_content_folder_is_refused(coach, tmp_path):
    folder, _key = coach
    inside = folder / "coach.key"
    make_key(inside)
    with pytest.raises(UserError, match="inside the content folder"):
        build_pack(folder, inside, tmp_path / "pack.zip")
    assert not (tmp_path / "pack.zip").exists()


# --- building -------------------------------------------------------------------------------------


def test_a_pack_from_content_nl_installs_loads_and_plays_its_two_recordings(coach, tmp_path):
    folder, key = coach
    report = build_pack(folder, key, tmp_path / "jacqueline-1.0.zip")
    assert sorted(report.recorded) == sorted(KEYS)
    assert report.stale == () and report.problems == ()
    assert "vragen.questions.5" in report.missing and "oefening.intro" not in report.missing
    assert "2 of" in report.describe()[1]
    with zipfile.ZipFile(report.path) as archive:
        names = archive.namelist()
    assert "pack.yaml" not in names and not any(name.endswith(".key") for name in names)
    assert f"recordings/{KEYS[0]}.wav" in names

    packs, asker = tmp_path / "home" / "packs", Asker()
    trust = TrustStore(tmp_path / "home" / "trust.yaml")
    installed = install_pack(report.path, packs, trust, asker)
    assert [s.coach for s in asker.asked] == ["Jacqueline Verhaegh"]
    assert asker.asked[0].key == read_public(key.with_name("coach.key.pub"))
    assert installed.previous is None and installed.changes is None
    fingerprint = asker.asked[0].key.fingerprint
    assert asker.asked[0].describe() == (
        "jacqueline 1.0 is signed by Jacqueline Verhaegh (https://jacquelineverhaegh.nl) with "
        f"the key {fingerprint}, which this device does not know yet."
    )
    assert installed.describe() == [
        f"jacqueline 1.0 installed, signed by Jacqueline Verhaegh (key {fingerprint})."
    ]

    content = load_content(pack_folder(packs, "jacqueline"))
    assert content.practices[1].questions[3] == "Mag het er zijn?"
    played, problems = current_recordings(content)
    assert problems == []
    assert (
        played[QUESTION_4].read_bytes() == (folder / "recordings" / f"{KEYS[0]}.wav").read_bytes()
    )
    assert set(played) == {QUESTION_4, content.practices[0].intro}
    assert load_content(packs / "jacqueline" / "current").practices == content.practices

    [listed] = list_packs(packs)
    made = listed.manifest
    assert (made.name, made.version, made.language) == ("jacqueline", "1.0", "nl")
    assert made.coach == "Jacqueline Verhaegh" and listed.problems == ()
    assert made.signer.fingerprint == fingerprint
    assert listed.describe() == [
        "jacqueline 1.0 (nl) by Jacqueline Verhaegh, https://jacquelineverhaegh.nl, "
        f"key {fingerprint}"
    ]
    assert verify_installed(packs, "jacqueline").version == "1.0"
    from_pack = manifest_of(Path(content.source_dir))
    assert from_pack is not None and (from_pack.name, from_pack.version) == ("jacqueline", "1.0")
    assert manifest_of(folder) is None  # the coach's own folder is no installed pack
    assert stat.S_IMODE(trust.path.stat().st_mode) == 0o600


def test_an_installed_pack_speaks_with_its_recording_in_a_rendered_session(coach, tmp_path):
    folder, key = coach
    pack = build_pack(folder, key, tmp_path / "pack.zip").path
    packs = tmp_path / "packs"
    install_pack(pack, packs, TrustStore(tmp_path / "trust.yaml"), Asker())
    out = tmp_path / "render"
    done = run_cli(
        "oefening",
        "--content",
        str(packs / "jacqueline" / "current"),
        "--pace",
        "0",
        "--speaker",
        str(out.with_suffix(".wav")),
        "--timeline",
        str(out.with_suffix(".json")),
        "--journal",
        str(tmp_path / "journal"),
        env={"XDG_CACHE_HOME": str(tmp_path / "cache")},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    audio = read_wav(out.with_suffix(".wav"))
    timeline = json.loads(out.with_suffix(".json").read_text())
    intro = load_content(folder).practices[0].intro
    [said] = [s for s in timeline if s["kind"] == "speech" and s["text"] == intro]
    first, last = round(said["start"] * audio.rate), round(said["end"] * audio.rate)
    played = AudioChunk(audio.samples[first * 2 : last * 2], audio.rate)
    installed = pack_folder(packs, "jacqueline") / "recordings" / "oefening.intro.wav"
    assert played == finish_line(read_wav(installed))  # the coach's voice, from the pack


def test_the_same_content_and_key_make_the_same_file(coach, tmp_path):
    folder, key = coach
    first = build_pack(folder, key, tmp_path / "a.zip").path.read_bytes()
    assert build_pack(folder, key, tmp_path / "b.zip").path.read_bytes() == first


def test_a_broken_content_file_is_named_with_its_line_and_nothing_is_built(coach, tmp_path):
    folder, key = coach
    practice = folder / "practices" / "20-vragen-zelfcompassie.yaml"
    practice.write_text(practice.read_text("utf-8").replace("kind: questions", "kind: vragen"))
    with pytest.raises(ContentError) as error:
        build_pack(folder, key, tmp_path / "pack.zip")
    assert error.value.path == str(practice) and error.value.line == 3
    meta = folder / "pack.yaml"
    practice.write_text(practice.read_text("utf-8").replace("kind: vragen", "kind: questions"))
    meta.write_text(meta.read_text("utf-8").replace("version: 1.0", "version: eerste"))
    with pytest.raises(ContentError, match="not a version") as error:
        build_pack(folder, key, tmp_path / "pack.zip")
    assert (error.value.path, error.value.line) == (str(meta), 2)
    meta.unlink()
    with pytest.raises(ContentError, match=r"a pack needs it beside assistant\.yaml"):
        build_pack(folder, key, tmp_path / "pack.zip")
    assert not (tmp_path / "pack.zip").exists()


def test_a_stale_recording_is_reported_when_built_and_when_listed(coach, tmp_path):
    folder, key = coach
    _reword_question_4(folder, "1.0")
    report = build_pack(folder, key, tmp_path / "pack.zip")
    assert [s.key for s in report.stale] == ["vragen.questions.4"]
    assert report.recorded == ("oefening.intro",)
    assert "vragen.questions.4 is stale" in " ".join(report.problems)
    packs = tmp_path / "packs"
    install_pack(report.path, packs, TrustStore(tmp_path / "trust.yaml"), Asker())
    [listed] = list_packs(packs)
    assert "vragen.questions.4 is stale" in " ".join(listed.problems)


# --- trust ----------------------------------------------------------------------------------------


def test_a_signer_nobody_trusted_is_refused_and_nothing_is_written(coach, tmp_path):
    folder, key = coach
    pack = build_pack(folder, key, tmp_path / "pack.zip").path
    packs, trust = tmp_path / "packs", TrustStore(tmp_path / "trust.yaml")
    with pytest.raises(Refused, match="you did not trust its signer's key") as error:
        install_pack(pack, packs, trust, Asker(answer=False))
    assert "\n" not in error.value.message and error.value.message.startswith("pack.zip ")
    assert not packs.exists() and not trust.path.exists()


def test_a_fingerprint_or_key_file_from_the_coach_decides_without_asking(coach, tmp_path):
    folder, key = coach
    pack = build_pack(folder, key, tmp_path / "pack.zip").path
    public = read_public(key.with_name("coach.key.pub"))
    other = make_key(tmp_path / "other.key")
    with pytest.raises(Refused, match=f"not with the key {other.fingerprint} you gave"):
        install_pack(
            pack,
            tmp_path / "a",
            TrustStore(tmp_path / "a.yaml"),
            trust_key_file(tmp_path / "other.key.pub"),
        )
    assert not (tmp_path / "a").exists()
    spoken = public.fingerprint.upper().replace(" ", "-")  # as someone might type it
    install_pack(pack, tmp_path / "b", TrustStore(tmp_path / "b.yaml"), trust_fingerprint(spoken))
    install_pack(
        pack,
        tmp_path / "c",
        TrustStore(tmp_path / "c.yaml"),
        trust_key_file(key.with_name("coach.key.pub")),
    )
    assert load_content(pack_folder(tmp_path / "c", "jacqueline")).language == "nl"
    with pytest.raises(UserError, match="is not a key's fingerprint"):
        trust_fingerprint("3f2a 9c1b")


def test_two_packs_side_by_side_and_a_trusted_key_is_not_asked_about_again(coach, tmp_path):
    folder, key = coach
    first = build_pack(folder, key, tmp_path / "one.zip").path
    second_folder = coach_content(tmp_path / "second", name="jacqueline-kort")
    second = build_pack(second_folder, key, tmp_path / "two.zip").path
    packs, trust, asker = tmp_path / "packs", TrustStore(tmp_path / "trust.yaml"), Asker()
    install_pack(first, packs, trust, asker)
    install_pack(second, packs, trust, asker)
    assert len(asker.asked) == 1
    assert [p.manifest.name for p in list_packs(packs)] == ["jacqueline", "jacqueline-kort"]
    [trusted] = trust.keys().values()
    assert trusted.packs == ["jacqueline", "jacqueline-kort"]
    with pytest.raises(UserError, match="No pack named 'ander' is installed"):
        pack_folder(packs, "ander")


# --- updates --------------------------------------------------------------------------------------


def test_an_update_that_rewords_question_4_says_so_and_replaces_the_version(coach, tmp_path):
    folder, key = coach
    old = build_pack(folder, key, tmp_path / "1.0.zip").path
    packs, trust, asker = tmp_path / "packs", TrustStore(tmp_path / "trust.yaml"), Asker()
    install_pack(old, packs, trust, asker)
    _reword_question_4(folder, "1.1")
    record_lines(folder, ["vragen.questions.4"])  # recorded again with the new words
    new = build_pack(folder, key, tmp_path / "1.1.zip")
    assert new.stale == ()

    installed = install_pack(new.path, packs, trust, asker)
    assert len(asker.asked) == 1  # the same key: not asked again
    assert installed.previous == "1.0"
    changes = installed.changes
    assert changes is not None
    assert [(r.key, r.old, r.new) for r in changes.reworded] == [
        ("vragen.questions.4", QUESTION_4, REWORDED_4)
    ]
    assert changes.added == () and changes.removed == ()
    assert changes.recordings_changed == ("vragen.questions.4",)
    assert changes.recordings_new == () and changes.recordings_removed == ()
    assert installed.describe() == [
        "jacqueline updated from 1.0 to 1.1, signed by Jacqueline Verhaegh.",
        f'reworded vragen.questions.4: "{QUESTION_4}" is now "{REWORDED_4}"',
        "recording made again: vragen.questions.4",
    ]
    [version, link] = sorted(p.name for p in (packs / "jacqueline").iterdir())
    assert version.startswith("1.1-") and link == "current"
    content = load_content(pack_folder(packs, "jacqueline"))
    assert content.practices[1].questions[3] == "Mag het er zijn, zoals het is?"
    played, problems = current_recordings(content)
    assert REWORDED_4 in played and problems == []

    again = install_pack(new.path, packs, trust, asker)
    assert again.unchanged and again.changes is not None and not again.changes.reworded
    with pytest.raises(Refused, match=r"older than the installed 1\.1"):
        install_pack(old, packs, trust, asker)


def test_a_changed_pack_with_an_unchanged_version_is_refused(coach, tmp_path):
    folder, key = coach
    packs, trust = tmp_path / "packs", TrustStore(tmp_path / "trust.yaml")
    install_pack(build_pack(folder, key, tmp_path / "a.zip").path, packs, trust, Asker())
    _reword_question_4(folder, "1.0")
    changed = build_pack(folder, key, tmp_path / "b.zip").path
    with pytest.raises(Refused, match=r"version 1\.0 like the one installed, but not the same"):
        install_pack(changed, packs, trust, Asker())


def test_a_pack_for_a_newer_program_is_refused(coach, tmp_path):
    folder, key = coach
    meta = folder / "pack.yaml"
    meta.write_text(meta.read_text("utf-8") + "requires: 999.0\n", "utf-8")
    pack = build_pack(folder, key, tmp_path / "pack.zip").path
    with pytest.raises(Refused, match=r"needs Hartsverbinding 999\.0 or newer"):
        install_pack(pack, tmp_path / "packs", TrustStore(tmp_path / "trust.yaml"), Asker())
    assert not (tmp_path / "packs").exists()


def test_a_changed_file_of_an_installed_pack_is_found_and_named(coach, tmp_path):
    folder, key = coach
    packs = tmp_path / "packs"
    pack = build_pack(folder, key, tmp_path / "pack.zip").path
    install_pack(pack, packs, TrustStore(tmp_path / "trust.yaml"), Asker())
    texts = pack_folder(packs, "jacqueline") / "texts.yaml"
    texts.write_text(texts.read_text("utf-8").replace("Compassie", "Medelijden"), "utf-8")
    with pytest.raises(Damaged, match=r"'texts\.yaml' differs from what was signed") as error:
        verify_installed(packs, "jacqueline")
    assert error.value.message.endswith("Install its pack again.")
    repaired = install_pack(pack, packs, TrustStore(tmp_path / "trust.yaml"), Asker())
    assert not repaired.unchanged
    assert repaired.describe()[0] == "jacqueline 1.0 repaired: its files are as signed again."
    assert verify_installed(packs, "jacqueline").version == "1.0"
    assert "Compassie" in (pack_folder(packs, "jacqueline") / "texts.yaml").read_text("utf-8")
    assert len(list((packs / "jacqueline").iterdir())) == 2  # the damaged copy is gone


def test_a_broken_trust_store_is_named_and_never_overwritten(coach, tmp_path):
    folder, key = coach
    trust = TrustStore(tmp_path / "trust.yaml")
    trust.path.write_text("- this is: [not a list of keys\n", "utf-8")
    pack = build_pack(folder, key, tmp_path / "pack.zip").path
    with pytest.raises(UserError, match=r"trust\.yaml cannot be read") as error:
        install_pack(pack, tmp_path / "packs", trust, Asker(), label="https://coach.example/p")
    assert "\n" not in error.value.message
    assert trust.path.read_text("utf-8") == "- this is: [not a list of keys\n"
    assert not (tmp_path / "packs").exists()


def test_a_downloaded_pack_is_named_by_its_address(coach, tmp_path):
    folder, key = coach
    pack = build_pack(folder, key, tmp_path / "pack.zip").path
    with pytest.raises(Refused) as error:
        install_pack(
            pack, tmp_path / "packs", TrustStore(tmp_path / "t.yaml"), Asker(False), "https://x/p"
        )
    assert error.value.message.startswith("https://x/p was not installed: you did not trust")
