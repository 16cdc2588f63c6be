"""Eligibility a council can defend: verified residents, one letter one ballot, frozen rules, the register import."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlmodel import func, select

from pbapp.accounts import residence
from pbapp.accounts import services as accounts
from pbapp.accounts.models import RegisterEntry, RegisterImport, User
from pbapp.db import get_session
from pbapp.errors import Conflict, Invalid
from pbapp.mail import OutboxMessage
from pbapp.pb import services
from pbapp.pb.models import CodeBinding, Vote
from tests import factories as base
from tests.conftest import login
from tests.pb import factories

SIX = [
    ("Ann Able", "1970-01-02"),
    ("Ben Bold", "1971-02-03"),
    ("Cat Cole", "1972-03-04"),
    ("Dan Dale", "1973-04-05"),
    ("Eve Earl", "1974-05-06"),
    ("Fay Ford", "1975-06-07"),
]


@pytest.fixture
def ctx(app, demo):
    with app.test_request_context():
        yield app


def _votes(db, ballot) -> int:
    n = db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    return n


def _register_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["name,date_of_birth,postcode,address"] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _import(db, council, rows) -> RegisterImport:
    officer = factories.officer(db)
    preview = residence.preview_register(
        db, council, officer, source="electoral_register", filename="register.csv", data=_register_csv(rows)
    )
    return residence.confirm_register(db, council, preview.id, officer)


def _confirm(db, email: str) -> User:
    message = db.exec(select(OutboxMessage).where(OutboxMessage.to == email).order_by(OutboxMessage.id.desc())).first()
    token = re.search(r"/accounts/confirm/(\S+)", message.body).group(1)
    return residence.confirm_email(db, token)


def _try_to_vote(db, council, ballot, user, choice) -> bool:
    elig = services.eligibility(db, council, ballot, None, user, None)
    if elig.voter is None:
        return False
    services.cast_vote(db, council, ballot.id, elig.voter, [choice])
    return True


def test_six_accounts_at_one_postcode_count_only_the_verified(ctx, db, demo):
    # Before: six made-up accounts sharing one postcode added six counted ballots.
    ballot = factories.ballot(ctx, db, demo, eligibility="residents")
    refs = factories.refs(db, ballot)
    _import(
        db,
        demo,
        [("Ann Able", "02/01/1970", "BB3 1AA", "1 Mill Lane"), ("Ben Bold", "1971-02-03", "bb31aa", "1 Mill Lane")],
    )
    users = []
    for n, (name, _born) in enumerate(SIX):
        accounts.register(
            db, name=name, email=f"six{n}@example.org", password="a long enough password", postcode="BB3 1AA"
        )
        users.append(base.user_by_email(db, f"six{n}@example.org"))
    for n in (0, 1, 2, 3):  # four confirm their email ...
        users[n] = _confirm(db, f"six{n}@example.org")
    for n in (0, 1, 2, 4):  # ... four try the register with their own details; only two are on it
        name, born = SIX[n]
        try:
            residence.verify_by_register(
                db, demo, users[n], name=name.upper(), born=date.fromisoformat(born), postcode="bb3 1aa"
            )
        except Invalid as refused:
            assert "could not find these details" in refused.message
    with pytest.raises(Conflict, match="already verified another account"):  # a seventh reuses Ann's details
        residence.verify_by_register(db, demo, users[3], name="Ann Able", born=date(1970, 1, 2), postcode="BB3 1AA")
    counted = [_try_to_vote(db, demo, ballot, user, refs[0]) for user in users]
    assert counted == [True, True, False, False, False, False]
    assert _votes(db, ballot) == 2
    reasons = [services.eligibility(db, demo, ballot, None, user, None) for user in users[2:]]
    assert all(r.can_verify for r in reasons)
    assert "confirm your email" in reasons[2].reason and "council knows you live here" in reasons[0].reason


def test_one_person_with_a_letter_and_an_account_has_one_counted_ballot(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)  # letter codes
    refs = factories.refs(db, ballot)
    code, other_code = factories.codes(ctx, db, demo, ballot, size=2)
    person = factories.resident(db, demo)
    # The account alone cannot vote: it is told to use its letter.
    alone = services.eligibility(db, demo, ballot, None, person, None)
    assert alone.voter is None and alone.can_use_code
    # The letter first, signed out ...
    anonymous = services.enter_code(db, demo, ballot.id, code)
    services.cast_vote(db, demo, ballot.id, anonymous, [refs[0]])
    # ... then the same letter signed in: it binds to the account and replaces that ballot.
    bound = services.enter_code(db, demo, ballot.id, code, person)
    assert bound.key == anonymous.key
    services.cast_vote(db, demo, ballot.id, bound, [refs[1]])
    # Later the account votes without the letter: still the letter's one ballot.
    later = services.eligibility(db, demo, ballot, None, person, None).voter
    assert later is not None and later.key == anonymous.key
    services.cast_vote(db, demo, ballot.id, later, [refs[2]])
    assert _votes(db, ballot) == 1
    with pytest.raises(Conflict, match="another letter"):
        services.enter_code(db, demo, ballot.id, other_code, person)
    with pytest.raises(Conflict, match="linked to another account"):
        services.enter_code(db, demo, ballot.id, code, factories.resident(db, demo))
    # Another letter (someone else in the home) is its own ballot, used signed out.
    services.cast_vote(db, demo, ballot.id, services.enter_code(db, demo, ballot.id, other_code), [refs[0]])
    assert _votes(db, ballot) == 2


def test_a_letter_bound_through_the_pages_keeps_the_account_at_one_ballot(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    login(client, "resident@demo.example")
    page = f"/pb/{demo.slug}/ballots/{ballot.id}"
    assert "code on the letter" in client.get(page).get_data(as_text=True)
    assert client.post(f"{page}/code", data={"code": code}).status_code == 303
    assert client.post(f"{page}/submit", data={"choice": [refs[0]]}).status_code == 303
    client.post("/accounts/logout")
    login(client, "resident@demo.example")  # a new session, no letter in it
    assert client.post(f"{page}/submit", data={"choice": [refs[1]]}).status_code == 303
    other = app.test_client()  # the letter again, in another browser, signed out
    assert other.post(f"{page}/code", data={"code": code}).status_code == 303
    assert other.post(f"{page}/submit", data={"choice": [refs[2]]}).status_code == 303
    assert _votes(db, ballot) == 1


def _race(app, n, work):
    results, start = [None] * n, threading.Barrier(n)

    def go(i):
        with app.test_request_context(method="POST"):  # a POST's session, as the code-entry page gets
            session = get_session()
            start.wait()
            try:
                work(session, i)
                results[i] = "ok"
            except Conflict as refused:
                results[i] = refused.message

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_parallel_bindings_give_one_letter_one_account(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)
    codes = factories.codes(ctx, db, demo, ballot, size=6)
    people = [factories.resident(db, demo) for _ in range(6)]
    council = base.council_by_slug(db, demo.slug)
    results = _race(ctx, 6, lambda s, i: services.enter_code(s, council, ballot.id, codes[0], people[i]))
    assert results.count("ok") == 1, results
    one = people[0]
    results = _race(ctx, 5, lambda s, i: services.enter_code(s, council, ballot.id, codes[i + 1], one))
    assert results.count("ok") <= 1, results
    bindings = db.exec(select(CodeBinding).where(CodeBinding.ballot_id == ballot.id)).all()
    db.commit()
    assert len({b.code_key for b in bindings}) == len(bindings) == len({b.account_key for b in bindings})


def test_who_can_vote_is_frozen_once_voting_opens(ctx, db, demo, client):
    ballot = factories.ballot(ctx, db, demo, eligibility="residents")
    with pytest.raises(Conflict, match="frozen"):
        services.update_ballot(
            db,
            demo,
            ballot.id,
            factories.officer(db),
            title="x",
            kind="knapsack",
            rule="equalshares",
            eligibility="open",
        )
    login(client, "officer@demo.example")
    response = client.post(
        f"/pb/{demo.slug}/manage/ballots/{ballot.id}/settings",
        data={"title": "x", "kind": "knapsack", "rule": "equalshares", "utility": "cost", "eligibility": "open"},
    )
    assert response.status_code == 422 and "frozen" in response.get_data(as_text=True)
    assert services.get_ballot(db, demo, ballot.id).eligibility == "residents"
    db.commit()
    draft = factories.ballot(ctx, db, demo, open_now=False)
    with pytest.raises(Invalid, match="Choose who can vote"):  # the withdrawn mixed mode is not on offer
        services.update_ballot(
            db,
            demo,
            draft.id,
            factories.officer(db),
            title="x",
            kind="knapsack",
            rule="equalshares",
            eligibility="residents_or_codes",
        )


def test_register_import_reports_every_bad_line_by_number(ctx, db, demo):
    data = _register_csv(
        [
            ("Ann Able", "1970-01-02", "BB3 1AA", ""),
            ("", "1971-02-03", "BB3 1AA", ""),
            ("Cat Cole", "31/02/1972", "BB3 1AA", ""),
            ("Dan Dale", "1973-04-05", "SW1A 1AA", ""),
            ("Eve Earl", "1974-05-06", "not a postcode", ""),
            ("ann  ABLE", "02/01/1970", "bb31aa", ""),
            ("Fay Ford", "2999-01-01", "BB3 1AA", ""),
        ]
    )
    with pytest.raises(residence.RegisterProblems) as caught:
        residence.preview_register(db, demo, factories.officer(db), source="council_tax", filename="r.csv", data=data)
    lines = dict(caught.value.problems)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert "Enter a name" in lines[3] and "date like" in lines[4] and "not in" in lines[5]
    assert "real postcode" in lines[6] and "line 2" in lines[7] and "in the past" in lines[8]
    with pytest.raises(residence.RegisterProblems) as caught:
        residence.preview_register(
            db,
            demo,
            factories.officer(db),
            source="council_tax",
            filename="r.csv",
            data=b"surname,postcode\nAble,BB3 1AA\n",
        )
    assert caught.value.problems[0][0] == 1 and "date_of_birth" in caught.value.problems[0][1]
    assert db.exec(select(func.count()).select_from(RegisterEntry)).one() == 0
    db.commit()


def test_the_register_keeps_only_keyed_hashes_and_is_used_after_confirmation(ctx, db, demo):
    officer = factories.officer(db)
    preview = residence.preview_register(
        db,
        demo,
        officer,
        source="electoral_register",
        filename="r.csv",
        data=_register_csv([("Siân O’Neill", "1980-03-31", "BB3 1AA", "2 Bolton Road")]),
    )
    person = factories.resident(db, demo, verified=False)
    with pytest.raises(Invalid):  # a preview is not used until an officer confirms it
        residence.verify_by_register(db, demo, person, name="Sian ONeill", born=date(1980, 3, 31), postcode="BB31AA")
    residence.confirm_register(db, demo, preview.id, officer)
    stored = db.exec(select(RegisterEntry)).one()
    db.commit()
    assert "neill" not in stored.person_hash.lower() and len(stored.person_hash) == 64 and stored.address_hash
    verified = residence.verify_by_register(
        db, demo, person, name="sian o'neill", born=date(1980, 3, 31), postcode="bb3 1aa"
    )
    assert verified.postcode == "BB3 1AA" and verified.address_hash == stored.address_hash


def test_register_import_page_previews_then_imports(app, db, demo, client):
    login(client, "officer@demo.example")
    url = f"/accounts/councils/{demo.slug}/register"
    bad = client.post(
        url, data={"source": "council_tax", "file": (_bad_file(), "register.csv")}, content_type="multipart/form-data"
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Problems in the file" in html and ">3<" in html
    good = client.post(
        url,
        data={"source": "electoral_register", "file": (_good_file(), "register.csv")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Check the import" in page and "2 people and no problems" in page
    preview = db.exec(select(RegisterImport)).one()
    db.commit()
    assert client.post(f"{url}/{preview.id}/confirm").status_code == 303
    db.expire_all()
    assert db.get(RegisterImport, preview.id).status == "active"
    db.commit()


def _bad_file():
    import io

    return io.BytesIO(_register_csv([("Ann Able", "1970-01-02", "BB3 1AA", ""), ("Ben", "soon", "BB3 1AA", "")]))


def _good_file():
    import io

    return io.BytesIO(
        _register_csv([("Ann Able", "1970-01-02", "BB3 1AA", ""), ("Ben Bold", "1971-02-03", "BB3 1AA", "")])
    )


def test_a_code_posted_to_the_address_verifies_one_account(app, db, demo, client):
    person = factories.resident(db, demo, verified=False)
    with app.test_request_context():
        letter = residence.request_letter(db, demo, person, address='=HYPERLINK("x")', postcode="bb3 1aa")
        with pytest.raises(Conflict, match="already on its way"):
            residence.request_letter(db, demo, person, address="1 Mill Lane", postcode="BB3 1AA")
        with pytest.raises(Invalid):  # not printed yet, so no code can be right
            residence.verify_by_letter(db, demo, person, code=residence.letter_code(letter.id))
        code = residence.letter_code(letter.id)
    login(client, "officer@demo.example")
    assert "BB3 1AA" in client.get(f"/accounts/councils/{demo.slug}/residence-letters").get_data(as_text=True)
    exported = client.get(f"/accounts/councils/{demo.slug}/residence-letters.csv").get_data(as_text=True)
    assert code in exported and "'=HYPERLINK" in exported
    db.rollback()  # end this session's read, as a new request would, to see the printing
    with app.test_request_context():
        with pytest.raises(Invalid, match="exactly as it is printed"):
            residence.verify_by_letter(db, demo, person, code="AAAAA-AAAAA")
        verified = residence.verify_by_letter(db, demo, person, code=code.lower())
    assert verified.method == "letter" and verified.postcode == "BB3 1AA"


def test_an_unverified_account_is_told_how_to_get_verified(app, db, demo, client):
    ballot = factories.ballot(app, db, demo, eligibility="residents")
    base.user(db, email="new@example.org")
    login(client, "new@example.org")
    html = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}").get_data(as_text=True)
    assert "Your vote cannot be counted until you confirm your email address" in html
    assert f'href="/accounts/councils/{demo.slug}/residence"' in html
    page = client.get(f"/accounts/councils/{demo.slug}/residence")
    assert page.status_code == 200 and "Post me a code" in page.get_data(as_text=True)
    letter = f"/accounts/councils/{demo.slug}/residence/letter"
    refused = client.post(letter, data={"letter-address": "1 Mill Lane", "letter-postcode": "SW1A 1AA"})
    assert refused.status_code == 422 and "This postcode is not in" in refused.get_data(as_text=True)
    assert client.post(letter, data={"letter-address": "1 Mill Lane", "letter-postcode": "BB3 1AA"}).status_code == 303
    assert "Enter the code from the council’s letter" in client.get(
        f"/accounts/councils/{demo.slug}/residence"
    ).get_data(as_text=True)


@pytest.fixture
def app_overrides():
    return {"FLAG_VOTERS_PER_ADDRESS": 2, "FLAG_VOTERS_PER_POSTCODE": 3}


def test_crowded_postcodes_and_addresses_are_flagged_to_officers(app, db, demo, client):
    ballot = factories.ballot(app, db, demo, eligibility="residents")
    refs = factories.refs(db, ballot)
    with app.test_request_context():
        for n in range(4):
            user = factories.resident(db, demo, address="a" * 64 if n < 3 else "b" * 64)
            assert _try_to_vote(db, demo, ballot, user, refs[0])
        factories.resident(db, demo, address="a" * 64)  # verified but not voting: not counted
    login(client, "officer@demo.example")
    html = client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}").get_data(as_text=True)
    assert "Postcode BB3 1AA: 4 verified voters (more than 3)" in html
    assert "One address in BB3 1AA: 3 verified voters (more than 2)" in html


def test_an_open_vote_is_marked_on_every_page_and_in_its_results(app, db, demo, client):
    ballot = factories.ballot(app, db, demo, eligibility="open")
    refs = factories.refs(db, ballot)
    with app.test_request_context():
        for user in (base.user(db), factories.resident(db, demo)):
            services.cast_vote(
                db, demo, ballot.id, services.eligibility(db, demo, ballot, None, user, None).voter, [refs[0]]
            )
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "/")
    for path in ("", "/results", "/log", "/receipt"):
        html = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}{path}").get_data(as_text=True)
        assert "This is an open vote" in html, path
    results = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results").get_data(as_text=True)
    assert re.search(r'Ballots from verified residents</dt><dd[^>]*id="verified-ballots">1<', results)
    assert re.search(r'Unverified ballots \(open vote\)</dt><dd[^>]*id="unverified-ballots">1<', results)
    assert '"voters_verified": false' in client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results.json").get_data(
        as_text=True
    )


def test_an_open_votes_verified_and_unverified_ballots_are_counted_apart(app, db, demo, client):
    """Before, one count mixed them and the page gave the verified share only as a number."""
    import json

    from pbapp.core.chain import link_hash
    from pbapp.pb import counting

    ballot = factories.ballot(app, db, demo, eligibility="open", kind="approval", rule="greedy")
    refs = factories.refs(db, ballot)
    verified = [factories.resident(db, demo) for _ in range(2)]
    unverified = [factories.resident(db, demo, verified=False, confirmed=False) for _ in range(3)]
    with app.test_request_context():
        for users, choice in ((verified, refs[0]), (unverified, refs[1])):
            for user in users:
                voter = services.eligibility(db, demo, ballot, None, user, None).voter
                services.cast_vote(db, demo, ballot.id, voter, [choice])
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "/")
        document = services.published_log(db, demo, ballot.id)
    db.commit()
    apart = document["result"]["apart"]
    assert (apart["verified"]["voters"], apart["unverified"]["voters"]) == (2, 3)
    assert (apart["verified"]["support"][refs[0]], apart["verified"]["support"].get(refs[1], 0)) == (2, 0)
    assert (apart["unverified"]["support"][refs[1]], apart["unverified"]["support"].get(refs[0], 0)) == (3, 0)
    assert sorted(e["verified"] for e in document["entries"]) == [False, False, False, True, True]
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results").get_data(as_text=True)
    assert 'id="verified-ballots">2<' in page and 'id="unverified-ballots">3<' in page
    assert "Verified and unverified ballots counted apart" in page
    exported = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results.json").get_json()
    assert exported["counted_apart"]["verified"]["voters"] == 2
    assert counting.verify_log(document) == []
    # Passing an unverified ballot off as verified (chain recomputed) no longer counts as published.
    previous, forged = "0" * 64, []
    for entry in document["entries"]:
        entry = {**entry, "verified": True}
        content = {k: entry[k] for k in ("seq", "voter", "channel", "choices", "receipt", "verified")}
        entry["previous_hash"], entry["hash"] = previous, link_hash(previous, content)
        forged.append(entry)
        previous = entry["hash"]
    problems = counting.verify_log(json.loads(json.dumps({**document, "entries": forged, "head": previous})))
    assert any("verified ballots apart" in p for p in problems), problems
