"""What browser tests do the way a person does, shared by the journeys."""

from __future__ import annotations


def fill_date(page, question: str, day: str, at: str | None = None) -> None:
    """Type a date (ISO, "2027-03-13") into the GOV.UK date input asked as `question`, as a person would."""
    year, month, day_of_month = day.split("-")
    group = page.get_by_role("group", name=question, exact=True)
    group.get_by_label("Day").fill(str(int(day_of_month)))
    group.get_by_label("Month").fill(str(int(month)))
    group.get_by_label("Year").fill(year)
    if at is not None:
        group.get_by_label("Time (UK)").fill(at)
