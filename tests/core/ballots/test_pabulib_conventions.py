"""Pabulib's conventions both ways: every shared file read, written and read back the same.

The fast reader (one pass, ballots counted as text) must give the same election and the same
compressed profile as the line-by-line reader; writing what was read gives the file's bytes
back, and writing from the parsed values (`verbatim=False`) reads back to the same election and
the same outcomes. Also the conventions Pabulib's files rely on: a project listed twice on a
ballot counted once with a warning, the score threshold under every greedy rule, the
withdrawn-project cost, and the file-order tie-break.
"""

from __future__ import annotations

import numpy as np
import pytest

from pbapp.core.ballots import pabulib, tally
from pbapp.core.ballots.election import Profile

from .conftest import FIXTURES, shared_files

SHARED = shared_files()
# A few small files covering approval, choose-1, cumulative and ordinal ballots.
FAST = [
    p
    for p in SHARED
    if p.stem
    in {
        "Netherlands_Assen_2024",
        "Switzerland_Zurich_D10",
        "Switzerland_Zurich_S5R",
        "Poland_Swiecie_2023",
        "Poland_Zabrze_2020",
        "Worldwide_Mechanical_Turk_Utilities_8",
    }
]


def same_profile(a: Profile, b: Profile) -> None:
    assert a.ids == b.ids and a.costs == b.costs and a.budget == b.budget and a.n_voters == b.n_voters
    for name in ("weights", "indptr", "indices", "scores", "support", "approvals"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def same_election(a, b) -> None:
    assert a.meta == b.meta
    assert [(p.id, p.cost) for p in a.projects] == [(p.id, p.cost) for p in b.projects]
    assert [{k: v for k, v in p.fields.items() if k != "cost"} for p in a.projects] == [
        {k: v for k, v in p.fields.items() if k != "cost"} for p in b.projects
    ]
    assert [(v.voter_id, v.projects, v.points) for v in a.votes] == [
        (v.voter_id, v.projects, v.points) for v in b.votes
    ]
    assert a.project_columns == b.project_columns and a.vote_columns == b.vote_columns


def round_trip(path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    election = pabulib.read(path)
    careful = pabulib.parse_lines(text, source=path.name)
    # The fast reader and the line-by-line reader agree on everything, warnings included.
    same_profile(Profile.of(election), Profile.of(careful))
    assert election.warnings == careful.warnings
    same_election(election, careful)
    # Written as read: the same text (a file mixing line endings comes back with the first
    # line's ending throughout).
    if "\r\n" in text and "\n" in text.replace("\r\n", ""):
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    assert pabulib.dumps(election) == text
    # Written from the parsed values: the same election, profile and outcomes.
    again = pabulib.parse(pabulib.dumps(election, verbatim=False), source=path.name)
    same_election(again, election)
    same_profile(Profile.of(again), Profile.of(election))
    assert again.warnings == []
    for rule in ("greedy", "equalshares", "phragmen"):
        assert tally(again, rule).selected == tally(election, rule).selected, rule
    city = election.meta.get("rule", "")
    if city.startswith("greedy") and city != "greedy-exclusive":
        assert tally(again, city).selected == tally(election, city).selected


@pytest.mark.parametrize("path", FAST, ids=lambda p: p.stem)
def test_small_shared_files_round_trip(path):
    round_trip(path)


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in SHARED if p not in FAST], ids=lambda p: p.stem)
def test_every_shared_file_round_trips(path):
    round_trip(path)


def test_the_fast_set_covers_every_ballot_kind():
    if not SHARED:
        pytest.skip("shared Pabulib data is absent")
    kinds = {pabulib.read(p).vote_type for p in FAST}
    assert kinds == {"approval", "choose-1", "cumulative", "ordinal"}


BASE = """META
key;value
budget;100
vote_type;{kind}
rule;{rule}
{extra}PROJECTS
project_id;cost
1;60
2;40
3;50
VOTES
voter_id;vote{points_header}
{votes}"""


