"""Crash safety: SIGKILL the server in the middle of a stream of ballots; nothing acknowledged is lost.

Every submission answered with a 303 to the receipt page must, after a restart, show the voter a
receipt that is in the ballot log the count seals, and the log's hash chain must verify.
"""

from __future__ import annotations

import re
import threading
import time

import requests
from sqlmodel import func, select

from pbapp.core.chain import verify_chain
from pbapp.pb import services
from pbapp.pb.models import BallotLogEntry, Vote
from tests.pb import factories
from tests.trust import figures
from tests.trust.conftest import Server, WebUser

VOTERS = 60


def _receipt(user: WebUser, receipt_path: str) -> str:
    """The receipt the voter's receipt page shows (read from their counted ballot)."""
    found = re.search(r'id="receipt">([0-9a-f]{64})<', user.http.get(user.base_url + receipt_path, timeout=30).text)
    return found.group(1) if found else ""


def test_acknowledged_ballots_survive_a_sigkill(app, db, demo, database_url, tmp_path):
    server = Server(database_url, workers=2, log_path=tmp_path / "gunicorn.log").start()
    try:
        ballot = factories.ballot(app, db, demo)
        refs = factories.refs(db, ballot)
        codes = factories.codes(app, db, demo, ballot, size=VOTERS)
        users = [WebUser(server.url) for _ in range(VOTERS)]
        ballot_path = f"/pb/{demo.slug}/ballots/{ballot.id}"
        for user, code in zip(users, codes):
            assert user.post_form(ballot_path + "/code", {"code": code}, token_from=ballot_path).status_code == 303
        tokens = [user.token(ballot_path) for user in users]

        acknowledged: list[WebUser] = []
        refused = 0
        kill_after = VOTERS // 3

        def stream():
            nonlocal refused
            for n, user in enumerate(users):
                try:
                    response = user.http.post(
                        server.url + ballot_path + "/submit",
                        allow_redirects=False,
                        data={"choice": [refs[n % len(refs)]], "csrf_token": tokens[n]},
                        timeout=30,
                    )
                except requests.RequestException:
                    refused += 1
                    continue
                if response.status_code == 303:
                    acknowledged.append(user)
                else:
                    refused += 1

        sender = threading.Thread(target=stream)
        sender.start()
        while len(acknowledged) < kill_after and sender.is_alive():
            time.sleep(0.01)
        server.kill()
        sender.join(120)
        assert kill_after <= len(acknowledged) < VOTERS and refused > 0

        server.start()
        assert requests.get(server.url + "/", timeout=30).status_code == 200
        db.commit()
        receipts = [_receipt(user, ballot_path + "/receipt") for user in acknowledged]
        with app.test_request_context():  # the log is sealed when the ballot is counted
            services.close_ballot(db, demo, ballot.id, factories.officer(db))
        entries = db.exec(
            select(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id).order_by(BallotLogEntry.seq)
        ).all()
        votes = db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
        db.commit()
        logged = {entry.receipt for entry in entries}
        broken = verify_chain((e.previous_hash, e.hash, e.content()) for e in entries)
        figures.add("sigkills")
        figures.add("restarts")
        figures.add("ballots_acknowledged", len(acknowledged))
        figures.add("ballots_acknowledged_found", len(set(receipts) & logged))
        figures.add("ballots_refused_while_down", refused)
        figures.add("chains_verified_after_restart", int(broken is None))
        assert "" not in receipts and set(receipts) <= logged, "a ballot acknowledged with a receipt was lost"
        assert broken is None
        assert votes == len(entries)
        print(f"killed after {len(acknowledged)} receipts; {refused} refused; {len(entries)} in the log after restart")
    finally:
        server.stop()
