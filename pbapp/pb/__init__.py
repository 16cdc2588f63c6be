"""Participatory budgeting: processes, proposals, ballots, votes and results."""
