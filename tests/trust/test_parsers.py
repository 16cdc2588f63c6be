"""Every parser, fed generated and mangled input: only its documented error, always with a line.

Parsers of files people hand us: the Pabulib `.pb` reader and writer, the pool readers (the
shared format and the Sortition Foundation's), the pool upload on top of them, the budget book
CSV reader, money and number fields, and the published ballot log checker. Where a writer
exists (Pabulib, the run's input archive) writing what was read gives back exactly the same.
Example counts stay small so the suite stays fast; each run records how many examples it tried.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from fractions import Fraction
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbapp.core.ballots import pabulib
from pbapp.core.ballots.election import format_number, parse_number
from pbapp.core.chain import GENESIS, link_hash
from pbapp.core.errors import InputError
from pbapp.core.ledger import parse_budget_csv
from pbapp.core.money import MoneyError, format_money, parse_pounds
from pbapp.core.sortition import pool as pool_io
from pbapp.errors import Invalid
from pbapp.pb.counting import LOG_FORMAT_CHAINED as LOG_FORMAT, count, final_ballots, verify_log
from pbapp.sortition import uploads
from pbapp.sortition.services import input_archive
from tests.trust import figures

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like the files: separators, quotes, line ends, a BOM, accents, and the keywords.
CSV_ALPHABET = st.sampled_from(
    list(',;"\n\r \t0123456789-.£()abcAé\ufeff\x00')
    + [
        "META",
        "PROJECTS",
        "VOTES",
        "key",
        "value",
        "budget",
        "vote_type",
        "project_id",
        "cost",
        "voter_id",
        "vote",
        "points",
        "cumulative",
        "approval",
        "feature",
        "min",
        "max",
        "id",
        "household",
        "category",
        "name",
        "ra_line",
        "division",
        "directorate",
        "gross",
        "income",
        "net",
        "Total",
        "Public health",
    ]
)
junk_text = st.lists(CSV_ALPHABET, max_size=80).map("".join)
junk_bytes = st.one_of(
    st.binary(max_size=200),
    junk_text.map(lambda t: t.encode("utf-8")),
    junk_text.map(lambda t: t.encode("cp1252", errors="replace")),
)
word = st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=8)
cell = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=10)
    .map(str.strip)
    .filter(bool)
)


def _lines(text: str) -> int:
    return text.count("\n") + text.count("\r") + 1


def _counted(parser: str) -> None:
    figures.add("parser_examples", 1, detail=parser)


# --- Pabulib ---------------------------------------------------------------------------------


@st.composite
def pb_files(draw) -> str:
    """A valid `.pb` file with a random shape, in the spelling the writer produces."""
    points = draw(st.booleans())
    ids = draw(st.lists(word.filter(lambda w: "," not in w), min_size=1, max_size=5, unique=True))
    costs = [draw(st.integers(0, 10_000)) for _ in ids]
    lines = [
        "META",
        "key;value",
        f"budget;{draw(st.integers(0, 50_000))}",
        f"vote_type;{'cumulative' if points else 'approval'}",
        "PROJECTS",
        "project_id;cost;name",
    ]
    lines += [f"{pid};{cost};{draw(word)}" for pid, cost in zip(ids, costs)]
    lines += ["VOTES", "voter_id;vote;points" if points else "voter_id;vote"]
    for n in range(draw(st.integers(0, 6))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
        row = f"v{n};{','.join(chosen)}"
        if points:
            row += ";" + ",".join(str(draw(st.integers(0, 9))) for _ in chosen)
        lines.append(row)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + (newline if draw(st.booleans()) else "")


def _pb_error_is_documented(text: str, error: Exception) -> None:
    assert isinstance(error, pabulib.PabulibError), repr(error)
    assert error.line is not None and 1 <= error.line <= _lines(text), (error.line, str(error))


@SOME
@given(pb_files())
def test_pabulib_writing_what_was_read_gives_the_same_file(text):
    _counted("pabulib round trip")
    election = pabulib.parse(text)
    assert pabulib.dumps(election) == text
    again = pabulib.parse(pabulib.dumps(election))
    assert again.projects == election.projects and again.votes == election.votes and again.meta == election.meta


@SOME
@given(
    pb_files(),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(["", ";", ",", "\n", "x", "-", '"'])), min_size=1, max_size=4
    ),
)
def test_a_mangled_pabulib_file_is_read_or_refused_with_its_line(text, edits):
    _counted("pabulib reader (mangled)")
    for position, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + (0 if insert else 1) :]
    try:
        election = pabulib.parse(text)
    except Exception as error:  # noqa: BLE001 - the property is about which errors escape
        _pb_error_is_documented(text, error)
    else:
        assert pabulib.parse(pabulib.dumps(election)).votes == election.votes


@SOME
@given(junk_text)
def test_any_text_is_read_or_refused_as_a_pabulib_error(text):
    _counted("pabulib reader (any text)")
    try:
        pabulib.parse(text)
    except Exception as error:  # noqa: BLE001
        _pb_error_is_documented(text, error)


@FEW
@given(pb_files(), st.sampled_from(["cp1252", "utf-8-sig"]))
def test_a_pabulib_file_in_windows_1252_is_refused_by_line_and_a_bom_is_dropped(tmp_path_factory, text, encoding):
    _counted("pabulib file encodings")
    path = tmp_path_factory.mktemp("pb") / "election.pb"
    path.write_bytes(
        text.replace("META", "META", 1)
        .encode(encoding, errors="replace")
        .replace(b"key;value", "key;valué".encode(encoding), 1)
    )
    if encoding == "cp1252":
        with pytest.raises(pabulib.PabulibError, match="election.pb, line 2: The file is not UTF-8"):
            pabulib.read(path)
    else:
        assert pabulib.read(path).projects == pabulib.parse(text).projects


# --- Pools: the shared format, the Sortition Foundation's, and the upload on top ---------------


@st.composite
def core_pools(draw):
    """A valid pool: distinct features and values, loose quotas, 1-10 people."""
    features = draw(
        st.lists(cell.filter(lambda c: c.casefold() not in ("id", "household")), min_size=1, max_size=3, unique=True)
    )
    values = {f: draw(st.lists(cell, min_size=1, max_size=3, unique=True)) for f in features}
    size = draw(st.integers(1, 10))
    panel = draw(st.integers(1, size))
    quotas = tuple(pool_io.Quota(f, v, 0, panel) for f in features for v in values[f])
    people = tuple(
        pool_io.Person(
            f"P{i}", tuple(draw(st.sampled_from(values[f])) for f in features), draw(st.one_of(st.none(), cell))
        )
        for i in range(size)
    )
    return pool_io.Pool(panel, tuple(features), quotas, people)


@FEW
@given(core_pools())
def test_a_pool_written_to_the_run_archive_reads_back_the_same(tmp_path_factory, pool):
    _counted("pool archive round trip")
    snapshot = {
        "name": "",
        "panel_size": pool.panel_size,
        "features": list(pool.features),
        "quotas": [[q.feature, q.value, q.min, q.max] for q in pool.quotas],
        "people": [[p.id, list(p.values), p.household or ""] for p in pool.people],
        "include": [],
        "exclude": [],
    }
    run = SimpleNamespace(id=1, pool_input=json.dumps(snapshot), input_hash="h", commitment="c")
    folder = tmp_path_factory.mktemp("archive")
    with zipfile.ZipFile(io.BytesIO(input_archive(run))) as archive:
        archive.extractall(folder)
    again = pool_io.read_pool(folder / "pool-run-1")
    assert (again.panel_size, again.features, again.quotas, again.people) == (
        pool.panel_size,
        pool.features,
        pool.quotas,
        pool.people,
    )


def _input_error_is_documented(error: Exception, names: tuple[str, ...]) -> None:
    assert isinstance(error, InputError), repr(error)
    assert str(error).startswith(names), str(error)


@SOME
@given(junk_bytes, junk_bytes, st.integers(1, 5))
def test_any_pool_files_are_read_or_refused_naming_the_file(features, people, panel):
    _counted("pool reader (shared format)")
    try:
        pool_io.parse_pool(features, people, panel, sources=("features.csv", "people.csv"))
    except Exception as error:  # noqa: BLE001
        _input_error_is_documented(error, ("features.csv", "people.csv", "panel size"))


@SOME
@given(junk_bytes, junk_bytes, st.integers(1, 5))
def test_any_sortition_foundation_files_are_read_or_refused_naming_the_file(categories, respondents, panel):
    _counted("pool reader (Sortition Foundation)")
    try:
        pool_io.read_sortition_foundation(categories, respondents, panel)
    except Exception as error:  # noqa: BLE001
        _input_error_is_documented(error, ("categories.csv", "respondents.csv", "panel size"))


def _mangle(text: str, edits) -> bytes:
    for position, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + (0 if insert else 1) :]
    return text.encode("utf-8")


EDITS = st.lists(st.tuples(st.integers(0, 2_000), st.sampled_from(["", ",", "\n", '"', "x", "-1", "é"])), max_size=4)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(uploads.FORMATS), EDITS, EDITS, st.integers(1, 6))
def test_a_mangled_pool_upload_is_imported_or_refused_as_invalid(app, fmt, feature_edits, people_edits, panel):
    from tests.sortition import data

    _counted("pool upload (both formats)")
    features, people = (
        (data.FEATURES, data.people(8)) if fmt == uploads.PBAPP_FORMAT else (data.CATEGORIES, data.RESPONDENTS)
    )
    features, people = _mangle(features, feature_edits), _mangle(people, people_edits)
    with app.test_request_context():
        try:
            head = uploads.preview(features, people, fmt, sources=("f.csv", "p.csv"))
            uploads.parse(features, people, fmt, head.mapping, panel_size=panel, salt="s", sources=("f.csv", "p.csv"))
        except Invalid as error:
            assert error.message
        except Exception as error:  # noqa: BLE001
            pytest.fail(f"{fmt}: {error!r}")


@FEW
@given(junk_text)
def test_any_instance_json_is_read_or_refused(text):
    _counted("instance.json reader")
    try:
        assert pool_io.read_panel_size(text) >= 0 or True
    except Exception as error:  # noqa: BLE001
        _input_error_is_documented(error, ("instance.json",))


# --- The budget book -------------------------------------------------------------------------


@st.composite
def budget_files(draw) -> str:
    columns = ["ra_line", "division", "directorate", "gross", "income", "net"]
    rows = [columns]
    for n in range(draw(st.integers(0, 5))):
        gross, income = draw(st.integers(0, 10**9)), draw(st.integers(0, 10**9))
        rows.append(
            [
                draw(st.sampled_from(["Public health", "Adult social care", "Parks", "Total", ""])),
                f"D{n}" + draw(st.sampled_from(["", "é", ",", '"'])),
                draw(st.sampled_from(["Adults", ""])),
                format_money(gross),
                format_money(income),
                draw(st.sampled_from([format_money(gross - income), "", "x", "(1)"])),
            ]
        )
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@SOME
@given(st.one_of(budget_files(), junk_text), EDITS)
def test_any_budget_file_gives_lines_or_errors_with_line_numbers(text, edits):
    _counted("budget book reader")
    text = _mangle(text, edits).decode("utf-8")
    parsed = parse_budget_csv(text)
    assert parsed.lines or parsed.errors
    for error in parsed.errors:
        assert 1 <= error.line <= _lines(text) + 1 and error.message, error
    if parsed.clean:
        assert len({line.key for line in parsed.lines}) == len(parsed.lines)
        assert all(line.net == line.gross - line.income for line in parsed.lines)


@SOME
@given(st.integers(-(10**12), 10**12), st.text(max_size=12))
def test_money_reads_back_what_it_writes_and_refuses_anything_else_plainly(pence, text):
    _counted("money field")
    assert parse_pounds(format_money(pence)) == pence
    try:
        parse_pounds(text)
    except MoneyError as error:
        assert str(error)


@SOME
@given(
    st.fractions(max_denominator=1000).filter(lambda f: f.denominator in (1, 2, 4, 5, 8, 10, 20, 25, 100, 1000)),
    st.text(max_size=10),
)
def test_pabulib_numbers_read_back_what_they_write(value, text):
    _counted("Pabulib number")
    assert parse_number(format_number(value)) == Fraction(value)
    try:
        parse_number(text)
    except ValueError:
        pass


# --- The published ballot log ----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@st.composite
def ballot_logs(draw) -> dict:
    """Documents that start as a log and then have parts missing or of the wrong type."""
    document = {
        "format": LOG_FORMAT,
        "ballot": draw(json_values),
        "options": draw(json_values),
        "entries": draw(
            st.one_of(
                json_values,
                st.lists(
                    st.dictionaries(
                        st.sampled_from(["seq", "voter", "channel", "choices", "hash", "previous_hash"]), json_values
                    ),
                    max_size=3,
                ),
            )
        ),
        "head": draw(json_values),
        "result": draw(json_values),
    }
    for key in draw(st.lists(st.sampled_from(list(document)), max_size=3)):
        document.pop(key, None)
    return document


def _valid_log(choices: list) -> dict:
    settings_ = {
        "title": "T",
        "kind": "approval",
        "budget_pence": 1000,
        "min_choices": 0,
        "max_choices": None,
        "total_points": 0,
        "max_per_project": None,
        "min_spend_percent": 0,
        "rule": "greedy",
        "utility": "cost",
        "seed": 1,
        "partial_funding": False,
    }
    options = [{"ref": r, "title": r.upper(), "cost_pence": 400, "min_pence": 0, "max_pence": 0} for r in "abc"]
    entries, previous = [], GENESIS
    for seq, chosen in enumerate(choices, start=1):
        content = {"seq": seq, "voter": f"v{seq % 3}", "channel": "web", "choices": chosen}
        entries.append({**content, "previous_hash": previous, "hash": link_hash(previous, content)})
        previous = entries[-1]["hash"]
    document = {"format": LOG_FORMAT, "ballot": settings_, "options": options, "entries": entries, "head": previous}
    document["result"] = count(settings_, options, final_ballots(entries))
    return document


@st.composite
def mangled_logs(draw) -> dict:
    """A log that verifies, then with settings, options or entries replaced by other JSON."""
    document = _valid_log(draw(st.lists(st.lists(st.sampled_from("abc"), unique=True), min_size=1, max_size=4)))
    for _ in range(draw(st.integers(1, 3))):
        part = draw(st.sampled_from(["ballot", "options", "entries"]))
        target = document[part]
        if isinstance(target, dict) and target:
            target[draw(st.sampled_from(sorted(target)))] = draw(json_values)
        elif isinstance(target, list) and target:
            item = target[draw(st.integers(0, len(target) - 1))]
            item[draw(st.sampled_from(sorted(item)))] = draw(json_values)
    return document


def test_the_unmangled_log_verifies():
    assert verify_log(_valid_log([["a"], ["b", "c"], ["a", "c"]])) == []


@SOME
@given(st.one_of(ballot_logs(), mangled_logs()))
def test_any_ballot_log_gets_a_list_of_problems_never_a_crash(document):
    _counted("ballot log checker")
    problems = verify_log(document)
    assert isinstance(problems, list) and all(isinstance(p, str) and p for p in problems)
