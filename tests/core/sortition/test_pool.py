"""Reading pools: both layouts, text/bytes/paths, and line-numbered errors."""

from __future__ import annotations

import pytest

from pbapp.core.errors import InputError
from pbapp.core.sortition import Person, Pool, Quota, parse_pool, read_pool, read_sortition_foundation
from pbapp.core.sortition.pool import read_panel_size, read_text

from .conftest import FIXTURES, SHARED_INSTANCES, shared_pool

FEATURES = "feature,value,min,max\ngender,f,1,2\ngender,m,1,2\nage,young,0,2\nage,old,0,2\n"
PEOPLE = "id,gender,age\na,f,young\nb,m,old\nc,f,old\n"


def test_reads_an_instance_directory():
    pool = read_pool(FIXTURES / "households")
    assert pool.name == "households"
    assert pool.panel_size == 4
    assert pool.features == ("gender", "age")
    assert pool.ids[:2] == ("h1", "h2")
    assert pool.households()["A"] == [0, 1]
    assert pool.has_households
    assert pool.value(pool.people[0], "age") == "young"


@pytest.mark.parametrize("name", SHARED_INSTANCES)
def test_reads_every_shared_instance(name):
    pool = shared_pool(name)
    assert pool.size > pool.panel_size


def test_text_bytes_and_bom_give_the_same_pool():
    from_text = parse_pool(FEATURES, PEOPLE, 2)
    from_bytes = parse_pool(("\ufeff" + FEATURES).encode(), b"\xef\xbb\xbf" + PEOPLE.encode(), 2)
    from_bom_text = parse_pool("\ufeff" + FEATURES, PEOPLE, 2)
    assert from_text == from_bytes == from_bom_text
    assert not from_text.has_households


def test_non_utf8_bytes_name_the_line():
    raw = PEOPLE.encode().replace(b"c,f,old", b"c,f,\xe9ld")
    with pytest.raises(InputError, match=r"people.csv, line 4: file is not UTF-8"):
        parse_pool(FEATURES, raw, 2)


def test_unreadable_path():
    with pytest.raises(InputError, match="cannot read file"):
        read_text(FIXTURES / "missing.csv", "missing.csv")


@pytest.mark.parametrize(
    ("features", "people", "k", "message"),
    [
        (FEATURES, "id,gender\na,f\n", 2, r"people.csv, line 1: missing column 'age'"),
        (FEATURES, PEOPLE + "d,x,old\n", 2, r"people.csv, line 5: unknown value 'x' for 'gender'"),
        (FEATURES, PEOPLE + "a,m,old\n", 2, r"people.csv, line 5: duplicate id 'a' \(first on line 2\)"),
        (FEATURES, PEOPLE + ",m,old\n", 2, r"line 5: a volunteer has an empty id"),
        (FEATURES, PEOPLE + "d,m,old,extra\n", 2, r"line 5: 4 fields but the header has 3 columns"),
        (FEATURES, "id,gender,gender\n", 2, r"line 1: column 'gender' appears twice"),
        (FEATURES, "", 2, r"people.csv, line 1: the file is empty"),
        ("feature,value,min\n", PEOPLE, 2, r"features.csv, line 1: missing column 'max'"),
        ("feature,value,min,max\n", PEOPLE, 2, r"features.csv, line 1: no quota rows"),
        ("feature,value,min,max\ngender,f,x,2\n", PEOPLE, 2, r"line 2: min must be a whole number, got 'x'"),
        ("feature,value,min,max\n,f,1,2\n", PEOPLE, 2, r"line 2: empty 'feature'"),
        (FEATURES + "gender,f,0,1\n", PEOPLE, 2, r"line 6: gender 'f' is listed twice"),
        (FEATURES.replace("f,1,2", "f,3,2"), PEOPLE, 2, r"line 2: gender 'f': need 0 <= min <= max"),
        (FEATURES, PEOPLE, 0, r"panel size: panel size must be a whole number of at least 1"),
        (FEATURES.replace("1,2", "0,4"), PEOPLE, 4, r"panel size 4 is larger than the pool \(3 people\)"),
        (FEATURES, 'id,gender,age\na,f,young\nb,"m"x,old\n', 2, r"people.csv, line 3: not valid CSV"),
    ],
)
def test_bad_input_names_file_and_line(features, people, k, message):
    with pytest.raises(InputError, match=message):
        parse_pool(features, people, k)