def text(votes: str, *, kind="approval", rule="greedy", extra="", points=False) -> str:
    return BASE.format(kind=kind, rule=rule, extra=extra, votes=votes, points_header=";points" if points else "")


def test_a_project_listed_twice_is_counted_once_with_a_warning():
    election = pabulib.parse(text("a;1,2,1\nb;2\nc;3,3\n"))
    assert [v.projects for v in election.votes] == [("1", "2"), ("2",), ("3",)]
    assert len(election.warnings) == 1
    assert "2 voters" in election.warnings[0] and "voter a, c" in election.warnings[0]
    assert list(Profile.of(election).approvals) == [1, 2, 1]
    careful = pabulib.parse_lines(text("a;1,2,1\nb;2\nc;3,3\n"))
    assert careful.warnings == election.warnings
    same_profile(Profile.of(careful), Profile.of(election))


def test_a_project_listed_twice_keeps_its_first_points():
    election = pabulib.parse(text("a;1,2,1;5,3,2\n", kind="cumulative", points=True))
    assert election.votes[0].projects == ("1", "2") and election.votes[0].points == (5, 3)
    assert list(Profile.of(election).support) == [5, 3, 0]


def test_the_meta_threshold_applies_under_every_greedy_rule():
    votes = "a;1\nb;1\nc;2\nd;3\n"
    extra = "min_project_score_threshold;2\n"
    for rule in ("greedy", "greedy-no-skip", "greedy-threshold"):
        election = pabulib.parse(text(votes, rule=rule, extra=extra))
        outcome = tally(election, rule)
        assert outcome.selected == ["1"], rule
        assert "below the threshold" in outcome.explanations["2"].reason
        # As pabutools counts greedy: no threshold.
        assert tally(election, rule, threshold=0).selected == ["1", "2"]


def test_a_withdrawn_project_is_passed_over_not_a_stop():
    election = pabulib.parse(text("a;3,1\nb;3,1\nc;3\nd;2\n").replace("3;50", "3;999999999"))
    outcome = tally(election, "greedy-no-skip")
    assert outcome.selected == ["1", "2"]
    assert "withdrawn" in outcome.explanations["3"].reason
    # A real project that does not fit still stops counting.
    stop = pabulib.parse(text("a;3,1\nb;3,1\nc;3\nd;2\n").replace("3;50", "3;101"))
    assert tally(stop, "greedy-no-skip").selected == []


def test_the_tie_break_can_follow_the_file_order():
    # 1 and 3 tie on support and cost; only one of them fits.
    election = pabulib.parse(text("a;1,3\nb;1,3\n").replace("3;50", "3;60"))
    for rule in ("greedy", "greedy-no-skip", "equalshares", "phragmen", "equalshares/add1"):
        by_file = [tally(election, rule, seed=s, tie_break="file") for s in range(8)]
        assert {o.selected[0] for o in by_file} == {"1"}, rule
        assert by_file[0].ties and by_file[0].ties[0].decided_by == "file order", rule
        assert by_file[0].details["tie_break"] == "file"
        # The default order goes to the seeded lot, which picks 3 for some seeds.
        assert {tally(election, rule, seed=s).selected[0] for s in range(8)} == {"1", "3"}, rule


def test_faults_in_votes_still_name_their_line():
    for votes, line, words in [
        ("a;1\nb;1,9\n", 14, "project 9, which is not in PROJECTS"),
        ("a;1\na;2\n", 14, "appears twice"),
        ("a;1\nb;1;x\n", 14, "Expected 2 columns"),
    ]:
        with pytest.raises(pabulib.PabulibError) as err:
            pabulib.parse(text(votes))
        assert err.value.line == line and words in str(err.value)


def test_fast_reader_builds_votes_only_when_asked():
    election = pabulib.parse(text("a;1\nb;2\n"))
    assert election._profile is not None
    assert len(election.votes) == 2
    assert [v.voter_id for v in election.votes] == ["a", "b"]


