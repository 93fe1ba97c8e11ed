"""Where the test suite's CPU goes: a pytest plugin that writes, per test, the CPU seconds of the
worker (user + system) and of the child processes it waited for, setup and teardown included;
and a summary of what it wrote, by test file and by test.

On a shared machine wall times say more about the neighbours than about the tests: CPU seconds
do not (a daemon the test started, such as PulseAudio or a speech server, is not counted).

    bash scripts/test -p bench.test_cpu                 # writes test-cpu.jsonl (or $TEST_CPU_OUT)
    .venv/bin/python bench/test_cpu.py test-cpu.jsonl   # the summary
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path

import pytest

OUT = Path(os.environ.get("TEST_CPU_OUT", "test-cpu.jsonl"))


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    own_before, children_before = _cpu()
    started = time.monotonic()
    try:
        return (yield)
    finally:
        own, children = _cpu()
        row = {
            "id": item.nodeid,
            "self": round(own - own_before, 3),
            "children": round(children - children_before, 3),
            "wall": round(time.monotonic() - started, 3),
            "pid": os.getpid(),
        }
        with OUT.open("a", encoding="utf-8") as out:  # one line per write: workers append
            out.write(json.dumps(row) + "\n")


def summary(path: Path, files: int, tests: int) -> str:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    total = sum(row["self"] + row["children"] for row in rows)
    lines = [f"{len(rows)} tests, {total:.1f} CPU seconds (worker + waited-for children)"]
    by_file: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in rows:
        sums = by_file[row["id"].split("::")[0]]
        sums[0] += row["self"] + row["children"]
        sums[1] += 1
    lines.append("--- by test file: CPU s, tests")
    for name, (cpu, count) in sorted(by_file.items(), key=lambda kv: -kv[1][0])[:files]:
        lines.append(f"{cpu:8.1f} {int(count):4d}  {name}")
    lines.append("--- by test: CPU s (worker, children), wall s")
    for row in sorted(rows, key=lambda r: -(r["self"] + r["children"]))[:tests]:
        cpu = row["self"] + row["children"]
        lines.append(
            f"{cpu:8.1f} ({row['self']:.1f}, {row['children']:.1f}) {row['wall']:7.1f}  {row['id']}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("jsonl", type=Path, nargs="?", default=OUT)
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--tests", type=int, default=30)
    options = parser.parse_args()
    print(summary(options.jsonl, options.files, options.tests))


if __name__ == "__main__":
    main()
