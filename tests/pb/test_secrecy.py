"""Secrecy of the vote in a copy of the database: without the voter key, nothing links a vote to a person.

A realistic vote is run through the web pages: residents create accounts and vote straight away,
others vote with the codes on their letters, interleaved and in no letter order. Then the test
takes a copy of every table and plays the attacker who has it and the council's mailing list
(letter number and code): every column of every table on the voting side is joined to every
column on the people side, by equal value and by nearest time, and code rows are matched to
letters by equal hash and by order. No attack may name more voters than guessing does.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import select

from pbapp.core.tokens import CODE_ALPHABET
from pbapp.db import get_engine, import_all_models
from pbapp.pb import services
from pbapp.pb.models import Vote
from tests import factories as base
from tests.conftest import login
from tests.pb import factories
from tests.trust.copies import ordered_by_backup

ACCOUNT_VOTERS, CODE_VOTERS, LETTERS = 10, 10, 40
# Guessing names about one voter in n by chance; an attack naming this many has found a link.
FOUND = 4


def _accounts_and_letters_ballot(app, db, demo):
    """A ballot open to verified accounts and to letters: the mode kept for ballots opened before letters
    were bound to accounts (officers can no longer choose it), set as the migration leaves it."""
    ballot = factories.ballot(app, db, demo)
    ballot.eligibility = "residents_or_codes"
    db.add(ballot)
    db.commit()
    return ballot


def _realistic_vote(app, db, demo):
    ballot = _accounts_and_letters_ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    letters = factories.codes(app, db, demo, ballot, size=LETTERS)  # letter n+1 carries letters[n]
    rng = random.Random(17)
    turns = ["account"] * ACCOUNT_VOTERS + ["code"] * CODE_VOTERS
    rng.shuffle(turns)
    unused_letters = rng.sample(range(LETTERS), CODE_VOTERS)
    truth: dict[str, tuple[str, Any]] = {}  # receipt -> ("account", user id) or ("letter", letter index)
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    for n, turn in enumerate(turns):
        client = app.test_client()
        choice = rng.sample(refs, 2)
        if turn == "account":
            email = f"resident{n}@example.org"
            made = client.post(
                "/accounts/register",
                data={
                    "name": f"Resident {n}",
                    "email": email,
                    "postcode": "BB3 1AA",
                    "password": "a long enough password",
                    "confirm": "a long enough password",
                },
            )
            assert made.status_code == 200, made.get_data(as_text=True)[:300]  # "check your email"
            user = base.user_by_email(db, email)
            factories.verify(db, demo, user)
            login(client, email, "a long enough password")
            who = ("account", user.id)
        else:
            letter = unused_letters.pop()
            assert client.post(url + "/code", data={"code": letters[letter]}).status_code == 303
            who = ("letter", letter)
        assert client.post(url + "/submit", data={"choice": choice}).status_code == 303
        vote = db.exec(select(Vote).where(Vote.ballot_id == ballot.id).order_by(Vote.id.desc())).first()
        db.commit()
        receipt = client.get(url + "/receipt").get_data(as_text=True)
        found = [r for r in db.exec(select(Vote.receipt).where(Vote.ballot_id == ballot.id)).all() if r in receipt]
        db.commit()
        assert len(found) == 1, vote
        truth[found[0]] = who
    return ballot, letters, truth


def _copy(app) -> dict[str, list[dict]]:
    """Every row of every table, as a logical copy (a backup or a dump) holds them."""
    with get_engine(app).connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(sa_select(table))]
            for table in import_all_models().metadata.sorted_tables
        }


def _comparable(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None  # a flag or an empty cell names nobody
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None) if value.tzinfo else value


def _joins(votes: list[dict], people: list[dict]) -> dict[str, dict[int, int]]:
    """Each attack's guesses: for each vote row (by position) the one person row (by position) it points to."""
    attacks: dict[str, dict[int, int]] = {}
    for vote_column in votes[0]:
        for person_column in people[0]:
            equal: dict[int, int] = {}
            index: dict[str, list[int]] = {}
            for p, person in enumerate(people):
                key = _comparable(person[person_column])
                if key is not None:
                    index.setdefault(key, []).append(p)
            for v, vote in enumerate(votes):
                matches = index.get(_comparable(vote[vote_column]) or "", [])
                if len(matches) == 1:
                    equal[v] = matches[0]
            attacks[f"{vote_column} = {person_column}"] = equal
            times = [
                (p, _naive(person[person_column]))
                for p, person in enumerate(people)
                if isinstance(person[person_column], datetime)
            ]
            if times and all(isinstance(vote[vote_column], datetime) for vote in votes):
                attacks[f"{vote_column} ~ {person_column}"] = {
                    v: min(times, key=lambda pt: abs((pt[1] - _naive(vote[vote_column])).total_seconds()))[0]
                    for v, vote in enumerate(votes)
                }
    return attacks


