"""`pbapp select` and `pbapp check-quotas`, run through click's CliRunner."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from pbapp.core.sortition import ALGORITHMS
from pbapp.sortition.cli import check_quotas_command, select_command

from .conftest import FIXTURES, meets_quotas

KEYS = {"algorithm", "version", "input_hash", "panel_size", "panel", "probabilities", "min_probability", "quota_report"}


@pytest.fixture
def runner():
    return CliRunner()


def test_select_json(runner):
    result = runner.invoke(select_command, [str(FIXTURES / "households"), "--json", "--seed", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert KEYS <= set(data)
    assert data["panel_size"] == 4 and len(data["panel"]) == 4
    assert data["min_probability"] == pytest.approx(0.5)
    again = runner.invoke(select_command, [str(FIXTURES / "households"), "--json", "--seed", "3"])
    assert again.output == result.output
    drawn = runner.invoke(select_command, [str(FIXTURES / "households"), "--json", "--draw", "999"])
    assert json.loads(drawn.output)["draw"] == 999


def test_select_text_and_legacy(runner):
    result = runner.invoke(select_command, [str(FIXTURES / "households"), "--algorithm", "legacy", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("legacy (pbapp-legacy 1), input ")
    assert "gender female:" in result.output


def test_select_meets_quotas_on_a_shared_style_pool(runner, tmp_path):
    from pbapp.core.sortition import read_pool

    result = runner.invoke(select_command, [str(FIXTURES / "example_small_20"), "--json"])
    data = json.loads(result.output)
    assert meets_quotas(read_pool(FIXTURES / "example_small_20"), data["panel"])


def test_bad_input_is_one_line_with_file_and_line(runner, tmp_path):
    pool = tmp_path / "pool"
    shutil.copytree(FIXTURES / "households", pool)
    with (pool / "people.csv").open("a", encoding="utf-8") as f:
        f.write("h8,other,young,F\n")
    for command in (select_command, check_quotas_command):
        result = runner.invoke(command, [str(pool)])
        assert result.exit_code == 2
        assert result.output.count("\n") == 1
        assert "people.csv, line 9: unknown value 'other' for 'gender'" in result.output
        assert "Traceback" not in result.output


def test_draw_out_of_range_and_legacy_draw(runner):
    result = runner.invoke(select_command, [str(FIXTURES / "households"), "--draw", "1000"])
    assert result.exit_code == 2 and "from 0 to 999" in result.output
    result = runner.invoke(select_command, [str(FIXTURES / "households"), "--algorithm", "legacy", "--draw", "1"])
    assert result.exit_code == 2


def test_infeasible(runner):
    result = runner.invoke(select_command, [str(FIXTURES / "infeasible")])
    assert result.exit_code == 1
    assert "gender 'female'" in result.output
    result = runner.invoke(check_quotas_command, [str(FIXTURES / "infeasible")])
    assert result.exit_code == 1
    assert "cannot be met" in result.output and "lowering it to 2" in result.output
    result = runner.invoke(check_quotas_command, [str(FIXTURES / "infeasible"), "--json"])
    assert json.loads(result.output)["relaxation"][0]["new_min"] == 2


def test_check_quotas_on_quotas_that_cannot_add_up_reports_the_relaxation(runner, tmp_path):
    pool = tmp_path / "pool"
    pool.mkdir()
    # The gender maximums add up to 2, the panel is 3: the files load and the check says what to change.
    (pool / "features.csv").write_text(
        "feature,value,min,max\ngender,f,1,1\ngender,m,0,1\nage,young,0,3\nage,old,0,3\n", encoding="utf-8"
    )
    (pool / "people.csv").write_text("id,gender,age\na,f,young\nb,m,old\nc,f,old\nd,f,young\n", encoding="utf-8")
    (pool / "instance.json").write_text(json.dumps({"panel_size": 3}), encoding="utf-8")
    result = runner.invoke(check_quotas_command, [str(pool)])
    assert result.exit_code == 1, result.output
    assert "cannot be met" in result.output and "Traceback" not in result.output
    assert "gender 'f': no panel can keep to the maximum of 1; raising it to 2 would work" in result.output
    result = runner.invoke(check_quotas_command, [str(pool), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["relaxation"] == [
        {"feature": "gender", "value": "f", "min": 1, "max": 1, "new_min": 1, "new_max": 2}
    ]


def test_check_quotas_feasible(runner):
    result = runner.invoke(check_quotas_command, [str(FIXTURES / "households")])
    assert result.exit_code == 0 and "can be met" in result.output
    result = runner.invoke(check_quotas_command, [str(FIXTURES / "households"), "--json"])
    assert json.loads(result.output) == {"feasible": True, "problems": [], "relaxation": []}


def test_pbapp_select_json_prints_only_json_on_stdout(tmp_path):
    """The installed command in a real process: whatever the solver prints must stay off stdout.

    highspy 1.16 prints a "Running HiGHS" banner from C when the first solver is made, which
    CliRunner cannot see; only a separate process shows what a JSON consumer would read.
    """
    import subprocess
    import sys

    code = "import sys; from pbapp.cli import main; sys.argv[0] = 'pbapp'; main()"
    for algorithm in ALGORITHMS:
        done = subprocess.run(
            [sys.executable, "-c", code, "select", str(FIXTURES / "households"), "--json", "--algorithm", algorithm],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env={**os.environ, "PBAPP_ENV": "development"},
        )
        assert done.returncode == 0, done.stderr
        data = json.loads(done.stdout)
        assert data["algorithm"] == algorithm and data["panel_size"] == 4
