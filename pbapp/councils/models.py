"""Councils and their areas: wards, and neighbourhoods that group wards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from pbapp.timeutil import utcnow

WARD, NEIGHBOURHOOD = "ward", "neighbourhood"
AREA_KINDS = (WARD, NEIGHBOURHOOD)


class Council(SQLModel, table=True):
    """A local authority using the platform."""

    __tablename__ = "council"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, nullable=False)
    name: str = Field(max_length=200, nullable=False)
    name_cy: str = Field(default="", max_length=200, nullable=False)
    gss_code: str = Field(default="", max_length=9, nullable=False)
    postcode_prefixes: str = Field(default="", max_length=400, nullable=False)
    # The council's logo, re-encoded as PNG on upload; kept in the database so every instance serves it.
    logo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    logo_version: int = Field(default=0, nullable=False)
    # Letters and emails in Welsh and English, Welsh first (Welsh Language Standards), when the council chooses.
    bilingual: bool = Field(default=False, nullable=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow, nullable=False)

    def display_name(self, locale: str = "en") -> str:
        return self.name_cy if locale == "cy" and self.name_cy else self.name


class Area(SQLModel, table=True):
    """A ward or a neighbourhood; a ward may belong to one neighbourhood of the same council."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("council_id", "name", name="uq_area_council_name"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    kind: str = Field(max_length=16, nullable=False)
    name: str = Field(max_length=120, nullable=False)
    code: str = Field(default="", max_length=9, nullable=False)
    neighbourhood_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    adults: int = Field(default=0, nullable=False)
    postcode_prefixes: str = Field(default="", max_length=400, nullable=False)


class Postcode(SQLModel, table=True):
    """A full postcode in a council's area and the ward it lies in (from the ONS Postcode Directory)."""

    __tablename__ = "postcode"
    __table_args__ = (UniqueConstraint("council_id", "postcode", name="uq_postcode_council_postcode"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    postcode: str = Field(max_length=8, index=True, nullable=False)  # compact, upper case: "BB17DY"
    ward_id: int = Field(foreign_key="area.id", index=True, nullable=False)


class WardBoundary(SQLModel, table=True):
    """A ward's outline as SVG path data, simplified and projected at import, in its council's map frame.

    Every ward of a council shares one frame (`width` by `height` units, north up), so the council's
    map is its wards' paths drawn together.
    """

    __tablename__ = "ward_boundary"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    area_id: int = Field(foreign_key="area.id", unique=True, nullable=False)
    path: str = Field(sa_column=Column(Text, nullable=False))
    width: int = Field(nullable=False)
    height: int = Field(nullable=False)
