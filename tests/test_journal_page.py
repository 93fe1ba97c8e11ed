"""The journal as one HTML page: what it holds (escaped), `journal export DIR --html` on plain
and encrypted journals, and the page in a real headless browser (Debian's Chromium).

The browser test keeps what the browser showed as test artifacts: tests/artifacts/journal-page.png
(the whole page on screen) and tests/artifacts/journal-page.pdf (the page printed); the folder is
ignored by git.
"""

from __future__ import annotations

import itertools
import json
import re
import stat
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assistant.audio import read_wav, silence
from assistant.journal.markdown import Entry, Labels, SessionRecord
from assistant.journal.page import PAGE_NAME, render_page
from assistant.journal.store import Journal
from tests.browser import Browser
from tests.helpers import ROOT, copy_journal_key, human_clips, run_cli

pytestmark = [pytest.mark.files, pytest.mark.browser]

LABELS = Labels(
    title="Hartsverbinding, {date} om {time}",
    unconfirmed="(nog niet bevestigd)",
    recording="opname van je antwoord",
    page_title="Mijn dagboek",
)
TITLES = {"vragen": "de vragen over zelfcompassie", "oefening": "de oefening"}
SECRET = "wachtzin van test"
ARTIFACTS = ROOT / "tests" / "artifacts"
HOSTILE = '<script>document.title="pwned"</script><img src=x onerror="alert(1)"> & "zo"'


class Tags(HTMLParser):
    """The page's elements with their attributes, and its text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def record(when: datetime, *answers: Entry, practices: tuple[str, ...] = ("vragen",)):
    session = SessionRecord(id=when.strftime("%Y-%m-%d_%H%M%S"), started=when)
    session.practices = list(practices)
    for answer in answers:
        session.put(answer)
    return session


def test_the_page_holds_the_sessions_newest_first_with_audio_only_where_kept():
    old = record(datetime(2026, 11, 3, 14, 5), Entry("vragen", 1, "Waardoor?", "Oud.", True))
    new = record(
        datetime(2026, 11, 10, 9, 30),
        Entry("vragen", 1, "Waardoor?", "Nieuw.", True, "a b.wav"),
        Entry("vragen", 2, "En nu?", "Nog niet zeker.", False),
        practices=("oefening", "vragen"),
    )
    page = Tags(render_page([old, new], LABELS, "nl", TITLES))
    assert page.all("html") == [{"lang": "nl"}]
    assert [a["id"] for a in page.all("article")] == ["2026-11-10_093000", "2026-11-03_140500"]
    assert page.all("audio") == [
        {"controls": None, "preload": "metadata", "src": "a%20b.wav",
         "aria-label": "opname van je antwoord"}
    ]  # fmt: skip
    text = "".join(page.text)
    assert "Hartsverbinding, 10-11-2026 om 09:30" in text
    assert "De oefening · de vragen over zelfcompassie" in text
    assert text.index("Nieuw.") < text.index("(nog niet bevestigd)") < text.index("Oud.")
    assert page.all("title") and "Mijn dagboek" in text


def test_answers_are_text_whatever_they_contain():
    hostile = record(datetime(2026, 11, 3, 14, 5), Entry("vragen", 1, "<b>?</b>", HOSTILE, True))
    source = render_page([hostile], LABELS, "nl", TITLES)
    page = Tags(source)
    assert [tag for tag, _ in page.tags if tag in ("script", "img", "b")] == []
    assert HOSTILE in "".join(page.text) and "<b>?</b>" in "".join(page.text)


def test_the_page_loads_nothing_from_anywhere_but_beside_it():
    answer = Entry("vragen", 1, "Waardoor?", "Iets.", True, "r.wav")
    source = render_page([record(datetime(2026, 11, 3), answer)], LABELS, "nl", TITLES)
    page = Tags(source)
    assert page.all("link") == [] and page.all("script") == [] and "@import" not in source
    assert "url(" not in source and "//" not in source
    policy = [m for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert policy and "default-src 'none'" in str(policy[0]["content"])


def _journal_with_clips(folder: Path, encrypted: bool) -> list[tuple[str, float]]:
    """Three sessions whose answers are real Dutch speech and what it says; returns the
    answers' texts with the length of their recordings (0 where none is kept)."""
    folder.mkdir(parents=True)
    if encrypted:
        copy_journal_key(folder, SECRET)
    clips = human_clips()[:4]
    kept = []
    for day, (clip, number) in enumerate(zip(clips[:3], (1, 2, 3), strict=True)):
        journal = Journal(folder, LABELS)
        journal.start("vragen", datetime(2026, 11, 3 + 7 * day, 9, 30))
        audio = read_wav(clip.path)
        journal.save_answer(Entry("vragen", number, f"Vraag {number}?", clip.text, True), audio)
        kept.append((clip.text, audio.seconds))
        journal.finish(True, 600)
    journal = Journal(folder, LABELS, keep_audio=False)
    journal.start("vragen", datetime(2026, 12, 1, 20, 0))
    journal.save_answer(Entry("vragen", 4, "Vraag 4?", HOSTILE, False), silence(1, 16000))
    journal.finish(False, 60)
    kept.append((HOSTILE, 0.0))
    return kept


