"""Check your answers keeps what the voter just chose; the meter and the check page say when budget is over or left."""

from __future__ import annotations

import re

from tests.pb import factories


def _checked(page: str) -> set[str]:
    return set(re.findall(r'name="choice" type="checkbox" value="([^"]+)"[^>]*\schecked', page))


def _code_voter(app, db, demo, client, ballot) -> str:
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    assert client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/code", data={"code": code}).status_code == 303
    return code


def test_change_from_check_your_answers_keeps_the_choices_just_made(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = _code_voter(app, db, demo, client, ballot)
    base = f"/pb/{demo.slug}/ballots/{ballot.id}"
    check = client.post(base + "/check", data={"choice": [refs[0], refs[1]]}).get_data(as_text=True)
    assert f'formaction="{base}/check"' in check and 'name="change"' in check
    back = client.post(base + "/check", data={"choice": [refs[0], refs[1]], "change": "1"})
    assert back.status_code == 200 and _checked(back.get_data(as_text=True)) == {refs[0], refs[1]}

    assert client.post(base + "/submit", data={"choice": [refs[2]]}).status_code == 303
    # The letter's session ended with the vote; entering the code again shows the vote to change.
    assert client.post(base + "/code", data={"code": code}).status_code == 303
    assert _checked(client.get(base).get_data(as_text=True)) == {refs[2]}  # a returning voter sees their vote
    back = client.post(base + "/check", data={"choice": [refs[3], refs[4]], "change": "1"})
    assert _checked(back.get_data(as_text=True)) == {refs[3], refs[4]}  # ...but a change keeps the new choices


def test_the_meter_shows_over_budget_as_an_error_in_colour_and_words(app, db, demo, htmx_client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    over = htmx_client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/meter", data={"choice": refs}).get_data(as_text=True)
    assert "app-meter--over" in over and "£20,000 over budget" in over
    within = htmx_client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/meter", data={"choice": refs[:1]}).get_data(
        as_text=True
    )
    assert "app-meter--over" not in within and "over budget" not in within


def test_the_meter_shows_too_many_points_as_an_error(app, db, demo, htmx_client):
    ballot = factories.ballot(app, db, demo, kind="cumulative", total_points=10, rule="greedy")
    refs = factories.refs(db, ballot)
    page = htmx_client.post(
        f"/pb/{demo.slug}/ballots/{ballot.id}/meter", data={f"amount-{refs[0]}": "8", f"amount-{refs[1]}": "5"}
    ).get_data(as_text=True)
    assert "app-meter--over" in page and "3 points too many" in page


def test_check_your_answers_warns_of_budget_left_unspent(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    _code_voter(app, db, demo, client, ballot)
    page = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/check", data={"choice": [refs[4]]}).get_data(as_text=True)
    assert "You have £90,000 of £100,000 left to spend" in page


def test_check_your_answers_warns_of_points_left(app, db, demo, client):
    ballot = factories.ballot(app, db, demo, kind="cumulative", total_points=10, rule="greedy")
    refs = factories.refs(db, ballot)
    _code_voter(app, db, demo, client, ballot)
    page = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/check", data={f"amount-{refs[0]}": "6"}).get_data(
        as_text=True
    )
    assert "You have 4 of your 10 points left to give" in page


def test_closing_a_vote_asks_first_and_the_officer_page_uses_words(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    login_as("officer")
    base = f"/pb/{demo.slug}/manage/ballots/{ballot.id}"
    page = client.get(base).get_data(as_text=True)
    assert f'href="{base}/close"' in page and "Voting open" in page and "residents_or_codes" not in page
    assert "People with a letter" in page
    ask = client.get(base + "/close").get_data(as_text=True)
    assert "Close voting and count the votes?" in ask and "You cannot open voting again." in ask
    db.refresh(ballot)
    db.commit()
    assert ballot.closed_at is None
    assert client.post(base + "/close").status_code == 303
    db.refresh(ballot)
    db.commit()
    assert ballot.closed_at is not None
    assert "Publish the results and the ballot log?" in client.get(base + "/publish").get_data(as_text=True)
