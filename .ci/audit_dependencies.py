"""Audit the locked dependencies against PyPI's advisory data (the data pip-audit's PyPI service reads).

pip-audit asks PyPI for each release's JSON (/pypi/NAME/VERSION/json). Where that endpoint is not
reachable but the project's JSON is (/pypi/NAME/json, whose "vulnerabilities" describe the latest
release), a locked version that IS the latest release is still audited; an older one is listed as
not auditable here, so the gap is visible rather than silently passed. Exit status 1 when any locked
release has a known, unwithdrawn vulnerability; 2 when nothing at all could be audited (or the lock
holds no pins); 3 when some pins could not be audited (they are named). A clean pass (0) means every
pin was audited.

    python .ci/audit_dependencies.py [requirements.lock]
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PYPI = "https://pypi.org/pypi"
TIMEOUT = 20


def locked(path: Path) -> list[tuple[str, str]]:
    """Read NAME==VERSION lines, ignoring comments, blanks and hashes."""
    pins = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().split(";", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        if "==" not in line:
            raise SystemExit(f"{path}:{number}: expected NAME==VERSION, found {raw!r}")
        name, version = (part.strip() for part in line.split("==", 1))
        pins.append((name, version.split()[0].rstrip("\\")))
    return pins


def fetch(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def audit(pin: tuple[str, str]) -> dict:
    """Return how one pin was audited ('release', 'latest' or 'unaudited') and its advisories."""
    name, version = pin
    release = fetch(f"{PYPI}/{name}/{version}/json")
    if release is not None:
        how, advisories = "release", release.get("vulnerabilities", [])
    else:
        project = fetch(f"{PYPI}/{name}/json")
        latest = project and project.get("info", {}).get("version")
        if latest == version:
            how, advisories = "latest", project.get("vulnerabilities", [])
        else:
            return {"name": name, "version": version, "how": "unaudited", "latest": latest, "advisories": []}
    live = [a for a in advisories if not a.get("withdrawn")]
    return {"name": name, "version": version, "how": how, "advisories": live}


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "requirements.lock")
    pins = locked(path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(audit, pins))
    vulnerable = [r for r in results if r["advisories"]]
    unaudited = [r for r in results if r["how"] == "unaudited"]
    audited = len(results) - len(unaudited)
    for r in vulnerable:
        for a in r["advisories"]:
            fixed = ", ".join(a.get("fixed_in") or []) or "no fixed release"
            print(
                f"VULNERABLE {r['name']}=={r['version']}: {a.get('id')} ({', '.join(a.get('aliases') or [])}); fixed in {fixed}"
            )
    if unaudited:
        names = ", ".join(f"{r['name']}=={r['version']} (latest {r['latest'] or 'unknown'})" for r in unaudited)
        print(
            f"Not auditable from here (PyPI's per-release advisory data unreachable, not the latest release): {names}"
        )
    print(f"Audited {audited} of {len(results)} locked dependencies; {len(vulnerable)} with known vulnerabilities.")
    if vulnerable:
        return 1
    if audited == 0:
        print("FAILED: no locked dependency could be audited; this is not a pass.")
        return 2
    return 3 if unaudited else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