def _best_attack(votes: list[dict], people: list[dict], truth_of_vote, truth_of_person) -> tuple[str, int]:
    best = ("none", 0)
    for name, guesses in _joins(votes, people).items():
        right = sum(1 for v, p in guesses.items() if truth_of_vote(votes[v]) == truth_of_person(people[p]))
        best = max(best, (name, right), key=lambda pair: pair[1])
    return best


def _rank_correlation(xs: list[Any], ys: list[Any]) -> float:
    """Spearman's rho between two orderings of the same items (no ties)."""

    def ranks(values):
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0] * len(values)
        for rank, i in enumerate(order):
            out[i] = rank
        return out

    rx, ry, n = ranks(xs), ranks(ys), len(xs)
    return 1 - 6 * sum((a - b) ** 2 for a, b in zip(rx, ry)) / (n * (n * n - 1))


def _findings(copy, ballot, letters, truth, code_row_of_letter) -> dict[str, tuple[str, int]]:
    votes = [row for row in copy["pb_vote"] if row["ballot_id"] == ballot.id]
    log = [row for row in copy["pb_ballot_log"] if row["ballot_id"] == ballot.id]
    codes = [row for row in copy["pb_voting_code"] if row["ballot_id"] == ballot.id]
    mailing = [
        {
            "letter": n + 1,
            "code": code,
            "plain_sha256": hashlib.sha256(services.normalise_code(code).encode()).hexdigest(),
        }
        for n, code in enumerate(letters)
    ]
    registered = [row for row in copy["audit_event"] if row["action"] == "account.registered"]

    def voter(row):  # a vote or log row -> who cast it (the test's knowledge, not the attacker's)
        return truth[row["receipt"]]

    def letter_of_code_row(row):
        return ("letter", code_row_of_letter[row["id"]])

    findings = {}
    for side, rows in (("pb_vote", votes), ("pb_ballot_log", log)):
        if not rows:
            continue
        findings[f"{side} -> pb_voting_code"] = _best_attack(rows, codes, voter, letter_of_code_row)
        findings[f"{side} -> mailing list"] = _best_attack(rows, mailing, voter, lambda m: ("letter", m["letter"] - 1))
        findings[f"{side} -> user_account"] = _best_attack(
            rows, copy["user_account"], voter, lambda u: ("account", u["id"])
        )
        findings[f"{side} -> account.registered audit"] = _best_attack(
            rows, registered, voter, lambda a: ("account", int(a["subject_id"]))
        )
    findings["pb_voting_code -> mailing list"] = _best_attack(
        codes, mailing, letter_of_code_row, lambda m: ("letter", m["letter"] - 1)
    )
    return findings


