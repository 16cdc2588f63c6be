"""Table columns whose rule is the same in every domain.

Money is kept as whole pence (pbapp.core.money), in a 64-bit column: a council's budget, a place's
public spending or a council-wide pot passes £21m, which overflows a 32-bit count of pence.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column
from sqlmodel import Field


def pence(nullable: bool = False):
    """An amount of money in pence: 0 by default, or None when `nullable` (no amount given)."""
    return Field(default=None if nullable else 0, sa_column=Column(BigInteger, nullable=nullable))
