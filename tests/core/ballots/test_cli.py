"""`pbapp tally`: tables, JSON and clean errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pbapp.pb.cli import tally_command

from .conftest import FIXTURES

ASSEN = str(FIXTURES / "Netherlands_Assen_2024.pb")


def run(*args):
    return CliRunner().invoke(tally_command, list(args))


def test_json_has_the_agreed_keys():
    result = run(ASSEN, "--rule", "equalshares/add1", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["rule"] == "equalshares/add1" and data["budget"] == 100000
    assert data["selected"][:2] == ["3", "9"]
    assert data["spent"] == 76700
    assert set(data["explanations"]) == {str(i) for i in range(1, 15)}


def test_table_lists_funded_projects_first_and_ties():
    result = run(ASSEN, "--rule", "equalshares/add1", "--utility", "cost")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Rule: equalshares/add1 (cost utility)"
    assert lines[1] == "Budget: 100,000 EUR   Spent: 76,700 EUR"
    assert lines[3].split()[:2] == ["1", "3"]
    assert "Tie (round 3): 2, 11; 2 chosen by lower cost." in lines


def test_greedy_table_has_no_utility():
    result = run(ASSEN, "--rule", "greedy", "--seed", "4")
    assert result.output.splitlines()[0] == "Rule: greedy"


def test_malformed_file_gives_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;abc\nVOTES\nvoter_id;vote\n")
    result = run(str(bad), "--rule", "greedy")
    assert result.exit_code == 2
    assert result.output == "Error: bad.pb, line 6: Project 1 has cost 'abc', which is not a number.\n"


def test_missing_or_binary_file_gives_one_line_and_exit_2(tmp_path):
    result = run(str(tmp_path / "none.pb"), "--rule", "greedy")
    assert result.exit_code == 2
    assert result.output.startswith("Error: none.pb: ") and result.output.count("\n") == 1
    binary = tmp_path / "bin.pb"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    result = run(str(binary), "--rule", "greedy")
    assert result.exit_code == 2 and result.output.startswith("Error: bin.pb, line 1: ")
