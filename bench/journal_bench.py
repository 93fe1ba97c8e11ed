"""Looking back in a long journal: how long list, read, search, question and the HTML page take.

A journal of SESSIONS sessions (default 1000: a session a day for almost three years), each with
ten answers of about forty Dutch words, is written once plain and once encrypted (files made
with the journal's own render and Sealer, without an fsync per file, to build it quickly). Then,
in this process: the sessions as `journal list` reads them (no words), the whole journal with
its words (read_sessions, with the passphrase's scrypt unlock timed on its own), a search for
two words, one question through time, and the HTML page's rendering. Last, the real command
line end to end (`journal search` and `journal export --html` in a child process, the
passphrase on stdin). Recordings are left out: copying them is plain file I/O.

    .venv/bin/python bench/journal_bench.py [--sessions 1000]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from assistant.content import default_content_dir, load_content
from assistant.journal.crypt import Opener, Sealer
from assistant.journal.folder import JournalFolder, new_id
from assistant.journal.lookup import answers_to, search
from assistant.journal.markdown import Entry, Labels, SessionRecord, render, render_front_matter
from assistant.journal.page import render_page
from assistant.journal.reading import read_sessions
from assistant.journal.store import Journal

T = TypeVar("T")
SECRET = "wachtzin voor de meting"
WORDS = (  # noqa: SIM905
    "ik voel me vandaag rustig maar ook een beetje moe en soms boos op mezelf omdat ik te veel "
    "wil doen voor anderen terwijl ik weet dat ik ook zorg nodig heb zachtheid geduld ruimte "
    "verdriet dankbaarheid mijn zus mijn werk de tuin het licht van de ochtend"
).split()


def timed(what: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    print(f"{what:<52} {(time.perf_counter() - start) * 1000:9.1f} ms")
    return result


def build(folder: Path, count: int, labels: Labels, encrypted: bool) -> None:
    folder.mkdir(mode=0o700)
    sealer = None
    if encrypted:  # in a child process: scrypt's gigabyte would count in every later child's peak
        cli("journal", "encrypt", "--journal", str(folder), stdin=SECRET + "\n")
        sealer = Sealer.load(folder)
    files = JournalFolder(folder)  # its names; written here without fsync, to be quick
    rng = random.Random(7)
    start = datetime(2024, 1, 1, 8, 0)
    for day in range(count):
        record = SessionRecord(
            id=new_id(start + timedelta(days=day)),
            started=start + timedelta(days=day),
            practices=["vragen"],
            duration_seconds=900,
            finished=True,
        )
        for number in range(1, 11):
            text = " ".join(rng.choice(WORDS) for _ in range(40))
            record.put(Entry("vragen", number, f"Vraag {number}?", text, True))
        markdown = render(record, labels).encode("utf-8")
        if sealer is None:
            files.markdown(record.id).write_bytes(markdown)
        else:
            files.sealed(files.markdown(record.id)).write_bytes(sealer.seal(markdown))
            files.progress(record.id).write_text(render_front_matter(record), encoding="utf-8")
    files.close()


def cli(*args: str, stdin: str) -> None:
    """Wall time and peak resident memory of one `hartsverbinding` command."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "assistant", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert child.stdin is not None
    child.stdin.write(stdin.encode())
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    label = "command line: " + " ".join(a for a in args if not a.startswith("/"))
    print(
        f"{label:<52} {(time.perf_counter() - start) * 1000:9.1f} ms, "
        f"peak {usage.ru_maxrss / 1024:.0f} MB (exit {child.returncode})"
    )


def measure(
    scratch: Path, count: int, encrypted: bool, labels: Labels, titles: dict[str, str]
) -> None:
    kind = "encrypted" if encrypted else "plain"
    folder = scratch / kind
    build(folder, count, labels, encrypted)
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"\n{kind} journal: {count} sessions, {count * 10} answers, {size / 1e6:.1f} MB")
    stdin = SECRET + "\n" if encrypted else ""
    cli("journal", "list", "--journal", str(folder), stdin=stdin)
    cli("journal", "search", "zus", "tuin", "--journal", str(folder), stdin=stdin)
    target = str(scratch / f"export-{kind}")
    cli("journal", "export", target, "--html", "--journal", str(folder), stdin=stdin)
    journal = Journal(folder, labels)
    timed("sessions without words (journal list)", journal.sessions)
    opener = None
    if encrypted:
        opener = timed("unlock with the passphrase (scrypt)", lambda: Opener.unlock(folder, SECRET))
    records = timed("read_sessions with words", lambda: read_sessions(journal, opener))
    assert isinstance(records, list)
    found = timed("search two words", lambda: search(reversed(records), ["zus", "TUIN"]))
    print(f"{'  answers found':<52} {len(found):9d}")
    timed("one question through time", lambda: answers_to(records, "vragen", 3))
    page = timed("HTML page", lambda: render_page(records, labels, "nl", titles))
    print(f"{'  page size':<52} {len(page) / 1e6:9.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    count = parser.parse_args().sessions
    content = load_content(default_content_dir())
    labels = Labels(**content.journal)
    titles = {p.id: p.title for p in content.practices}
    with tempfile.TemporaryDirectory() as scratch:
        for encrypted in (False, True):
            measure(Path(scratch), count, encrypted, labels, titles)


if __name__ == "__main__":
    main()
