"""The address lottery: households to invite, stratified and reproducible from a public seed."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from pbapp.core.errors import InputError
from pbapp.core.sortition.addresses import draw_addresses, rank, read_addresses, shares


def address_list(n: int = 1000) -> str:
    areas = ("Darwen", "Blackburn North", "Blackburn South")
    rows = [
        f"{100000 + i},{i} Mill Lane,BB{1 + i % 3} 7DY,{areas[i % 3] if i % 10 else 'Darwen'},{1 + i % 10}"
        for i in range(n)
    ]
    return "uprn,address,postcode,area,imd_decile\n" + "\n".join(rows) + "\n"


def test_the_draw_is_stratified_in_proportion():
    addresses, header = read_addresses(address_list(), strata_columns=("area",))
    assert header == ["uprn", "address", "postcode", "area", "imd_decile"]
    sizes = Counter(a.stratum for a in addresses)
    result = draw_addresses(addresses, 100, "2026-12-05 Lotto 3 14 22 31 40 47")
    drawn = Counter(a.stratum for a in result.chosen)
    assert sum(drawn.values()) == 100 and len({a.id for a in result.chosen}) == 100
    for stratum, size in sizes.items():
        assert abs(drawn[stratum] - 100 * size / 1000) < 1
        assert result.strata[stratum] == (size, drawn[stratum])


def test_anyone_can_recreate_the_draw_from_the_seed():
    addresses, _header = read_addresses(address_list(300), strata_columns=("area", "imd_decile"))
    seed = "public seed"
    result = draw_addresses(addresses, 60, seed)
    assert result == draw_addresses(list(reversed(addresses)), 60, seed)
    for stratum, (_size, letters) in result.strata.items():
        members = [a.id for a in addresses if a.stratum == stratum]
        expected = sorted(members, key=lambda i: hashlib.sha256(f"{seed}|{i}".encode()).hexdigest())[:letters]
        assert sorted(a.id for a in result.chosen if a.stratum == stratum) == sorted(expected)
    assert rank(seed, "100000") == hashlib.sha256(b"public seed|100000").hexdigest()
    assert draw_addresses(addresses, 60, "another seed").chosen != result.chosen


def test_largest_remainders_share_the_letters():
    assert shares({("a",): 5, ("b",): 3, ("c",): 2}, 5) == {("a",): 3, ("b",): 1, ("c",): 1}
    assert sum(shares({("a",): 7, ("b",): 7, ("c",): 7}, 10).values()) == 10
    assert shares({("a",): 1, ("b",): 99}, 100) == {("a",): 1, ("b",): 99}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("uprn,area\n1,A\n1,B\n", "line 3: address '1' is listed twice"),
        ("uprn,area\n1,A\n,B\n", "line 3: empty 'uprn'"),
        ("id,area\n1,A\n", "line 1: missing column 'uprn'"),
        ("uprn,ward\n1,A\n", "line 1: missing column 'area'"),
    ],
)
def test_a_faulty_address_list_is_refused_with_its_line(text, message):
    with pytest.raises(InputError, match=message):
        read_addresses(text, strata_columns=("area",))


def test_the_draw_needs_a_seed_and_a_sensible_number():
    addresses, _header = read_addresses(address_list(10))
    with pytest.raises(InputError, match="public seed"):
        draw_addresses(addresses, 5, " ")
    with pytest.raises(InputError, match="from 1 to the 10 addresses"):
        draw_addresses(addresses, 11, "seed")


def test_mail_merge_rows_give_every_column_the_rank_and_a_code_per_letter():
    from pbapp.core.sortition.addresses import mail_merge_rows

    addresses, header = read_addresses(address_list(20))
    result = draw_addresses(addresses, 3, "seed")
    rows = mail_merge_rows(result, header, ["A", "B", "C"])
    assert [r[0] for r in rows] == [a.id for a in result.chosen] and [r[-1] for r in rows] == ["A", "B", "C"]
    assert rows[0][-2] == rank("seed", result.chosen[0].id) and len(rows[0]) == len(header) + 2
    assert len(mail_merge_rows(result, header)[0]) == len(header) + 1
    with pytest.raises(ValueError, match="one registration code per drawn address"):
        mail_merge_rows(result, header, ["A"])
