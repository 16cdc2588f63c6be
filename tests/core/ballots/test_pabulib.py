"""Reading and writing Pabulib files: exact round trips and line-numbered errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pbapp.core.ballots import pabulib
from pbapp.core.ballots.election import Election

from .conftest import FIXTURES, shared_files

GOOD = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;60;Benches
2;40,5;Lights
VOTES
voter_id;vote
a;1,2
b;
"""


def test_reads_meta_projects_and_votes():
    election = pabulib.parse(GOOD)
    assert election.budget == 100
    assert [p.id for p in election.projects] == ["1", "2"]
    assert election.projects[1].cost == Fraction(81, 2)
    assert election.projects[0].name == "Benches"
    assert [v.projects for v in election.votes] == [("1", "2"), ()]


def test_reads_points_and_ordinal_scores(tiny_points):
    assert tiny_points.votes[0].points == (3, 2)
    assert tiny_points.scores(tiny_points.votes[0]) == (3, 2)


SMALL_SHARED = [p for p in shared_files() if p.stat().st_size < 500_000]


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("*.pb")) + SMALL_SHARED, ids=lambda p: p.parent.name + "/" + p.stem
)
def test_writing_what_was_read_gives_the_same_file(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    if "\r\n" in text and "\n" in text.replace("\r\n", ""):
        # A file mixing line endings comes back with the first line's ending throughout.
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    assert pabulib.dumps(pabulib.parse(text)) == text


def test_write_and_read_a_built_election(tmp_path):
    built = Election.build(
        Fraction(21, 2), {"p": 5, "q": Fraction(11, 2)}, [{"p": 1}, {"q": 2}], vote_type="cumulative"
    )
    path = tmp_path / "built.pb"
    pabulib.write(built, path)
    again = pabulib.read(path)
    assert again.budget == Fraction(21, 2)
    assert again.projects == built.projects
    assert again.votes[1].points == (2,)
    assert pabulib.dumps(again) == pabulib.dumps(built)


def test_a_changed_meta_value_is_written_plainly():
    election = pabulib.parse(GOOD.replace("budget;100", "budget; 100 "))
    assert "budget; 100 \n" in pabulib.dumps(election)
    election.meta["budget"] = "200"
    assert "budget;200\n" in pabulib.dumps(election)


def test_keeps_windows_line_endings_and_a_missing_final_newline():
    text = GOOD.replace("\n", "\r\n").rstrip("\r\n")
    election = pabulib.parse(text)
    assert election.newline == "\r\n" and not election.final_newline
    assert pabulib.dumps(election) == text


def bad(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (bad("META\n", ""), 1, "start with a META"),
        (GOOD.replace("VOTES\nvoter_id;vote\na;1,2\nb;\n", ""), 8, "ends without a VOTES section"),
        ("", 1, "ends without a META section"),
        (GOOD.replace("VOTES\nvoter_id;vote\na;1,2\nb;\n", "VOTES\n"), 9, "no header"),
        (bad("PROJECTS\n", "VOTES\n"), 5, "Expected the PROJECTS section"),
        (GOOD + "VOTES\n", 13, "appears twice"),
        (bad("1;60;Benches", "1;60"), 7, "Expected 3 columns"),
        (bad("2;40,5;Lights", "2;forty;Lights"), 8, "not a number"),
        (bad("2;40,5;Lights", "2;-4;Lights"), 8, "negative cost"),
        (bad("2;40,5;Lights", "1;4;Lights"), 8, "listed twice"),
        (bad("2;40,5;Lights", ";4;Lights"), 8, "no project_id"),
        (bad("a;1,2", "a;1,3"), 11, "project 3, which is not in PROJECTS"),
        (bad("b;", "a;"), 12, "appears twice"),
        (bad("budget;100\n", ""), 1, "no budget"),
        (bad("budget;100", "budget;lots"), 1, "not a number"),
        (bad("vote_type;approval", "vote_type;quadratic"), 1, "vote_type"),
        (bad("project_id;cost;name", "project_id;price;name"), 6, "no cost column"),
        (bad("voter_id;vote\n", "voter_id;ballot\n"), 10, "no vote column"),
    ],
)
def test_malformed_files_name_the_line(text, line, words):
    with pytest.raises(pabulib.PabulibError) as err:
        pabulib.parse(text, source="x.pb")
    assert err.value.line == line
    assert words in str(err.value)
    assert str(err.value).startswith("x.pb")


POINTS = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace("voter_id;vote\n", "voter_id;vote;points\n")


@pytest.mark.parametrize(
    ("votes", "words"),
    [
        ("a;1,2;3\nb;;\n", "2 projects but 1 points"),
        ("a;1,2;3,x\nb;;\n", "not numbers"),
        ("a;1,2;3,-1\nb;;\n", "negative points"),
    ],
)
def test_bad_points(votes, words):
    text = POINTS.replace("a;1,2\nb;\n", votes)
    with pytest.raises(pabulib.PabulibError, match=words):
        pabulib.parse(text)


def test_points_ballot_may_be_empty():
    election = pabulib.parse(POINTS.replace("a;1,2\nb;\n", "a;1,2;3,1\nb;;\n"))
    assert election.votes[1].points is None and election.votes[1].projects == ()


def test_blank_lines_are_ignored():
    election = pabulib.parse(GOOD.replace("PROJECTS\n", "\n  \nPROJECTS\n"))
    assert len(election.projects) == 2


def test_spaces_and_empty_items_in_a_vote_are_tolerated():
    election = pabulib.parse(GOOD.replace("a;1,2", "a; 1 ,,2"))
    assert election.votes[0].projects == ("1", "2")