def _random_file(rnd) -> str:
    kind = rnd.choice(["approval", "cumulative", "ordinal", "choose-1", "scoring"])
    points = kind in ("cumulative", "scoring") or (kind == "ordinal" and rnd.random() < 0.5)
    ids = [str(i) for i in range(1, rnd.randint(2, 6))]
    lines = ["META", "key;value", "budget;100", f"vote_type;{kind}", "PROJECTS", "project_id;cost"]
    lines += [f"{i};{rnd.randint(0, 80)}" for i in ids]
    lines += ["VOTES", "voter_id;vote" + (";points" if points else "")]
    for n in range(rnd.randint(0, 8)):
        chosen = rnd.sample(ids, rnd.randint(0, len(ids)))
        if chosen and rnd.random() < 0.2:
            chosen.append(chosen[0])
        row = f"v{n};{','.join(chosen)}"
        if points:
            row += ";" + ",".join(str(rnd.randint(0, 9)) for _ in chosen)
        lines.append(row)
    newline = rnd.choice(["\n", "\r\n"])
    text = newline.join(lines) + (newline if rnd.random() < 0.5 else "")
    for _ in range(rnd.randint(0, 4)):
        at = rnd.randint(0, len(text))
        insert = rnd.choice(["", ";", ",", "\n", "x", "-", '"', " ", "\r", "1"])
        text = text[:at] + insert + text[at + (0 if insert else 1) :]
    return text


def test_the_fast_reader_agrees_with_the_careful_one_on_mangled_files():
    """Seeded random files, mangled: both readers give the same election or the same error."""
    import random

    rnd = random.Random(20)
    read = refused = 0
    for _ in range(1500):
        text = _random_file(rnd)
        try:
            careful = pabulib.parse_lines(text)
        except pabulib.PabulibError as error:
            with pytest.raises(pabulib.PabulibError) as fast_error:
                pabulib.parse(text)
            assert (str(fast_error.value), fast_error.value.line) == (str(error), error.line), text
            refused += 1
            continue
        fast = pabulib.parse(text)
        same_profile(Profile.of(fast), Profile.of(careful))
        assert fast.warnings == careful.warnings, text
        assert tuple(fast.votes) == careful.votes
        read += 1
    assert read > 300 and refused > 300


def read_as_the_careful_reader_reads_it(file: str) -> None:
    """`parse` gives the line-by-line reader's profile and warnings, or its error on the same line."""
    try:
        careful = pabulib.parse_lines(file)
    except pabulib.PabulibError as error:
        with pytest.raises(pabulib.PabulibError) as fast_error:
            pabulib.parse(file)
        assert (str(fast_error.value), fast_error.value.line) == (str(error), error.line)
        return
    fast = pabulib.parse(file)
    same_profile(Profile.of(fast), Profile.of(careful))
    assert fast.warnings == careful.warnings


def test_equal_hashes_never_merge_different_ballots_items_or_points(monkeypatch):
    """The byte reader groups fields by hash, then checks them byte for byte: a collision costs time, not votes."""

    def first_byte(rows, length):
        return pabulib._mix(rows[:, 0] & np.uint64(0xFF))  # fields that start alike collide

    monkeypatch.setattr(pabulib, "_row_hash", first_byte)
    files = [
        text("a;1,2\nb;1,3\nc;1,2\nd;\n"),
        text("a;1\nb;2,12\n"),  # 12 is no project: its first byte is 1's
        text("a;1,2;3,4\nb;1,2;4,3\nc;1,2;3,40\n", kind="cumulative", points=True),
        text("a;1,2;3,4\nb;2,1;4,40\n", kind="cumulative", points=True),  # points 4 and 40 start alike
        text("a;3,1\nb;3,2\nc;3,1\n", kind="ordinal"),
    ]
    for file in files:
        read_as_the_careful_reader_reads_it(file)


LONG = "x" * 1100  # wider than the byte reader packs a field


