"""What the package declares: its licence, its dependencies and the data the wheel must carry.

Building and installing the wheel outside the checkout is `.ci/wheel_smoke.sh` (a CI step).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pbapp.config import PACKAGE_ROOT

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = {
    canonicalize_name(line.split("==")[0]): line.split("==")[1].strip()
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
}


def test_the_licence_is_mit_in_a_file_and_in_modern_metadata():
    assert PROJECT["project"]["license"] == "MIT"
    assert PROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
    build = [Requirement(r) for r in PROJECT["build-system"]["requires"]]
    setuptools = next(r for r in build if r.name == "setuptools")
    assert setuptools.specifier.contains("77.0") and not setuptools.specifier.contains("76.9")


def test_gurobipy_and_the_reference_libraries_are_not_installed_for_development():
    dev = {canonicalize_name(Requirement(r).name) for r in PROJECT["project"]["optional-dependencies"]["dev"]}
    assert not dev & {"gurobipy", "pabutools", "sortition-algorithms"}
    assert "gurobipy" not in LOCK


def test_every_declared_dependency_is_pinned_in_the_lock():
    declared = PROJECT["project"]["dependencies"] + PROJECT["project"]["optional-dependencies"]["dev"]
    unpinned = []
    for requirement in map(Requirement, declared):
        version = LOCK.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            unpinned.append(str(requirement))
    assert unpinned == []


def test_the_package_data_covers_everything_the_app_reads():
    patterns = PROJECT["tool"]["setuptools"]["package-data"]["pbapp"]
    for needed in (
        "templates/base.html",
        "static/app.css",
        "translations/cy/LC_MESSAGES/messages.mo",
        "alembic/env.py",
        "alembic/script.py.mako",
        "alembic/versions/0001_foundation.py",
        "seed_data/neighbourhoods.csv",
        "seed_data/uk/census2021_wards.csv",
    ):
        assert (PACKAGE_ROOT / needed).is_file(), needed
        assert any(Path(needed).match(p.replace("**/", "")) or Path(needed).match(p) for p in patterns), needed


def test_the_sortition_reference_is_skipped_with_a_reason_when_absent(monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "make_sortition_fixtures", ROOT / "bench" / "make_sortition_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    real = importlib.util.find_spec
    # The reference library may or may not be installed here (it is the optional `reference` extra):
    # pretend it is, and that only gurobipy is missing, so the reason given is the one under test.
    present = importlib.machinery.ModuleSpec("sortition_algorithms", None)
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "gurobipy" else present if name == "sortition_algorithms" else real(name, *a),
    )
    record = module.record(ROOT / "no-such-instance")
    assert record["skipped"] is True and re.search(r"gurobipy is not installed", record["message"])
    assert module.main(["no-such-instance"]) in (1, 2)  # refuses rather than overwrite a recorded run