def test_a_database_copy_links_no_vote_to_a_code_letter_or_account(app, db, demo):
    ballot, letters, truth = _realistic_vote(app, db, demo)
    with app.test_request_context():
        code_row_of_letter = {
            services.enter_code(db, demo, ballot.id, code).code_id: n for n, code in enumerate(letters)
        }
    db.commit()
    while_open = _copy(app)
    assert len([row for row in while_open["pb_vote"] if row["ballot_id"] == ballot.id]) == ACCOUNT_VOTERS + CODE_VOTERS
    assert not [row for row in while_open["pb_ballot_log"] if row["ballot_id"] == ballot.id]  # sealed at the count
    _close_and_count(app, db, demo, ballot)
    counted = _copy(app)
    assert (
        len([row for row in counted["pb_ballot_log"] if row["ballot_id"] == ballot.id]) == ACCOUNT_VOTERS + CODE_VOTERS
    )
    found = {
        f"{when}: {name}": result
        for when, copy in (("open", while_open), ("counted", counted))
        for name, result in _findings(copy, ballot, letters, truth, code_row_of_letter).items()
        if result[1] >= FOUND
    }
    assert not found, f"joins that link votes to people: {found}"
    codes = [row for row in counted["pb_voting_code"] if row["ballot_id"] == ballot.id]
    # The order of code rows says nothing of the letters' order (it followed it exactly before).
    rho = _rank_correlation([row["id"] for row in codes], [code_row_of_letter[row["id"]] for row in codes])
    assert abs(rho) < 0.45, rho
    # Nothing beside a vote or a used code keeps a time that could be joined to anything.
    for table in ("pb_vote", "pb_ballot_log", "pb_voting_code"):
        assert not [c for c, v in counted[table][0].items() if isinstance(v, datetime)], table


def _rank_attacks(app, ballot, truth) -> dict[str, float]:
    """Spearman's rho between the order of sign-ups and each order a copy keeps of the account votes.

    Residents who sign up and vote at once do both in the same order, so any order of the votes
    (the log's, the ids', the rows' place in the copy) that follows the order of votes lines up
    with the account ids and the sign-up audit entries.
    """
    copy = _copy(app)
    votes = [row for row in copy["pb_vote"] if row["ballot_id"] == ballot.id]
    log = [row for row in copy["pb_ballot_log"] if row["ballot_id"] == ballot.id]
    accounts = sorted((who[1], receipt) for receipt, who in truth.items() if who[0] == "account")
    signed_up = [user_id for user_id, _receipt in accounts]
    vote_of = {row["receipt"]: (n, row) for n, row in enumerate(votes)}
    orders = {
        "pb_vote.id": [vote_of[r][1]["id"] for _u, r in accounts],
        "pb_vote row order": [vote_of[r][0] for _u, r in accounts],
    }
    if log:
        entry_of = {row["receipt"]: (n, row) for n, row in enumerate(log)}
        orders["pb_ballot_log.seq"] = [entry_of[r][1]["seq"] for _u, r in accounts]
        orders["pb_ballot_log.id"] = [entry_of[r][1]["id"] for _u, r in accounts]
        orders["pb_ballot_log row order"] = [entry_of[r][0] for _u, r in accounts]
    return {name: _rank_correlation(signed_up, order) for name, order in orders.items()}


def _close_and_count(app, db, demo, ballot):
    with app.test_request_context():
        services.close_ballot(db, demo, ballot.id, factories.officer(db))  # counts at once in tests
    db.commit()


# Residents who each sign up and vote at once, for the order attacks: enough of them that chance
# alone gives |rho| >= RANKED about once in 100,000 runs (sd of rho is 1/sqrt(n-1) = 0.13).
SIGN_UPS, RANKED = 60, 0.6


def _sign_ups_voting_at_once(app, db, demo):
    ballot = factories.ballot(app, db, demo, eligibility="residents")
    refs = factories.refs(db, ballot)
    truth = {}
    with app.test_request_context():
        for n in range(SIGN_UPS):
            user = factories.resident(db, demo)
            voter = services.eligibility(db, demo, ballot, None, user, None).voter
            receipt = services.cast_vote(db, demo, ballot.id, voter, [refs[n % len(refs)]])
            truth[receipt] = ("account", user.id)
    db.commit()
    return ballot, truth


