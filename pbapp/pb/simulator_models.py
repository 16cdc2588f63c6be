"""Tables of the budget simulator: a simulator ballot's budget lines, their limits, steps and consequences.

A simulator ballot is a `pb_ballot` of kind "simulator"; its votes, eligibility, log and result are the
ballot's own. These tables hold what the officer sets up: which budget-book lines residents can move,
by how much, what each step would mean for the service, and the optional council-tax lever.
"""

from __future__ import annotations

import json

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.modelfields import pence


class SimulatorSetup(SQLModel, table=True):
    """The savings to find and the council-tax lever of one simulator ballot."""

    __tablename__ = "pb_simulator"

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", unique=True, nullable=False)
    savings_pence: int = pence()
    tax_enabled: bool = Field(default=False, nullable=False)
    band_d_pence: int = pence()
    tax_base: int = Field(default=0, nullable=False)  # Band D equivalent homes
    tax_min_percent: int = Field(default=0, nullable=False)
    tax_max_percent: int = Field(default=0, nullable=False)


class SimulatorLine(SQLModel, table=True):
    """A budget-book line on a simulator ballot: its current net amount (copied when chosen) and its steps."""

    __tablename__ = "pb_simulator_line"
    __table_args__ = (UniqueConstraint("ballot_id", "ref", name="uq_pb_simulator_line_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    budget_line_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("budget_line.id", ondelete="SET NULL"), nullable=True)
    )
    ref: str = Field(max_length=20, nullable=False)
    service: str = Field(default="", max_length=120, nullable=False)
    title: str = Field(max_length=200, nullable=False)
    service_cy: str = Field(default="", max_length=120, nullable=False)  # Welsh versions: empty when none
    title_cy: str = Field(default="", max_length=200, nullable=False)
    current_pence: int = pence()
    min_percent: int = Field(default=-10, nullable=False)
    max_percent: int = Field(default=10, nullable=False)
    step_percent: int = Field(default=5, nullable=False)
    consequences: str = Field(default="{}", nullable=False)  # JSON: {"-10": "what a 10% cut would mean", ...}
    consequences_cy: str = Field(default="{}", nullable=False)  # the same in Welsh, for the steps that have it
    position: int = Field(default=0, nullable=False)

    def consequence_of(self, percent: int) -> str:
        return json.loads(self.consequences or "{}").get(str(percent), "")

    def consequence_cy_of(self, percent: int) -> str:
        return json.loads(self.consequences_cy or "{}").get(str(percent), "")