def _export(folder: Path, target: Path, encrypted: bool):
    stdin = SECRET + "\n" if encrypted else ""
    done = run_cli(
        "journal", "export", str(target), "--html", "--journal", str(folder),
        stdin=stdin,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    return done


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_export_html_writes_the_page_and_the_recordings_privately(tmp_path, encrypted):
    folder, target = tmp_path / "journal", tmp_path / "export"
    kept = _journal_with_clips(folder, encrypted)
    done = _export(folder, target, encrypted)
    assert done.stderr == (
        f"hartsverbinding: Wrote {target / PAGE_NAME}: 4 sessions, 3 recordings beside it.\n"
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in target.iterdir())
    page = Tags((target / PAGE_NAME).read_text(encoding="utf-8"))
    sources = [str(a["src"]) for a in page.all("audio")]
    assert sorted(sources) == sorted(p.name for p in target.glob("*.wav"))
    lengths = sorted(read_wav(target / source).seconds for source in sources)
    assert lengths == pytest.approx(sorted(seconds for _, seconds in kept if seconds))
    assert not list(target.glob("*.age")) and not list(target.glob("*.md"))


def test_a_missing_recording_leaves_the_answer_without_a_player(tmp_path):
    folder, target = tmp_path / "journal", tmp_path / "export"
    _journal_with_clips(folder, encrypted=False)
    first = sorted(folder.glob("*.wav"))[0]
    first.unlink()
    _export(folder, target, encrypted=False)
    page = Tags((target / PAGE_NAME).read_text(encoding="utf-8"))
    assert len(page.all("audio")) == 2 and first.name not in str(page.all("audio"))


# What the browser reports about every audio element once each has loaded or failed.
AUDIO_STATE = """
Promise.all([...document.querySelectorAll('audio')].map(a => new Promise(done => {
  const report = () => done({src: a.getAttribute('src'), ready: a.readyState,
                             duration: a.duration, error: a.error && a.error.code});
  if (a.readyState >= 1 || a.error) return report();
  a.addEventListener('loadedmetadata', report);
  a.addEventListener('error', report);
  setTimeout(report, 20000);
})))
"""


@pytest.mark.slow
def test_the_exported_page_in_a_real_browser(tmp_path, content):
    """Chromium opens the page exported from an encrypted journal: the answers are there as
    text (the hostile one too, inert), every recording loads with its own length, nothing is
    fetched but files beside the page, and printing hides the players and starts every
    session on a new page. Screenshot and PDF: tests/artifacts/journal-page.{png,pdf}."""
    folder, target = tmp_path / "journal", tmp_path / "export"
    kept = _journal_with_clips(folder, encrypted=True)
    _export(folder, target, encrypted=True)
    browser = Browser(tmp_path)
    try:
        browser.call("Network.enable", page=True)
        browser.call("Page.enable", page=True)
        browser.call("Page.navigate", {"url": (target / PAGE_NAME).as_uri()}, page=True)
        browser.wait_event("Page.loadEventFired")

        text = browser.evaluate("document.body.innerText")
        for answer, _ in kept:
            assert answer in text
        assert browser.evaluate("document.title") == content.journal["page_title"]
        assert browser.evaluate("document.querySelectorAll('script, img').length") == 0
        headings = browser.evaluate("[...document.querySelectorAll('h2')].map(h => h.innerText)")
        assert headings == [
            "Hartsverbinding, 01-12-2026 om 20:00",
            "Hartsverbinding, 17-11-2026 om 09:30",
            "Hartsverbinding, 10-11-2026 om 09:30",
            "Hartsverbinding, 03-11-2026 om 09:30",
        ]

        audio = browser.evaluate(AUDIO_STATE)
        assert len(audio) == 3, audio
        wanted = {source: read_wav(target / source).seconds for source in (a["src"] for a in audio)}
        for state in audio:
            assert state["error"] is None and state["ready"] >= 1, json.dumps(audio)
            assert state["duration"] == pytest.approx(wanted[state["src"]], abs=0.01)

        fetched = [
            event["params"]["request"]["url"]
            for event in browser.events
            if event.get("method") == "Network.requestWillBeSent"
            and not event["params"]["request"]["url"].startswith("data:")  # the player's icons
        ]
        assert fetched and all(url.startswith(target.as_uri() + "/") for url in fetched), fetched

        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(ARTIFACTS / "journal-page.png")
        browser.call("Emulation.setEmulatedMedia", {"media": "print"}, page=True)
        hidden = "[...document.querySelectorAll('audio')].map(a => getComputedStyle(a).display)"
        assert browser.evaluate(hidden) == ["none"] * 3
        browser.pdf(ARTIFACTS / "journal-page.pdf")
    finally:
        browser.close()
    pages = len(re.findall(rb"/Type\s*/Page\b", (ARTIFACTS / "journal-page.pdf").read_bytes()))
    assert pages == 4, "each session starts a new printed page"
    assert (ARTIFACTS / "journal-page.png").read_bytes().startswith(b"\x89PNG")


# Each visible character of an element's text, in logical order, with where the browser put it.
GLYPHS = """
[...document.querySelectorAll(SELECTOR)].map(element => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node; (node = walker.nextNode()); ) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width > 0) found.push([node.data[i], box.left, box.top]);
    }
  }
  return {direction: getComputedStyle(element).direction, glyphs: found};
})
"""


def _left_to_right(glyphs: list[list[object]]) -> bool:
    lefts = [float(left) for _char, left, _top in glyphs]
    return all(a < b for a, b in itertools.pairwise(lefts))


@pytest.mark.slow
def test_a_directional_control_in_an_answer_turns_nothing_around(tmp_path):
    """U+202E (right-to-left override) in an answer made the browser show the rest of it
    backwards. Now every word is shown in the order it was said, the text after the answer
    too, and an answer in a right-to-left script still reads right to left."""
    said = "Ik voel me \u202egoed vandaag"
    hebrew = "שלום עולם"
    session = record(
        datetime(2026, 11, 3, 14, 5),
        Entry("vragen", 1, "Hoe voel je je?", said, False),
        Entry("vragen", 2, "En \u202enu?", hebrew, True),
        Entry("vragen", 3, "En straks?", "Rustig en blij", True),
    )
    page = tmp_path / PAGE_NAME
    page.write_text(render_page([session], LABELS, "nl", TITLES), encoding="utf-8")
    browser = Browser(tmp_path)
    try:
        browser.call("Page.enable", page=True)
        browser.call("Page.navigate", {"url": page.as_uri()}, page=True)
        browser.wait_event("Page.loadEventFired")

        def shown(selector: str) -> list[dict[str, object]]:
            return browser.evaluate(GLYPHS.replace("SELECTOR", json.dumps(selector)))

        answers = shown(".answer")
        first, second, third = answers
        assert "".join(g[0] for g in first["glyphs"]) == "Ik voel me goed vandaag"
        assert _left_to_right(first["glyphs"]), first  # in the order it was said
        assert first["direction"] == "ltr" and third["direction"] == "ltr"
        assert second["direction"] == "rtl"  # its own direction, from its first letters
        assert _left_to_right(list(reversed(second["glyphs"])))
        assert _left_to_right(third["glyphs"])
        after = shown(".unconfirmed") + shown("h3")
        assert all(_left_to_right(each["glyphs"]) for each in after), after
    finally:
        browser.close()