def test_blank_rows_are_skipped_and_lines_still_count():
    pool = parse_pool(FEATURES, "id,gender,age\n\na,f,young\n,,\nb,m,old\n", 2)
    assert [p.line for p in pool.people] == [3, 5]


def test_error_keeps_line_and_source():
    with pytest.raises(InputError) as info:
        parse_pool(FEATURES, PEOPLE + "d,x,old\n", 2, sources=("q.csv", "p.csv"))
    assert (info.value.line, info.value.source) == (5, "p.csv")
    assert info.value.message.startswith("unknown value")


def test_pool_built_in_code_is_checked():
    quotas = (Quota("g", "f", 0, 1), Quota("g", "m", 0, 1))
    with pytest.raises(InputError, match="no features"):
        Pool(1, (), (), (Person("a", ()),))
    with pytest.raises(InputError, match="unknown feature 'h'"):
        Pool(1, ("g",), (*quotas, Quota("h", "x", 0, 1)), (Person("a", ("f",)),))
    with pytest.raises(InputError, match="feature 'h' has no values"):
        Pool(1, ("g", "h"), quotas, (Person("a", ("f", "x")),))
    with pytest.raises(InputError, match="has 2 feature values, expected 1"):
        Pool(1, ("g",), quotas, (Person("a", ("f", "x")),))
    with pytest.raises(InputError, match="panel size must be a whole number"):
        Pool(True, ("g",), quotas, (Person("a", ("f",)),))
    assert Pool(1, ("g",), quotas, (Person("a", ("f",)),)).size == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"panel_size": 3,\n "notes": }', r"instance.json, line 2: not valid JSON"),
        ('{"notes": "x"}', r"instance.json: missing 'panel_size'"),
        ("[]", r"missing 'panel_size'"),
        ('{"panel_size": "3"}', r"'panel_size' must be a whole number"),
    ],
)
def test_instance_json_errors(text, message):
    with pytest.raises(InputError, match=message):
        read_panel_size(text)


def test_read_pool_needs_a_directory(tmp_path):
    with pytest.raises(InputError, match="not a directory"):
        read_pool(tmp_path / "nope")


def test_sortition_foundation_layout():
    d = FIXTURES / "sf_layout"
    pool = read_sortition_foundation(
        d / "categories.csv", d / "respondents.csv", 2, address_columns=["primary_address1", "zip_royal_mail"]
    )
    assert pool.ids == ("1", "2", "3", "4")
    assert [p.values[0] for p in pool.people] == ["Female", "Male", "Female", "Male"]
    assert list(pool.households().values()) == [[0, 1], [2], [3]]
    assert pool.has_households


def test_sortition_foundation_layout_from_text_with_named_id():
    categories = "feature,value,min,max\nage,Young,1,1\nage,Old,1,1\n"
    respondents = "ref,age,email\nr1,young,x@example.org\nr2, OLD ,y@example.org\n"
    pool = read_sortition_foundation(categories, respondents, 2, id_column="ref")
    assert [p.values for p in pool.people] == [("Young",), ("Old",)]
    assert not pool.has_households
    with pytest.raises(InputError, match="respondents.csv, line 1: missing column 'street'"):
        read_sortition_foundation(categories, respondents, 2, id_column="ref", address_columns=["street"])
    with pytest.raises(InputError, match=r"respondents.csv, line 3: unknown value 'middle'"):
        read_sortition_foundation(categories, "id,age\nr1,young\nr2,middle\n", 2)


def test_indices_of_ids():
    from pbapp.core.errors import CoreError

    pool = parse_pool(FEATURES, PEOPLE, 2)
    assert pool.indices(["c", "a"]) == {0, 2}
    with pytest.raises(CoreError, match="'zz' is not in the pool"):
        pool.indices(["a", "zz"])
