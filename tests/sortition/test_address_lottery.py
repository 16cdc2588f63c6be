"""`pbapp draw-addresses`: the households to invite, each letter with a registration code for the pool."""

from __future__ import annotations

import csv
import io

from sqlmodel import func, select

from pbapp.sortition import services
from pbapp.sortition.commands import draw_addresses_command
from pbapp.sortition.models import InvitationCode
from tests.core.sortition.test_addresses import address_list


def test_the_draw_writes_the_letters_with_codes_that_open_the_pool(app, db, council, empty_pool, tmp_path):
    source = tmp_path / "addressbase.csv"
    source.write_text(address_list(200), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(
        draw_addresses_command,
        [
            str(source),
            "--letters",
            "40",
            "--seed",
            "lotto 5 Dec",
            "--by",
            "area",
            "--by",
            "imd_decile",
            "--council",
            council.slug,
            "--pool",
            str(empty_pool.id),
        ],
    )
    assert result.exit_code == 0, result.output
    out = result.stdout if hasattr(result, "stdout") else result.output
    rows = list(csv.DictReader(io.StringIO(out[out.index("uprn,") :])))
    assert len(rows) == 40 and {"uprn", "address", "postcode", "area", "imd_decile", "rank", "code"} <= set(rows[0])
    assert (
        db.exec(select(func.count()).select_from(InvitationCode).where(InvitationCode.pool_id == empty_pool.id)).one()
        == 40
    )
    _code, pool = services.open_code(db, council, rows[0]["code"])
    assert pool.id == empty_pool.id
    again = runner.invoke(
        draw_addresses_command,
        [str(source), "--letters", "40", "--seed", "lotto 5 Dec", "--by", "area", "--by", "imd_decile"],
    )
    assert [r["uprn"] for r in csv.DictReader(io.StringIO(again.output[again.output.index("uprn,") :]))] == [
        r["uprn"] for r in rows
    ]


def test_a_faulty_list_is_refused_and_no_code_is_issued(app, db, council, empty_pool, tmp_path):
    source = tmp_path / "addresses.csv"
    source.write_text("uprn,area\n1,A\n1,B\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        draw_addresses_command,
        [
            str(source),
            "--letters",
            "1",
            "--seed",
            "s",
            "--by",
            "area",
            "--council",
            council.slug,
            "--pool",
            str(empty_pool.id),
        ],
    )
    assert result.exit_code == 2 and "line 3" in result.output
    assert (
        db.exec(select(func.count()).select_from(InvitationCode).where(InvitationCode.pool_id == empty_pool.id)).one()
        == 0
    )
