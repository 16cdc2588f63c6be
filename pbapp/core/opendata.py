"""Open-data exports: a published schema of columns, written as CSV or JSON the same way by every domain.

A domain's opendata module lists its datasets as tuples of `Column` (the exports and the documentation
page both read them, so they cannot drift apart); `export` writes the rows. CSV goes through the one
CSV writer (pbapp.core.csv_writer), so cells are safe to open in a spreadsheet; JSON carries the
domain's schema version and what the rows describe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pbapp.core.csv_writer import write_csv

INTEGER, TEXT, DATE, DATETIME = "integer", "text", "date", "datetime"
FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: Any  # a lazy translation


@dataclass(frozen=True)
class Export:
    content: str
    mimetype: str
    filename: str


def to_csv(columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> str:
    """Write rows as CSV, neutralising cells a spreadsheet would run as formulas."""
    return write_csv(
        [c.name for c in columns],
        ([row[c.name] for c in columns] for row in rows),
        numeric=[c.name for c in columns if c.kind == INTEGER],
    )


def to_json(schema_version: str, dataset: str, meta: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """Write rows as JSON with the schema version and what the rows describe."""
    body = {"schema_version": schema_version, "dataset": dataset, **meta, "rows": rows}
    return json.dumps(body, indent=2, ensure_ascii=False, default=str)


def export(
    fmt: str,
    name: str,
    columns: tuple[Column, ...],
    rows: list[dict[str, Any]],
    *,
    schema_version: str,
    dataset: str,
    meta: dict[str, Any],
) -> Export:
    """One dataset as a file named `name` plus the format's extension (`fmt` is one of FORMATS)."""
    if fmt == "csv":
        return Export(to_csv(columns, rows), "text/csv; charset=utf-8", f"{name}.csv")
    return Export(to_json(schema_version, dataset, meta, rows), "application/json", f"{name}.json")
