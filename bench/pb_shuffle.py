"""How long moving a ballot's vote rows out of their written order takes, and what votes wait meanwhile.

Run from the repository root against a scratch PostgreSQL database (its tables pb_vote,
pb_code_binding and pb_voting_code are dropped and made again, with the columns, keys and
constraints of the app's, without the foreign keys to the rest of the schema):

    .venv/bin/python bench/pb_shuffle.py postgresql://postgres@127.0.0.1:5432/bench_shuffle [--votes 10000 100000]

For each size it fills one ballot with that many votes (half of them by letters bound to
accounts, every vote using a code), then times `pbapp.pb.shuffle.move_rows` and, for comparison,
CLUSTER of the three tables on their primary keys. While each runs, another connection keeps
casting votes as the app does (the letter-code statement of pbapp.pb.services, one in autocommit
each): new voters, and voters changing a ballot, and the longest wait of each kind is printed
beside the median vote with nothing else running.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

import psycopg  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from pbapp.pb import shuffle  # noqa: E402
from pbapp.pb.models import random_id  # noqa: E402
from pbapp.pb.services import _PG_RECORD_BALLOT  # noqa: E402

SCHEMA = """
DROP TABLE IF EXISTS pb_code_binding, pb_vote, pb_voting_code, pb_ballot;
CREATE TABLE pb_ballot (id int PRIMARY KEY, frozen_at timestamptz, closed_at timestamptz,
    results_published_at timestamptz, opens_at timestamptz, closes_at timestamptz);
CREATE TABLE pb_voting_code (id serial PRIMARY KEY, ballot_id int NOT NULL REFERENCES pb_ballot, batch_id int NOT NULL,
    area_id int, code_hash varchar(64) NOT NULL UNIQUE, used boolean NOT NULL DEFAULT false);
CREATE INDEX ON pb_voting_code (ballot_id);
CREATE TABLE pb_vote (id bigint PRIMARY KEY, ballot_id int NOT NULL REFERENCES pb_ballot, voter_key varchar(64) NOT NULL,
    choices text NOT NULL, channel varchar(8) NOT NULL, area_id int, receipt varchar(64) NOT NULL,
    changes int NOT NULL, CONSTRAINT uq_pb_vote_ballot_voter UNIQUE (ballot_id, voter_key));
CREATE INDEX ON pb_vote (ballot_id);
CREATE TABLE pb_code_binding (id bigint PRIMARY KEY, ballot_id int NOT NULL REFERENCES pb_ballot,
    account_key varchar(64) NOT NULL, code_key varchar(64) NOT NULL, code_id int REFERENCES pb_voting_code, area_id int,
    UNIQUE (ballot_id, account_key), UNIQUE (ballot_id, code_key));
CREATE INDEX ON pb_code_binding (ballot_id);
INSERT INTO pb_ballot (id, frozen_at) VALUES (1, now());
"""


def _fill(url: str, votes: int) -> list[tuple[int, str]]:
    """One ballot with `votes` votes, each using a code, half by letters bound to accounts; return the voters.

    Written in bulk (the rows' order and xmin do not change what a move costs).
    """
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(SCHEMA)
        connection.execute(
            "INSERT INTO pb_voting_code (ballot_id, batch_id, code_hash, used) "
            "SELECT 1, 1, md5(random()::text || g), g <= %s FROM generate_series(1, %s) g",
            (votes, votes * 2),
        )
        connection.execute(
            "INSERT INTO pb_vote SELECT (random() * 9e18)::bigint, 1, md5(g::text) || md5(random()::text), "
            "'[\"a\", \"b\"]', 'online', NULL, md5(random()::text) || md5(random()::text), 0 "
            "FROM generate_series(1, %s) g",
            (votes,),
        )
        connection.execute(
            "INSERT INTO pb_code_binding SELECT (random() * 9e18)::bigint, 1, md5(random()::text) || md5(g::text), "
            "md5(g::text) || md5(random()::text), g, NULL FROM generate_series(1, %s, 2) g",
            (votes,),
        )
        voters = [(None, row[0]) for row in connection.execute("SELECT voter_key FROM pb_vote").fetchall()]
        connection.execute("VACUUM ANALYZE")
    return voters


def _vote(voter: tuple[int, str], code_id: int | None = None) -> dict:
    return {
        "ballot_id": 1,
        "online": True,
        "now": datetime.now(timezone.utc),
        "code_id": code_id,
        "id": random_id(),
        "voter_key": voter[1],
        "choices": '["a", "b"]',
        "channel": "online",
        "area_id": None,
        "receipt": secrets.token_hex(32),
    }


def _votes_while(url: str, voters: list, work) -> tuple[float, dict[str, float]]:
    """Run `work` while casting votes (new voters and changed ballots, in turns); its seconds and the longest waits."""
    done, waits = threading.Event(), {"new voter": [], "changed ballot": []}

    def cast():
        with psycopg.connect(url, autocommit=True) as connection:
            n = 0
            while not done.is_set():
                kind = "changed ballot" if n % 2 else "new voter"
                voter = voters[n % len(voters)] if n % 2 else (None, secrets.token_hex(32))
                started = time.perf_counter()
                connection.execute(_PG_RECORD_BALLOT, _vote(voter))
                waits[kind].append(time.perf_counter() - started)
                n += 1

    caster = threading.Thread(target=cast)
    caster.start()
    time.sleep(0.2)
    started = time.perf_counter()
    work()
    took = time.perf_counter() - started
    time.sleep(0.2)
    done.set()
    caster.join()
    return took, {
        kind: (max(found) if found else 0.0, statistics.median(found) if found else 0.0, len(found))
        for kind, found in waits.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--votes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    engine = create_engine(args.url.replace("postgresql://", "postgresql+psycopg://", 1))
    for votes in args.votes:
        voters = _fill(args.url, votes)
        _none, alone = _votes_while(args.url, voters, lambda: time.sleep(2))

        def move():
            with engine.connect() as connection:
                shuffle.move_rows(connection, 1)

        def cluster():
            with psycopg.connect(args.url, autocommit=True) as connection:
                for table in shuffle.WRITTEN_AT_VOTE:
                    connection.execute(f"CLUSTER {table} USING {table}_pkey")

        print(
            f"{votes} votes: a vote alone, median {alone['new voter'][1] * 1000:.1f} ms "
            f"(longest {alone['new voter'][0] * 1000:.0f} ms)"
        )
        for name, work in (("move_rows", move), ("CLUSTER", cluster)):
            took, waits = _votes_while(args.url, voters, work)
            said = "; ".join(
                f"{kind}: longest {w[0] * 1000:.0f} ms, median {w[1] * 1000:.1f} ms of {w[2]}"
                for kind, w in waits.items()
            )
            print(f"  {name}: {took:.2f} s; votes meanwhile: {said}")
    engine.dispose()


if __name__ == "__main__":
    main()