def test_the_order_of_votes_does_not_follow_the_order_of_sign_ups(app, db, demo):
    """Neither while voting is open nor in the sealed log does any order of the votes rank them by sign-up.

    It did before: the log was appended to as ballots came, and vote ids counted up (rho 1.0).
    On PostgreSQL the rows' place in the copy is random only once a backup has rewritten them.
    """
    ballot, truth = _sign_ups_voting_at_once(app, db, demo)
    ordered_by_backup(app)
    while_open = _rank_attacks(app, ballot, truth)
    assert set(while_open) == {"pb_vote.id", "pb_vote row order"}  # no log is kept while voting is open
    _close_and_count(app, db, demo, ballot)
    ordered_by_backup(app)
    counted = _rank_attacks(app, ballot, truth)
    assert "pb_ballot_log.seq" in counted
    linked = {
        f"{when}: {name}": round(rho, 2)
        for when, found in (("open", while_open), ("counted", counted))
        for name, rho in found.items()
        if abs(rho) >= RANKED
    }
    assert not linked, f"orders that follow the order of sign-ups: {linked}"


def test_code_hashes_are_keyed_and_printed_codes_come_from_the_voter_key(app, db, demo):
    ballot = factories.ballot(app, db, demo)
    [code] = factories.codes(app, db, demo, ballot, size=1)
    stored = [row["code_hash"] for row in _copy(app)["pb_voting_code"]]
    assert hashlib.sha256(services.normalise_code(code).encode()).hexdigest() not in stored


def test_secret_key_and_a_database_copy_link_no_account_to_its_vote(app, db, demo):
    """Whoever holds SECRET_KEY (every web server and worker does) and a copy of the database.

    Voter ids were keyed by SECRET_KEY: recomputing each account's id linked 7 of 8 account votes
    to their email addresses. They are keyed by VOTER_KEY now, which that person does not hold.
    """
    ballot = factories.ballot(app, db, demo, eligibility="residents")
    refs = factories.refs(db, ballot)
    with app.test_request_context():
        users = [factories.resident(db, demo) for _ in range(8)]
        for n, user in enumerate(users):
            voter = services.eligibility(db, demo, ballot, None, user, None).voter
            services.cast_vote(db, demo, ballot.id, voter, [refs[n % len(refs)]])
    db.commit()
    stored = {row["voter_key"] for row in _copy(app)["pb_vote"] if row["ballot_id"] == ballot.id}
    secret = app.config["SECRET_KEY"].encode()
    guesses = {
        hmac.new(secret, f"pb-vote:{ballot.id}:user:{user.id}".encode(), hashlib.sha256).hexdigest(): user.email
        for user in users
    }
    assert len(stored) == len(users)
    assert not stored & set(guesses), [guesses[key] for key in stored & set(guesses)]


def _rotate_secret_key(app, new_key: str) -> None:
    """What an operator does when SECRET_KEY leaks: a new key, the old one kept only to read old cookies."""
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = app.secret_key = new_key


def test_rotating_secret_key_during_an_open_ballot_gives_no_second_ballot(app, db, demo):
    ballot = _accounts_and_letters_ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    [code] = factories.codes(app, db, demo, ballot, size=1)
    base_url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    resident = app.test_client()
    login(resident, "resident@demo.example")
    assert resident.post(base_url + "/submit", data={"choice": [refs[0]]}).status_code == 303
    letter = app.test_client()
    assert letter.post(base_url + "/code", data={"code": code}).status_code == 303
    assert letter.post(base_url + "/submit", data={"choice": [refs[1]]}).status_code == 303
    with app.test_request_context():
        reprinted_before = services.batch_codes(
            db, demo, ballot.id, factories.batch_ids(db, ballot)[0], factories.officer(db)
        )[1]

    _rotate_secret_key(app, "a brand new secret key")

    with app.test_request_context():
        reprinted_after = services.batch_codes(
            db, demo, ballot.id, factories.batch_ids(db, ballot)[0], factories.officer(db)
        )[1]
    assert reprinted_after == reprinted_before == [code]
    again = app.test_client()
    login(again, "resident@demo.example")
    assert again.post(base_url + "/submit", data={"choice": [refs[2]]}).status_code == 303
    letter_again = app.test_client()
    assert letter_again.post(base_url + "/code", data={"code": code}).status_code == 303
    assert letter_again.post(base_url + "/submit", data={"choice": [refs[3]]}).status_code == 303
    counted = sorted(db.exec(select(Vote.choices).where(Vote.ballot_id == ballot.id)).all())
    db.commit()
    assert counted == sorted([f'["{refs[2]}"]', f'["{refs[3]}"]']), counted


