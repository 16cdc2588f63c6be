"""Participatory budgeting: processes, proposals, ballots, votes and results."""

from flask import Blueprint

bp = Blueprint("pb", __name__, url_prefix="/pb")
