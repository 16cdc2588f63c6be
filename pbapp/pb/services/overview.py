"""What an officer's desk and the home page show across a process's ballots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, func, select

from pbapp.councils.models import Area, Council
from pbapp.pb.models import PROPOSALS, Ballot, Process, Proposal, Result, Vote
from pbapp.pb.services.ballots import ballot_state
from pbapp.pb.services.processes import ballots_of, get_process
from pbapp.pb.services.results import result_of


@dataclass
class ManageView:
    process: Process
    ballots: list[tuple[Ballot, str, Result | None, int]]
    proposals: list[Proposal]
    area: Area | None


def manage_view(session: Session, council: Council, process_id: int) -> ManageView:
    process = get_process(session, council, process_id)
    ballots = []
    for ballot in ballots_of(session, process):
        votes = session.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
        ballots.append((ballot, ballot_state(ballot), result_of(session, ballot), votes))
    proposals = list(
        session.exec(select(Proposal).where(Proposal.process_id == process.id).order_by(Proposal.id)).all()
    )
    return ManageView(process, ballots, proposals, session.get(Area, process.area_id) if process.area_id else None)


def open_now(session: Session, council: Council) -> list[tuple[str, Ballot | Process, str]]:
    """Open ballots and processes taking proposals, for the council's home page."""
    items: list[tuple[str, Any, str]] = []
    ballots = session.exec(
        select(Ballot).where(
            Ballot.council_id == council.id, Ballot.frozen_at.is_not(None), Ballot.results_published_at.is_(None)
        )
    ).all()
    for ballot in ballots:
        if ballot_state(ballot) == "open":
            items.append(("ballot", ballot, ballot.eligibility))
    processes = session.exec(select(Process).where(Process.council_id == council.id, Process.phase == PROPOSALS)).all()
    items.extend(("process", p, "") for p in processes)
    return items