@pytest.mark.parametrize(
    "file",
    [
        pytest.param(text("a;1\nb;2\n").replace("voter_id;vote", "voter_id;vote;vote"), id="a column twice"),
        pytest.param(text(f"a;1\n{LONG};2\n"), id="long voter id"),
        pytest.param(text(f"a;1\nb;{LONG}\n"), id="long item"),
        pytest.param(text("a;1\n").replace("3;50\n", f"3;50\n{LONG};5\n"), id="long project id"),
        pytest.param(text("a;" + ",".join(["1", "2", "3"] * 200) + "\n"), id="long ballot"),
        pytest.param(text("a;1;" + ",".join(["1"] * 400) + "\n", kind="cumulative", points=True), id="long points"),
        pytest.param(text(f"a;1;{LONG}\n", kind="cumulative", points=True), id="long point"),
        pytest.param(text("a;1,2;3,x\n", kind="cumulative", points=True), id="points not a number"),
        pytest.param(text("a;1,2;3,-1\n", kind="cumulative", points=True), id="negative points"),
        pytest.param(text("a;1\n a;2\n"), id="a voter twice, once with a space"),
        pytest.param(text("a;1\nb;2\n").replace("1;60\n2;40\n3;50\n", ""), id="no projects"),
        pytest.param(text("").replace("1;60\n2;40\n3;50\n", ""), id="no projects, no votes"),
    ],
)
def test_unusual_votes_read_as_the_careful_reader_reads_them(file):
    read_as_the_careful_reader_reads_it(file)


def test_a_file_that_is_not_utf8_in_its_votes_is_refused_by_line(tmp_path):
    path = tmp_path / "latin1.pb"
    path.write_bytes(text("a;1\nb;2\n").encode() + "Zo\xeb;3\n".encode("latin-1"))
    with pytest.raises(pabulib.PabulibError) as error:
        pabulib.read(path)
    assert error.value.line == 15 and "not UTF-8" in str(error.value)


def test_project_ids_of_one_hash_are_looked_up_by_text(monkeypatch):
    monkeypatch.setattr(pabulib, "_row_hash", lambda rows, length: pabulib._mix(rows[:, 0] & np.uint64(0xFF)))
    file = text("a;1,3\nb;31\n").replace("3;50\n", "3;50\n31;5\n")  # 3 and 31 start alike
    same_profile(Profile.of(pabulib.parse(file)), Profile.of(pabulib.parse_lines(file)))


def test_shared_files_are_read_without_the_text_of_each_ballot(monkeypatch):
    """The fixture files (every ballot kind) take the byte reader, not the slower text reader."""

    def text_reader(*args):
        raise AssertionError("read through the text reader")

    monkeypatch.setattr(pabulib, "_ballots_from_text", text_reader)
    for path in sorted(FIXTURES.glob("*.pb")):
        election = pabulib.read(path)
        same_profile(Profile.of(election), Profile.of(pabulib.parse_lines(path.read_text(encoding="utf-8-sig"))))


def test_the_tally_command_takes_the_conventions(tmp_path):
    import json

    from click.testing import CliRunner

    from pbapp.pb.cli import tally_command

    path = tmp_path / "ties.pb"
    path.write_text(text("a;1,3,1\nb;1,3\n", extra="min_project_score_threshold;3\n").replace("3;50", "3;60"))

    def run(*args):
        result = CliRunner().invoke(tally_command, [str(path), "--rule", "greedy", "--json", *args])
        assert result.exit_code == 0, result.output
        return result

    # META's threshold (3) leaves out everything; --threshold 0 counts as pabutools does.
    assert json.loads(run().stdout)["selected"] == []
    assert json.loads(run("--threshold", "0", "--tie-break", "file").stdout)["selected"] == ["1", "2"]
    assert "voter a" in run().stderr and "counted once" in run().stderr
    bad = CliRunner().invoke(tally_command, [str(path), "--rule", "greedy", "--threshold", "lots"])
    assert bad.exit_code == 2 and "not a number" in bad.output
