"""The journal as one HTML page to keep, read in a browser and print. A pure function.

The page stands alone: its style is inline, it has no script, and its Content-Security-Policy
lets it load nothing but the recordings beside it, so opening it never touches the network.
Everything the person said is escaped: an answer is text, whatever it contains. That holds for
its direction too: each answer and question is a bidi isolate whose direction comes from its
own first letters (`dir="auto"`), and a directional control character in it (an override such
as U+202E, an embedding or an isolate) is closed at once, so it cannot turn the words after it
around; the characters themselves are all kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from assistant.journal.folder import session_order
from assistant.journal.markdown import Entry, Labels, SessionRecord

PAGE_NAME = "journal.html"
POLICY = "default-src 'none'; style-src 'unsafe-inline'; media-src 'self'"

STYLE = """
:root { color-scheme: light dark; --soft: #6b6259; --line: #ddd3c7; --accent: #8a3b2e; }
@media (prefers-color-scheme: dark) {
  :root { --soft: #b8ada0; --line: #4a423b; --accent: #e39a88; }
}
html { font-size: 112.5%; }
body {
  max-width: 38rem; margin: 2.5rem auto 4rem; padding: 0 1.25rem;
  font-family: Charter, "Bitstream Charter", "Iowan Old Style", Georgia, Cambria,
    "DejaVu Serif", serif;
  line-height: 1.6; hyphens: auto; overflow-wrap: break-word;
}
h1 { font-size: 1.8rem; font-weight: normal; margin: 0 0 2.5rem; }
article { border-top: 1px solid var(--line); padding-top: 1.5rem; margin-top: 2.5rem; }
h2 { font-size: 1.3rem; font-weight: normal; margin: 0 0 .25rem; }
.practices { color: var(--soft); margin: 0 0 1.5rem; font-style: italic; }
.practice { color: var(--soft); font-variant: small-caps; letter-spacing: .04em; margin: 2rem 0 0; }
section { margin: 1.75rem 0; break-inside: avoid; }
h3 { font-size: 1rem; font-weight: bold; margin: 0 0 .4rem; }
h3 .number { color: var(--accent); }
.answer, .question { unicode-bidi: isolate; }
.answer { margin: 0; white-space: pre-wrap; }
.unconfirmed, .improved { color: var(--soft); font-style: italic; margin: .25rem 0 0; }
audio { display: block; width: 100%; margin-top: .6rem; }
@media print {
  html { font-size: 11pt; }
  body { max-width: none; margin: 0; padding: 0; color: #000; background: #fff; }
  audio { display: none; }
  article { border: none; margin: 0; padding: 0; break-before: page; }
  article:first-of-type { break-before: auto; }
  h2 { break-after: avoid; }
  @page { margin: 2cm 2.2cm; }
}
"""


def render_page(
    records: Iterable[SessionRecord],
    labels: Labels,
    language: str,
    practice_titles: Mapping[str, str],
) -> str:
    """The sessions newest first, each answer under its question, with an audio player for each
    answer whose `recording` is set (a file name beside the page)."""
    newest_first = sorted(records, key=lambda record: session_order(record.id), reverse=True)
    body = "".join(_session(record, labels, practice_titles) for record in newest_first)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_attr(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(labels.page_title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<h1>{_text(labels.page_title)}</h1>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def _session(record: SessionRecord, labels: Labels, titles: Mapping[str, str]) -> str:
    title = labels.title.format(
        date=record.started.strftime("%d-%m-%Y"), time=record.started.strftime("%H:%M")
    )
    practices = " · ".join(titles.get(p, p) for p in record.practices)
    parts = [f'<article id="{_attr(record.id)}">\n<h2>{_text(title)}</h2>\n']
    if practices:
        parts.append(f'<p class="practices">{_text(practices[:1].upper() + practices[1:])}</p>\n')
    several = len({entry.practice_id for entry in record.answers}) > 1
    shown = None
    for entry in record.answers:
        if several and entry.practice_id != shown:
            shown = entry.practice_id
            parts.append(f'<p class="practice">{_text(titles.get(shown, shown))}</p>\n')
        parts.append(_answer(entry, labels))
    parts.append("</article>\n")
    return "".join(parts)


def _answer(entry: Entry, labels: Labels) -> str:
    parts = [
        f'<section>\n<h3><span class="number">{entry.number}.</span> '
        f'<span class="question" dir="auto">{_text(entry.question)}</span></h3>\n'
        f'<p class="answer" dir="auto">{_text(entry.best)}</p>\n'
    ]
    if not entry.confirmed:
        parts.append(f'<p class="unconfirmed">{_text(labels.unconfirmed)}</p>\n')
    if entry.improved is not None:
        mark = labels.improved.format(
            recognizer=entry.improved.recognizer,
            date=entry.improved.made.strftime("%d-%m-%Y %H:%M"),
        )
        parts.append(f'<p class="improved">{_text(mark)}</p>\n')
    if entry.recording:
        source = _attr(quote(entry.recording))
        parts.append(
            f'<audio controls preload="metadata" src="{source}" '
            f'aria-label="{_attr(labels.recording)}">'
            f'<a href="{source}">{_text(labels.recording)}</a></audio>\n'
        )
    parts.append("</section>\n")
    return "".join(parts)


# Embeddings and overrides (LRE, RLE, LRO, RLO) end at PDF; isolates (LRI, RLI, FSI) at PDI.
_OPENS = re.compile("[\u202a-\u202e\u2066-\u2068]")


def _text(text: str) -> str:
    """`text` for the page: escaped, and every directional control closed where it opens."""
    closed = _OPENS.sub(lambda m: m[0] + ("\u202c" if m[0] <= "\u202e" else "\u2069"), text)
    return html.escape(closed, quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