def test_voter_keys_and_codes_keep_their_key_version(app, db, demo):
    ballot = factories.ballot(app, db, demo)
    [code] = factories.codes(app, db, demo, ballot, size=1)
    with app.test_request_context():
        before = services.enter_code(db, demo, ballot.id, code).key
    # A new VOTER_KEY for new ballots; the open ballot keeps the version it was made with.
    app.config["VOTER_KEYS_RETIRED"] = {1: app.config["VOTER_KEY"]}
    app.config["VOTER_KEY"], app.config["VOTER_KEY_VERSION"] = "the next voter key", 2
    with app.test_request_context():
        assert services.enter_code(db, demo, ballot.id, code).key == before
        assert services.batch_codes(db, demo, ballot.id, factories.batch_ids(db, ballot)[0], factories.officer(db))[
            1
        ] == [code]
        newer = factories.ballot(app, db, demo)
        assert newer.key_version == 2
    app.config["VOTER_KEYS_RETIRED"] = {}
    with app.test_request_context(), pytest.raises(RuntimeError, match="version 1"):
        services.enter_code(db, demo, ballot.id, code)


def test_a_ballot_opened_before_the_upgrade_keeps_its_voters_and_printed_codes(app, db, demo):
    # Version 0 is what the migration gives existing ballots and batches: the old keys and hashes exactly.
    ballot = factories.ballot(app, db, demo)
    ballot.key_version = 0
    db.add(ballot)
    db.commit()
    [code] = factories.codes(app, db, demo, ballot, size=1)
    batch_id = factories.batch_ids(db, ballot)[0]
    secret = app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"pb-code:{batch_id}:0".encode(), hashlib.sha256).digest()
    number, printed = int.from_bytes(digest[:10], "big"), []
    for _i in range(12):
        number, index = divmod(number, 32)
        printed.append(CODE_ALPHABET[index])
    assert services.normalise_code(code) == "".join(printed)
    plain = hashlib.sha256(services.normalise_code(code).encode()).hexdigest()
    assert [row["code_hash"] for row in _copy(app)["pb_voting_code"] if row["ballot_id"] == ballot.id] == [plain]
    with app.test_request_context():
        voter = services.enter_code(db, demo, ballot.id, code)
    assert voter.key == hmac.new(secret, f"pb-vote:{ballot.id}:code:{plain}".encode(), hashlib.sha256).hexdigest()


# The tests issue #17 asked to run in CI on both databases: not slow, not skipped, not expected to fail.
ISSUE_17_TESTS = (
    ("tests.pb.test_secrecy", "test_a_database_copy_links_no_vote_to_a_code_letter_or_account"),
    ("tests.pb.test_secrecy", "test_the_order_of_votes_does_not_follow_the_order_of_sign_ups"),
    ("tests.pb.test_eligibility", "test_six_accounts_at_one_postcode_count_only_the_verified"),
    ("tests.pb.test_receipts", "test_verify_log_with_the_published_head_and_count_catches_a_recomputed_chain"),
)


def test_the_secrecy_multiple_accounts_and_truncated_log_tests_run_in_ci_on_both_databases():
    import importlib
    from pathlib import Path

    for module_name, name in ISSUE_17_TESTS:
        module = importlib.import_module(module_name)
        marks = list(getattr(module, "pytestmark", [])) + list(getattr(getattr(module, name), "pytestmark", []))
        assert not {m.name for m in marks} & {"slow", "skip", "skipif", "xfail"}, (name, marks)
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    runs = [line for line in ci.splitlines() if line.lstrip().startswith(("make test ", "TEST_DATABASE_URL="))]
    assert any(line.startswith("make test ") for line in runs), runs
    assert any("postgresql://" in line and "make test " in line and "tests/pb" not in line for line in runs), runs
