"""Run the trust suite once and print the figures it measured, ready to quote.

Run from the repository root:

    .venv/bin/python bench/trust_report.py                      # SQLite (a temporary file)
    .venv/bin/python bench/trust_report.py --database-url postgresql://USER@HOST:5432/DBNAME
    .venv/bin/python bench/trust_report.py --json report.json   # also write the figures as JSON

It runs pytest on tests/trust and the related tests (parallel ballots, the CSRF walk, the canary
personal-data journey, the formula-injection export) with a JUnit XML report and with
PBAPP_TRUST_FIGURES pointing at a file the tests fill with what they did: parallel requests fired
and the effects found in the database, SIGKILLs and the receipts found after restart, backup
round trips, hostile forms and uploads tried, parser examples run. Every figure printed comes from
that run; nothing is typed in here. The exit status is pytest's, so a failing protection fails
the report.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bench/ holds select.py, which would shadow the standard library's select module (subprocess uses it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import argparse
import json
import os
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict

TESTS = [
    "tests/trust",
    "tests/pb/test_parallel_votes.py",
    "tests/test_csrf.py",
    "tests/juries/test_personal_data.py",
    "tests/ledger/test_views.py::test_responses_export_has_every_item_and_neutralises_formulas",
    "tests/juries/test_services.py::test_payment_cells_that_would_run_as_formulas_get_an_apostrophe",
]
# Which tests stand behind which promise, for the pass/fail line of each.
PROPERTIES = {
    "one effect under parallel requests": ("test_concurrency", "test_parallel_votes"),
    "crash safety (SIGKILL)": ("test_crash_safety",),
    "backup and restore": ("test_backup",),
    "CSRF on every state-changing route": ("test_csrf",),
    "hostile markup escaped": ("test_hostile_input",),
    "bad uploads refused, nothing changed": ("test_uploads",),
    "parsers: only documented errors": ("test_parsers",),
    "formula-injection guard": ("neutralises_formulas", "formulas_get_an_apostrophe"),
    "canary personal data": ("test_personal_data",),
}


def run_suite(database_url: str | None, figures_path: Path, junit_path: Path, extra: list[str]) -> tuple[int, float]:
    env = dict(os.environ, PBAPP_TRUST_FIGURES=str(figures_path))
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    else:
        env.pop("TEST_DATABASE_URL", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *TESTS, "-q", "-p", "no:cacheprovider", f"--junitxml={junit_path}", *extra],
        cwd=ROOT,
        env=env,
        check=False,
    )
    return done.returncode, time.perf_counter() - started


def read_junit(path: Path) -> list[dict]:
    if not path.exists():
        return []
    cases = []
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "skipped"
        cases.append(
            {
                "name": f"{case.get('classname')}::{case.get('name')}",
                "outcome": outcome,
                "seconds": float(case.get("time") or 0),
            }
        )
    return cases


def _line(label: str, value: str, width: int = 58) -> str:
    return f"  {label} {'.' * max(2, width - len(label))} {value}"


def report(figures: dict, cases: list[dict], seconds: float, database: str) -> tuple[list[str], bool]:
    totals, details = figures.get("totals", {}), figures.get("details", {})

    def t(name: str) -> int:
        return int(totals.get(name, 0))

    counts = defaultdict(int)
    for case in cases:
        counts[case["outcome"]] += 1
    tests = f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
    out = [f"pbapp trust report: {database}", f"Tests: {tests} in {seconds:.0f} s", ""]

    out.append("Promises and the tests behind them")
    for promise, markers in PROPERTIES.items():
        mine = [c for c in cases if any(m in c["name"] for m in markers)]
        failed = sum(1 for c in mine if c["outcome"] == "failed")
        state = "not run" if not mine else ("HELD" if not failed else f"FAILED ({failed})")
        out.append(_line(promise, f"{state}, {len(mine)} tests"))

    out += ["", "Once-only actions, requests released together at 4 gunicorn workers"]
    for action, fired in sorted(details.get("parallel_requests", {}).items()):
        expected = details.get("effects_expected", {}).get(action, 0)
        found = details.get("effects_found", {}).get(action, 0)
        errors = details.get("server_errors", {}).get(action, 0)
        out.append(_line(action, f"{fired} requests, {found} effect(s) for {expected} expected, {errors} errors"))
    actions = details.get("parallel_actions", {})
    held = sum(
        1 for a in actions if details.get("effects_found", {}).get(a) == details.get("effects_expected", {}).get(a)
    )
    out.append(
        _line(
            "total",
            f"{t('parallel_requests')} parallel requests over {len(actions)} actions; "
            f"{held}/{len(actions)} held; {t('server_errors')} server errors",
        )
    )

    out += ["", "Faults survived"]
    out.append(_line("SIGKILLs of the server mid-stream / restarts", f"{t('sigkills')} / {t('restarts')}"))
    out.append(_line("ballots acknowledged with a receipt before the kill", str(t("ballots_acknowledged"))))
    out.append(_line("of those, in the log after restart", str(t("ballots_acknowledged_found"))))
    out.append(_line("submissions refused while the server was down", str(t("ballots_refused_while_down"))))
    out.append(_line("hash chains verified after restart", str(t("chains_verified_after_restart"))))
    out.append(
        _line(
            "backup round trips (tables, rows identical)",
            f"{t('backup_round_trips')} ({t('backup_tables_compared')} tables, {t('backup_rows_compared')} rows)",
        )
    )
    out.append(_line("ballots re-counted from the restored log", str(t("ballots_recounted_after_restore"))))

    out += ["", "Hostile input"]
    out.append(
        _line(
            "forms filled with script and HTML in every text field",
            f"{t('hostile_forms')} forms, {t('hostile_fields')} fields, "
            f"{len(details.get('hostile_forms', {}))} distinct pages",
        )
    )
    out.append(
        _line(
            "pages then read for raw markup",
            f"{t('pages_checked_for_raw_markup')}, none found" if t("pages_checked_for_raw_markup") else "0",
        )
    )
    by_upload = defaultdict(int)
    for case, n in details.get("hostile_uploads", {}).items():
        by_upload[case.split(":")[0]] += n
    for upload, n in sorted(by_upload.items()):
        out.append(_line(f"bad files at {upload}", f"{n} refused, nothing changed"))
    out.append(_line("uploads with a byte-order mark read as without", str(t("encoding_uploads_read"))))

    out += ["", "Parsers fuzzed with hypothesis (examples run)"]
    for parser, n in sorted(details.get("parser_examples", {}).items()):
        out.append(_line(parser, str(n)))
    out.append(
        _line(
            "total",
            f"{t('parser_examples')} examples over {len(details.get('parser_examples', {}))} "
            "parsers; only documented errors",
        )
    )

    lost = t("ballots_acknowledged") - t("ballots_acknowledged_found")
    extra_effects = t("effects_found") - t("effects_expected")
    nothing_lost = not counts["failed"] and lost == 0 and extra_effects == 0 and bool(cases)
    verdict = (
        f"{'yes' if nothing_lost else 'NO'} (acknowledged ballots lost: {lost}; effects beyond those "
        f"expected: {extra_effects}; failed tests: {counts['failed']})"
    )
    out += ["", f"Nothing lost: {verdict}"]
    return out, nothing_lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL database for the run (default: a temporary SQLite file)")
    parser.add_argument("--json", type=Path, help="also write the figures and test outcomes to this file")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pbapp-trust-") as folder:
        figures_path, junit_path = Path(folder) / "figures.json", Path(folder) / "junit.xml"
        status, seconds = run_suite(args.database_url, figures_path, junit_path, args.pytest_args)
        figures = json.loads(figures_path.read_text(encoding="utf-8")) if figures_path.exists() else {}
        cases = read_junit(junit_path)
    database = "PostgreSQL" if args.database_url else "SQLite (temporary file)"
    lines, nothing_lost = report(figures, cases, seconds, database)
    print("\n" + "\n".join(lines))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "database": database,
                    "seconds": round(seconds, 1),
                    "figures": figures,
                    "tests": cases,
                    "nothing_lost": nothing_lost,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return status or (0 if nothing_lost else 1)


if __name__ == "__main__":
    sys.exit(main())
