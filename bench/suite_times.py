"""Where the test suite's time goes: CPU seconds of setup, call and teardown per directory or file.

A pytest plugin, for timing chosen directories in one process (the machine is shared, so CPU seconds,
not wall seconds, are what compare between runs):

    PYTHONPATH=bench SUITE_TIMES=/tmp/times.jsonl .venv/bin/python -m pytest -n 0 -p suite_times tests/pb
    .venv/bin/python bench/suite_times.py /tmp/times.jsonl [DEPTH]

Each test adds a line to SUITE_TIMES as it ends, so a run cut short still reports what it did. The
report sums them per path prefix of DEPTH parts (2: tests/pb), with how many tests copied the demo.
CPU of other processes (chromium, gunicorn servers, coverage's own reporting) is not counted.
"""

from __future__ import annotations

import collections
import json
import os
import sys
import time

import pytest

_started: dict[str, float] = {}


def _timed(item, when: str):
    start = time.process_time()
    yield
    out = os.environ.get("SUITE_TIMES")
    if out:
        with open(out, "a") as lines:
            lines.write(
                json.dumps(
                    {
                        "path": item.nodeid.split("::")[0],
                        "when": when,
                        "cpu": time.process_time() - start,
                        "demo": "demo" in item.fixturenames,
                    }
                )
                + "\n"
            )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from _timed(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from _timed(item, "call")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield from _timed(item, "teardown")


def report(path: str, depth: int = 2) -> str:
    sums: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in open(path):
        row = json.loads(line)
        where = sums["/".join(row["path"].split("/")[:depth])]
        where[row["when"]] += row["cpu"]
        if row["when"] == "call":
            where["tests"] += 1
            where["demo"] += row["demo"]
    total: collections.Counter = collections.Counter()
    lines = [f"{'where':42} {'tests':>5} {'demo':>5} {'setup':>7} {'call':>7} {'teardown':>8} {'total':>7}"]
    for name, where in sorted(sums.items(), key=lambda kv: -sum(kv[1][w] for w in ("setup", "call", "teardown"))):
        total.update(where)
        lines.append(_row(name, where))
    lines.append(_row("all", total))
    return "\n".join(lines)


def _row(name: str, c: collections.Counter) -> str:
    return (
        f"{name:42} {c['tests']:5d} {c['demo']:5d} {c['setup']:7.1f} {c['call']:7.1f} {c['teardown']:8.1f} "
        f"{c['setup'] + c['call'] + c['teardown']:7.1f}"
    )


if __name__ == "__main__":
    print(report(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2))
