"""The render cache: a line is synthesised once, then read back; the cache never costs a line.
It stays under its size cap, least recently used out first, also with two users at once; it
keeps lines at one loudness, faded, for every volume (the volume is applied as a line is played:
tests/test_loudness.py); it removes what an older version left; and a private line never
reaches it."""

from __future__ import annotations

import os
import random
import stat
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, rms
from assistant.dialog.messages import Style
from assistant.loudness import SPEECH_LUFS, integrated_loudness
from assistant.voice import CachedVoice, Pyttsx3Voice, VoiceError, VoiceSettings, make_voice
from assistant.voice import cache as cache_module
from assistant.voice.cache import FORMAT

pytestmark = [pytest.mark.files, pytest.mark.voice]

LINES = [
    ("Adem diep en rustig in, en weer uit.", Style.GUIDE),
    ("Nog een keer.", Style.GUIDE),
    ("Wil je de oefening doen, of de vragen?", Style.PROMPT),
]


@pytest.fixture(autouse=True)
def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new process would: no cache folder known yet."""
    monkeypatch.setattr(cache_module, "_FOLDERS", {})


def _restart() -> None:
    """What the next process knows of the cache folders: nothing but the files."""
    cache_module._FOLDERS.clear()


class CountingVoice:
    """A stand-in engine: a tone whose length depends on the text, and a count of renders."""

    def __init__(self, rate: int = 150, fail_on: str = "") -> None:
        self.rate, self.fail_on, self.calls = rate, fail_on, 0
        self._lock = threading.Lock()

    def identity(self, style: Style) -> str:
        return f"counting|{style.value}|{self.rate}"

    def render(self, text: str, style: Style) -> AudioChunk:
        if text == self.fail_on:
            raise VoiceError("engine failure")
        with self._lock:
            self.calls += 1
        # A square wave at 1 kHz that starts and stops at full level: a click unless faded.
        return AudioChunk((b"\x00\x20" * 8 + b"\x00\xe0" * 8) * (25 * len(text)), 16000)


def test_the_real_voice_is_not_asked_again_the_second_time(tmp_path: Path) -> None:
    first = make_voice(VoiceSettings(), tmp_path / "voice")
    try:
        assert first.prepare(LINES) == len(LINES)
        spoken = [first.render(text, style) for text, style in LINES]
        assert (first.hits, first.misses) == (len(LINES), 0)
    finally:
        first.close()
    # A new session: a new engine, the same folder.
    inner = Pyttsx3Voice()
    second = CachedVoice(inner, tmp_path / "voice")
    try:
        started = time.perf_counter()
        again = [second.render(text, style) for text, style in LINES]
        assert (second.hits, second.misses) == (len(LINES), 0)
        assert inner.renders == 0  # no line went to a worker
        assert second.prepare(LINES) == 0
        assert inner.renders == 0
        assert time.perf_counter() - started < 2.0
    finally:
        second.close()
    assert again == spoken
    assert all(rms(audio) > 1000 for audio in again)


def test_misses_then_hits(tmp_path: Path) -> None:
    inner = CountingVoice()
    voice = CachedVoice(inner, tmp_path / "cache")
    audio = voice.render("hallo", Style.PROMPT)
    assert (voice.hits, voice.misses, inner.calls) == (0, 1, 1)
    assert voice.render("hallo", Style.PROMPT) == audio
    assert (voice.hits, voice.misses, inner.calls) == (1, 1, 1)


def test_the_key_holds_everything_that_changes_the_audio(tmp_path: Path) -> None:
    voice = CachedVoice(CountingVoice(rate=150), tmp_path)
    slower = CachedVoice(CountingVoice(rate=120), tmp_path)
    keys = {
        voice.path_for("hallo", Style.PROMPT),
        voice.path_for("hallo", Style.GUIDE),
        voice.path_for("hallo ", Style.PROMPT),
        slower.path_for("hallo", Style.PROMPT),
    }
    assert len(keys) == 4


def test_prepare_renders_each_missing_line_once(tmp_path: Path) -> None:
    inner = CountingVoice()
    voice = CachedVoice(inner, tmp_path)
    voice.render("een", Style.PROMPT)
    lines = [
        ("een", Style.PROMPT),
        ("twee", Style.GUIDE),
        ("twee", Style.GUIDE),
        ("drie", Style.GUIDE),
    ]
    assert voice.prepare(lines) == 2
    assert inner.calls == 3
    assert voice.prepare(lines) == 0


def test_prepare_stops_at_a_failure_and_keeps_what_it_rendered(tmp_path: Path) -> None:
    inner = CountingVoice(fail_on="twee")
    voice = CachedVoice(inner, tmp_path)
    with pytest.raises(VoiceError):
        voice.prepare([("een", Style.PROMPT), ("twee", Style.PROMPT), ("drie", Style.PROMPT)])
    assert voice.path_for("een", Style.PROMPT).exists()
    assert not voice.path_for("twee", Style.PROMPT).exists()


def test_the_folder_is_private_and_no_temporary_files_remain(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "hartsverbinding" / "voice"
    voice = CachedVoice(CountingVoice(), folder)
    voice.prepare([("een", Style.PROMPT), ("twee", Style.PROMPT)])
    assert voice.entries == folder / f"v{FORMAT}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(voice.entries.stat().st_mode) == 0o700
    assert [path.name for path in folder.iterdir()] == [f"v{FORMAT}"]
    assert sorted(path.suffix for path in voice.entries.iterdir()) == [".wav", ".wav"]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in voice.entries.iterdir())


def test_a_damaged_entry_is_rendered_again(tmp_path: Path) -> None:
    inner = CountingVoice()
    voice = CachedVoice(inner, tmp_path)
    good = voice.render("hallo", Style.PROMPT)
    voice.path_for("hallo", Style.PROMPT).write_bytes(b"RIFF\x00\x00")  # e.g. a power cut
    assert voice.render("hallo", Style.PROMPT) == good
    assert inner.calls == 2
    assert voice.render("hallo", Style.PROMPT) == good
    assert inner.calls == 2


def test_an_unwritable_cache_still_speaks(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    voice = CachedVoice(CountingVoice(), blocker / "voice")
    assert voice.render("hallo", Style.PROMPT).frames > 0


# --- an older version's files -------------------------------------------------------------
# (The tests from here on were lost in a merge on 2026-11-25 and are back.)


def test_files_of_an_older_version_are_removed_on_first_use(tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    entry = "ab" * 32 + ".wav"
    (folder / entry).write_bytes(b"RIFF old read-back line")  # format 1: flat files
    (folder / f".{entry}.tmp-4242").write_bytes(b"half")
    (folder / "v1").mkdir()
    (folder / "v1" / entry).write_bytes(b"RIFF")
    (folder / "v7").mkdir()  # a newer version's folder would be removed too
    (folder / "notes.txt").write_text("not ours")  # anything else is left alone
    (folder / "vacation").mkdir()
    (folder / "v3-photos").mkdir()
    (folder / "v9").mkdir()
    (folder / "v9" / "photo.jpg").write_bytes(b"not ours either")
    voice = CachedVoice(CountingVoice(), folder)
    assert (folder / entry).exists()  # nothing happens before the cache is used
    voice.render("hallo", Style.PROMPT)
    left = sorted(path.name for path in folder.iterdir())
    assert left == sorted(["notes.txt", "vacation", "v3-photos", "v9", f"v{FORMAT}"])
    assert (folder / "v9" / "photo.jpg").exists()
    assert [path.name for path in voice.entries.iterdir()] == [
        voice.path_for("hallo", Style.PROMPT).name
    ]


def test_a_current_entry_survives_a_restart(tmp_path: Path) -> None:
    CachedVoice(CountingVoice(), tmp_path).render("hallo", Style.PROMPT)
    _restart()
    inner = CountingVoice()
    CachedVoice(inner, tmp_path).render("hallo", Style.PROMPT)
    assert inner.calls == 0


# --- bounded: least recently used out first -----------------------------------------------


def _entry_bytes(tmp_path: Path) -> int:
    probe = CachedVoice(CountingVoice(), tmp_path / "probe")
    probe.render("line-00", Style.PROMPT)
    return probe.path_for("line-00", Style.PROMPT).stat().st_size


def _age(path: Path, hours: float) -> None:
    moment = time.time() - hours * 3600
    os.utime(path, (moment, moment))


def _stored(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.glob("*.wav"))


def test_the_cache_stays_under_its_cap(tmp_path: Path) -> None:
    size = _entry_bytes(tmp_path)
    voice = CachedVoice(CountingVoice(), tmp_path / "voice", max_bytes=5 * size)
    for number in range(30):
        voice.render(f"line-{number:02d}", Style.PROMPT)
        assert _stored(voice.entries) <= 5 * size
    assert len(list(voice.entries.glob("*.wav"))) <= 5
    assert voice.path_for("line-29", Style.PROMPT).exists()  # the newest is kept


def test_the_least_recently_used_goes_first(tmp_path: Path) -> None:
    size = _entry_bytes(tmp_path)
    inner = CountingVoice()
    voice = CachedVoice(inner, tmp_path / "voice", max_bytes=round(4.5 * size))
    names = ["line-01", "line-02", "line-03", "line-04"]
    for hours, name in zip((4, 3, 2, 1), names, strict=True):
        voice.render(name, Style.PROMPT)
        _age(voice.path_for(name, Style.PROMPT), hours)
    voice.render("line-01", Style.PROMPT)  # used again: now the most recent
    assert inner.calls == 4
    voice.render("line-05", Style.PROMPT)  # over the cap: one has to go
    kept = {name for name in [*names, "line-05"] if voice.path_for(name, Style.PROMPT).exists()}
    assert kept == {"line-01", "line-03", "line-04", "line-05"}
    # prepare() counts as use too.
    _age(voice.path_for("line-03", Style.PROMPT), 5)
    voice.prepare([("line-03", Style.PROMPT)])
    voice.render("line-06", Style.PROMPT)
    assert voice.path_for("line-03", Style.PROMPT).exists()
    assert not voice.path_for("line-04", Style.PROMPT).exists()


def test_a_smaller_cap_is_applied_on_first_use(tmp_path: Path) -> None:
    size = _entry_bytes(tmp_path)
    big = CachedVoice(CountingVoice(), tmp_path / "voice")
    for number in range(10):
        big.render(f"line-{number:02d}", Style.PROMPT)
        _age(big.path_for(f"line-{number:02d}", Style.PROMPT), 20 - number)
    _restart()  # the next start, with a smaller cap in its config
    small = CachedVoice(CountingVoice(), tmp_path / "voice", max_bytes=4 * size)
    small.render("line-09", Style.PROMPT)
    assert _stored(small.entries) <= 4 * size
    assert small.path_for("line-09", Style.PROMPT).exists()
    assert not small.path_for("line-00", Style.PROMPT).exists()


def test_two_voices_on_one_folder_share_its_cap(tmp_path: Path) -> None:
    """A voice server's lines and the local voice's go into one folder (two identities): what
    one writes counts against the cap the other keeps."""
    size = _entry_bytes(tmp_path)
    folder = tmp_path / "voice"
    server = CachedVoice(CountingVoice(rate=150), folder, max_bytes=4 * size)
    local = CachedVoice(CountingVoice(rate=151), folder, max_bytes=4 * size)
    for number in range(12):
        for voice in (server, local):
            voice.render(f"line-{number:02d}", Style.PROMPT)
            assert _stored(folder / f"v{FORMAT}") <= 4 * size, number


def test_an_entry_evicted_while_it_is_read_is_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = CountingVoice()
    voice = CachedVoice(inner, tmp_path)
    first = voice.render("hallo", Style.PROMPT)
    real_read = cache_module.read_wav

    def evicted_first(path: Path) -> AudioChunk:
        path.unlink()  # another thread's eviction, between the check and the read
        return real_read(path)

    monkeypatch.setattr(cache_module, "read_wav", evicted_first)
    assert voice.render("hallo", Style.PROMPT) == first
    assert inner.calls == 2


def test_two_users_evicting_under_each_other_never_fail(tmp_path: Path) -> None:
    # The session and the pre-renderer read, write and evict at the same time, with a cap that
    # forces evictions all along; a third thread's voice has a view of the same folder.
    size = _entry_bytes(tmp_path)
    folder = tmp_path / "voice"
    expected = {
        f"line-{n:02d}": CachedVoice(CountingVoice(), tmp_path / "ref").render(
            f"line-{n:02d}", Style.PROMPT
        )
        for n in range(12)
    }
    errors: list[BaseException] = []
    shared = CachedVoice(CountingVoice(), folder, max_bytes=3 * size)
    other = CachedVoice(CountingVoice(), folder, max_bytes=3 * size)

    def run(voice: CachedVoice, seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(300):
                name = f"line-{rng.randrange(12):02d}"
                assert voice.render(name, Style.PROMPT) == expected[name]
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(voice, seed))
        for seed, voice in enumerate((shared, shared, other))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "stuck: a deadlock?"
    assert not errors, errors[0]
    assert shared.misses + other.misses > 12  # lines were evicted and rendered again
    assert _stored(folder / f"v{FORMAT}") <= 3 * size


# --- what is kept: one loudness, faded; and what is never kept -----------------------------


def test_a_line_is_kept_at_the_speech_loudness_and_faded(tmp_path: Path) -> None:
    voice = CachedVoice(CountingVoice(), tmp_path)
    raw = CountingVoice().render("hallo daar", Style.PROMPT)
    spoken = voice.render("hallo daar", Style.PROMPT)
    stored = read_wav(voice.path_for("hallo daar", Style.PROMPT))
    assert stored == spoken
    assert integrated_loudness(raw) > SPEECH_LUFS + 5  # the engine's square wave is loud
    assert integrated_loudness(spoken) == pytest.approx(SPEECH_LUFS, abs=0.1)
    values = spoken.array().astype(np.int32)
    assert abs(raw.array()[0]) == 8192  # the engine starts at full level...
    assert values[0] == 0 and values[-1] == 0  # ...the cached line fades in and out
    fade = round(0.008 * 16000)
    assert np.all(np.abs(values[1:4]) < np.abs(values[fade]))


def test_a_private_line_is_rendered_but_never_kept(tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    inner = CountingVoice()
    voice = CachedVoice(inner, folder)
    private = voice.render_private("Ik hoorde: mijn eigen woorden.", Style.PROMPT)
    assert inner.calls == 1 and (voice.hits, voice.misses) == (0, 0)
    assert not folder.exists()  # nothing written, not even the folder
    assert private == voice.render("Ik hoorde: mijn eigen woorden.", Style.PROMPT)  # same sound
    assert voice.render_private("Ik hoorde: mijn eigen woorden.", Style.PROMPT) == private
    assert inner.calls == 3  # a private line is never taken from the cache either
