"""The CI dependency audit fails on a known vulnerability and never passes a release it could not check."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "audit_dependencies.py"


@pytest.fixture
def audit_module():
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fixed_in": ["2.0"], "withdrawn": None}


def pypi(responses):
    """Stand in for PyPI: a URL maps to its JSON, anything else is unreachable."""
    return lambda url: responses.get(url)


def run(module, monkeypatch, tmp_path, capsys, lock_text, responses):
    lock = tmp_path / "requirements.lock"
    lock.write_text(lock_text, encoding="utf-8")
    monkeypatch.setattr(module, "fetch", pypi(responses))
    status = module.main(["audit", str(lock)])
    return status, capsys.readouterr().out


def test_vulnerable_release_fails_the_audit(audit_module, monkeypatch, tmp_path, capsys):
    responses = {f"{audit_module.PYPI}/old/1.0/json": {"vulnerabilities": [ADVISORY]}}
    status, out = run(audit_module, monkeypatch, tmp_path, capsys, "old==1.0\n", responses)
    assert status == 1
    assert "VULNERABLE old==1.0: PYSEC-2099-1 (CVE-2099-1); fixed in 2.0" in out


def test_latest_release_is_audited_from_the_project_json(audit_module, monkeypatch, tmp_path, capsys):
    responses = {f"{audit_module.PYPI}/lib/json": {"info": {"version": "3.1"}, "vulnerabilities": [ADVISORY]}}
    status, out = run(audit_module, monkeypatch, tmp_path, capsys, "lib==3.1  # pinned\n", responses)
    assert status == 1 and "VULNERABLE lib==3.1" in out


def test_withdrawn_advisories_do_not_fail(audit_module, monkeypatch, tmp_path, capsys):
    withdrawn = {**ADVISORY, "withdrawn": "2099-02-01T00:00:00Z"}
    responses = {f"{audit_module.PYPI}/lib/2.0/json": {"vulnerabilities": [withdrawn]}}
    status, out = run(audit_module, monkeypatch, tmp_path, capsys, "lib==2.0\n", responses)
    assert status == 0 and "Audited 1 of 1" in out


def test_an_older_release_without_data_is_named_not_passed(audit_module, monkeypatch, tmp_path, capsys):
    responses = {
        f"{audit_module.PYPI}/a/json": {"info": {"version": "9.0"}, "vulnerabilities": []},
        f"{audit_module.PYPI}/b/1.0/json": {"vulnerabilities": []},
    }
    status, out = run(audit_module, monkeypatch, tmp_path, capsys, "a==1.0\nb==1.0\n", responses)
    assert status == 3
    assert "a==1.0 (latest 9.0)" in out and "Audited 1 of 2" in out


def test_nothing_reachable_is_its_own_status(audit_module, monkeypatch, tmp_path, capsys):
    status, out = run(audit_module, monkeypatch, tmp_path, capsys, "a==1.0\n", {})
    assert status == 2 and "not a pass" in out and "No known vulnerabilities" not in out


def test_an_empty_lock_audits_nothing_and_fails(audit_module, monkeypatch, tmp_path, capsys):
    status, out = run(audit_module, monkeypatch, tmp_path, capsys, "# nothing pinned\n", {})
    assert status == 2 and "Audited 0 of 0" in out


def test_ci_fails_when_nothing_was_audited():
    ci = (SCRIPT.parent / "run").read_text(encoding="utf-8")
    assert 'if [ "$status" = 1 ] || [ "$status" = 2 ]; then return 1; fi' in ci
    assert 'run_beside "dependency-audit" audit' in ci and 'wait_beside "dependency-audit"' in ci


def test_malformed_lock_line_is_named(audit_module, tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("flask==3.1\nrequests>=2\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"requirements.lock:2: expected NAME==VERSION"):
        audit_module.locked(lock)
