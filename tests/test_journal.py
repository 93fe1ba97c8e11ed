"""The journal: Markdown that reads back, private modes, durable writes, resume points."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant import durable
from assistant.audio import AudioChunk, read_wav, silence
from assistant.journal import folder as journal_folder
from assistant.journal.markdown import Entry, Labels, PackSource, SessionRecord, parse, render
from assistant.journal.store import Journal, JournalWriteError

pytestmark = pytest.mark.files

LABELS = Labels(
    title="Hartsverbinding, {date} om {time}",
    unconfirmed="(x)",
    recording="opname",
    page_title="Dagboek",
)
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def answer(number: int, text: str = "", confirmed: bool = True) -> Entry:
    return Entry("vragen", number, f"Vraag {number}?", text or f"antwoord {number}", confirmed)


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(st.text(min_size=1, max_size=80).filter(lambda t: t.strip()), max_size=6),
    confirmed=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_any_answer_text_reads_back_as_it_was_written(texts, confirmed):
    record = SessionRecord(id="s", started=NOW, practices=["vragen"])
    for number, text in enumerate(texts, start=1):
        record.put(Entry("vragen", number, "Mag het er zijn?", text, confirmed[number - 1]))
    back = parse(render(record, LABELS), "s")
    assert [(a.number, a.text, a.confirmed) for a in back.answers] == [
        (a.number, " ".join(a.text.split()), a.confirmed) for a in record.answers
    ]


def test_the_markdown_is_readable_and_has_front_matter():
    record = SessionRecord(id="s", started=NOW, practices=["vragen"], duration_seconds=61.4)
    record.put(answer(2, "# geen kop, gewoon tekst"))
    record.put(answer(1))
    record.answers[1].recording = "s-vragen-02.wav"
    text = render(record, LABELS)
    assert text.startswith("---\ndate: '2026-11-25'\ntime: 09:30\n")
    assert "duration_seconds: 61\nfinished: false\n" in text
    assert "# Hartsverbinding, 25-11-2026 om 09:30" in text
    assert text.index("## 1. Vraag 1?") < text.index("## 2. Vraag 2?")
    assert "\\# geen kop, gewoon tekst" in text
    assert "[opname](s-vragen-02.wav)" in text
    back = parse(text, "s")
    assert back.answers[1].recording == "s-vragen-02.wav"
    assert back.answers[1].text == "# geen kop, gewoon tekst"


def test_folder_0700_and_files_0600_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        journal = Journal(tmp_path / "journal", LABELS)
        journal.start("vragen", NOW)
        journal.save_answer(answer(1), silence(0.5, 16000))
    finally:
        os.umask(old)
    assert mode(tmp_path / "journal") == 0o700
    files = sorted((tmp_path / "journal").iterdir())
    # the session's lock file (hidden) is there while the session runs
    assert sorted(f.suffix for f in files) == [".lock", ".md", ".wav"]
    assert all(mode(f) == 0o600 for f in files)


def test_an_answer_and_its_audio_are_on_disk_when_save_returns(tmp_path):
    journal = Journal(tmp_path, LABELS)
    journal.start("vragen", NOW)
    audio = AudioChunk(bytes(range(256)) * 40, 16000)
    journal.save_answer(answer(1, "hier ben ik"), audio)
    assert journal.path is not None
    on_disk = parse(journal.path.read_text(encoding="utf-8"), journal.path.stem)
    assert on_disk.answers[0].text == "hier ben ik"
    assert read_wav(tmp_path / on_disk.answers[0].recording).samples == audio.samples


def test_audio_is_not_kept_when_the_setting_says_so(tmp_path):
    journal = Journal(tmp_path, LABELS, keep_audio=False)
    journal.start("vragen", NOW)
    journal.save_answer(answer(1), silence(0.5, 16000))
    assert list(tmp_path.glob("*.wav")) == []


def test_a_durable_write_fsyncs_the_file_then_renames_then_fsyncs_the_folder(tmp_path, monkeypatch):
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync-folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        calls.append("rename")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    durable.write_durably(tmp_path / "a.md", b"tekst")
    assert calls == ["fsync-file", "rename", "fsync-folder"]
    assert (tmp_path / "a.md").read_bytes() == b"tekst"
    assert mode(tmp_path / "a.md") == 0o600


def test_a_failed_write_leaves_the_old_file_whole_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "a.md"
    durable.write_durably(target, b"oud")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        durable.write_durably(target, b"nieuw")
    assert target.read_bytes() == b"oud"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_stale_temp_files_from_a_killed_writer_are_removed_on_start(tmp_path):
    (tmp_path / ".2026-11-25_093000.md.tmp-4242").write_bytes(b"half")
    (tmp_path / "2026-11-25_093000.md").write_text("x")
    Journal(tmp_path, LABELS)
    assert [p.name for p in tmp_path.iterdir()] == ["2026-11-25_093000.md"]


def test_a_vanished_journal_folder_keeps_the_answer_and_writes_it_later(tmp_path):
    """The folder replaced by a plain file (an unmounted or removed drive): writes fail for
    real, whoever runs the test; the answers wait in memory and land once it is back."""
    folder = tmp_path / "journal"
    journal = Journal(folder, LABELS)
    journal.start("vragen", NOW)
    journal.save_answer(answer(1), None)
    folder.rename(tmp_path / "away")
    folder.write_text("not a folder")
    with pytest.raises(JournalWriteError):
        journal.save_answer(answer(2, "wacht in het geheugen"), None)
    assert not journal.retry()
    folder.unlink()
    (tmp_path / "away").rename(folder)
    assert journal.retry()
    assert journal.path is not None
    back = parse(journal.path.read_text(encoding="utf-8"), "x")
    assert [a.text for a in back.answers] == ["antwoord 1", "wacht in het geheugen"]


def test_a_write_failure_keeps_the_answer_in_memory_and_retry_writes_it(tmp_path, monkeypatch):
    """The disk-full case, caused with a failing fsync (a fault this machine cannot cause)."""
    journal = Journal(tmp_path, LABELS)
    journal.start("vragen", NOW)
    real_fsync = os.fsync

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(JournalWriteError, match="No space left"):
        journal.save_answer(answer(1, "niet verloren"), None)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert journal.retry()
    assert journal.path is not None
    assert "niet verloren" in journal.path.read_text(encoding="utf-8")


def test_a_failed_recording_write_keeps_answer_and_audio_for_the_next_write(tmp_path, monkeypatch):
    """Any exception while writing (here a bug-like RuntimeError on the recording) leaves the
    answer and its audio in memory; the next write puts both on disk."""
    journal = Journal(tmp_path, LABELS)
    journal.start("vragen", NOW)
    real_write = journal_folder.write_durably
    failures = [RuntimeError("unexpected")]

    def flaky(path: Path, data: bytes) -> None:
        if failures and path.suffix == ".wav":
            raise failures.pop()
        real_write(path, data)

    monkeypatch.setattr(journal_folder, "write_durably", flaky)
    with pytest.raises(JournalWriteError, match="unexpected"):
        journal.save_answer(answer(1, "met opname"), silence(0.5, 16000))
    assert journal.record is not None and journal.record.answers[0].text == "met opname"
    journal.save_answer(answer(2, "volgende"), None)  # the next write catches up
    assert journal.path is not None
    back = parse(journal.path.read_text(encoding="utf-8"), "x")
    assert [a.text for a in back.answers] == ["met opname", "volgende"]
    assert back.answers[0].recording and (tmp_path / back.answers[0].recording).stat().st_size > 0


def test_undecodable_text_is_stored_with_replacement_characters(tmp_path):
    journal = Journal(tmp_path, LABELS)
    journal.start("vragen", NOW)
    journal.save_answer(answer(1, "kapot \udcff\udcfe woord"), None)
    assert journal.path is not None
    assert "kapot \ufffd\ufffd woord" in journal.path.read_text(encoding="utf-8")


def test_resume_point_is_the_first_unconfirmed_question_of_the_newest_open_session(
    tmp_path, content
):
    journal = Journal(tmp_path, LABELS)
    journal.start("vragen", NOW)
    for number in (1, 2, 4):
        journal.save_answer(answer(number), None)
    journal.save_answer(answer(3, confirmed=False), None)
    journal.finish(False, 120)
    point = Journal(tmp_path, LABELS).resume_point(content)
    assert point is not None and point.practice_id == "vragen" and point.next_question == 2


def test_finished_declined_or_empty_sessions_are_not_offered(tmp_path, content):
    journal = Journal(tmp_path, LABELS)
    journal.start("vragen", NOW)
    journal.finish(False, 5)  # nothing confirmed: nothing to resume
    assert journal.resume_point(content) is None
    other = Journal(tmp_path, LABELS)
    other.start("vragen", NOW)
    other.save_answer(answer(1), None)
    other.finish(False, 5)
    point = other.resume_point(content)
    assert point is not None
    other.close_resume(point.journal_id)
    assert Journal(tmp_path, LABELS).resume_point(content) is None


def test_continuing_a_session_keeps_its_earlier_answers(tmp_path):
    first = Journal(tmp_path, LABELS)
    first.start("vragen", NOW)
    first.save_answer(answer(1, "eerste keer"), None)
    first.finish(False, 30)
    assert first.record is not None
    again = Journal(tmp_path, LABELS)
    again.continue_session(first.record.id, NOW)
    again.save_answer(answer(2, "tweede keer"), None)
    again.finish(True, 90)
    files = list(tmp_path.glob("*.md"))
    assert len(files) == 1
    back = parse(files[0].read_text(encoding="utf-8"), files[0].stem)
    assert [a.text for a in back.answers] == ["eerste keer", "tweede keer"]
    assert back.finished and back.duration_seconds == 90


def test_an_unreadable_journal_file_is_skipped_not_fatal(tmp_path, content):
    (tmp_path / "2020-01-01_000000.md").write_text("geen front matter")
    assert Journal(tmp_path, LABELS).sessions() == []


def test_a_session_names_the_pack_its_questions_came_from_and_keeps_the_words_asked(tmp_path):
    journal = Journal(tmp_path / "j", LABELS, pack=PackSource("jacqueline", "1.0"))
    journal.start("vragen", datetime(2026, 11, 3, 14, 5, tzinfo=timezone.utc))
    journal.save_answer(Entry("vragen", 4, "Mag het er zijn?", "Ja, het mag.", True), None)
    assert journal.path is not None
    text = journal.path.read_text("utf-8")
    assert "pack:\n  name: jacqueline\n  version: '1.0'\n" in text
    assert "## 4. Mag het er zijn?\n\nJa, het mag.\n" in text
    record = parse(text, "x")
    assert record.pack == PackSource("jacqueline", "1.0")
    assert record.answers[0].question == "Mag het er zijn?"
    plain = Journal(tmp_path / "k", LABELS)
    plain.start("vragen", datetime(2026, 11, 3, 14, 5, tzinfo=timezone.utc))
    assert plain.path is not None and "pack:" not in plain.path.read_text("utf-8")
    assert parse(plain.path.read_text("utf-8"), "y").pack is None
