"""UK local dates and times: typed in the GOV.UK date input, kept in UTC, right across the clock change."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import Optional

from pbapp.formfields import UKDateField, UKDateTimeField, parse_time
from pbapp.timeutil import NoSuchLocalTime, in_uk, uk_to_utc

UTC = timezone.utc


class _When(FlaskForm):
    class Meta:
        csrf = False

    on = UKDateField("Day", validators=[Optional()])
    at = UKDateTimeField("Voting closes", validators=[Optional()])


@pytest.mark.parametrize(
    ("day", "at", "utc"),
    [
        (date(2027, 1, 14), time(17, 0), datetime(2027, 1, 14, 17, 0, tzinfo=UTC)),  # GMT
        (date(2027, 7, 14), time(17, 0), datetime(2027, 7, 14, 16, 0, tzinfo=UTC)),  # BST
        (date(2027, 3, 28), time(0, 59), datetime(2027, 3, 28, 0, 59, tzinfo=UTC)),  # last minute of GMT
        (date(2027, 3, 28), time(2, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),  # first minute of BST
        (date(2027, 10, 31), time(0, 30), datetime(2027, 10, 30, 23, 30, tzinfo=UTC)),  # still BST
        (date(2027, 10, 31), time(1, 30), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),  # repeated hour: first pass
        (date(2027, 10, 31), time(2, 0), datetime(2027, 10, 31, 2, 0, tzinfo=UTC)),  # GMT again
    ],
)
def test_uk_wall_clock_times_become_utc_across_the_clock_changes(day, at, utc):
    assert uk_to_utc(day, at) == utc
    assert in_uk(utc).replace(tzinfo=None) == datetime.combine(day, at)


def test_the_hour_skipped_in_spring_does_not_exist():
    with pytest.raises(NoSuchLocalTime):
        uk_to_utc(date(2027, 3, 28), time(1, 30))


def test_a_naive_value_from_sqlite_is_read_as_utc():
    assert in_uk(datetime(2027, 7, 1, 12, 0)).hour == 13


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:30", time(17, 30)),
        ("17.30", time(17, 30)),
        ("9am", time(9, 0)),
        ("5:30pm", time(17, 30)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("09:05", time(9, 5)),
        (" 5 pm ", time(17, 0)),
    ],
)
def test_times_are_read_as_people_write_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["17", "25:00", "13pm", "noonish", "9:7", ""])
def test_unreadable_times_are_refused(text):
    with pytest.raises(ValueError):
        parse_time(text)


def _form(app, **typed):
    with app.test_request_context(method="POST"):
        form = _When(formdata=MultiDict(typed))
        form.validate()
        return form, {k: list(v) for k, v in form.errors.items()}


def test_the_date_input_reads_day_month_and_year(app):
    form, errors = _form(app, **{"on-day": "7", "on-month": "3", "on-year": "2027"})
    assert errors == {} and form.on.data == date(2027, 3, 7)


def test_the_date_time_input_reads_uk_time_and_keeps_utc(app):
    form, errors = _form(app, **{"at-day": "1", "at-month": "7", "at-year": "2027", "at-time": "5pm"})
    assert errors == {} and form.at.data == datetime(2027, 7, 1, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"on-day": "7", "on-year": "2027"}, "Day must include a day, month and year"),
        ({"on-day": "31", "on-month": "2", "on-year": "2027"}, "Day must be a real date"),
        ({"on-day": "1", "on-month": "2", "on-year": "27"}, "Day must be a real date"),
        ({"on-day": "a", "on-month": "2", "on-year": "2027"}, "Day must be a real date"),
        ({"at-day": "1", "at-month": "7", "at-year": "2027"}, "Voting closes must include a time"),
        ({"at-day": "1", "at-month": "7", "at-year": "2027", "at-time": "teatime"}, "Enter the time for Voting closes"),
        ({"at-time": "17:00"}, "Voting closes must include a day, month and year"),
        ({"at-day": "28", "at-month": "3", "at-year": "2027", "at-time": "01:30"}, "the clocks go forward"),
    ],
)
def test_bad_dates_and_times_get_a_specific_error_and_no_value(app, typed, message):
    form, errors = _form(app, **typed)
    field = "on" if "on-day" in typed else "at"
    assert any(message in e for e in errors[field]), errors
    assert getattr(form, field).data is None
    for part, value in typed.items():  # what was typed comes back, to be corrected
        assert getattr(form, field).value_of(part.split("-")[1]) == value


def test_a_stored_instant_is_shown_in_uk_time(app):
    with app.test_request_context():
        form = _When(data={"at": datetime(2027, 10, 30, 23, 30, tzinfo=UTC)})
        assert [form.at.value_of(p) for p in ("day", "month", "year", "time")] == ["31", "10", "2027", "00:30"]


def test_one_iso_value_is_still_read_for_scripts(app):
    form, errors = _form(app, on="2027-01-14", at="2027-07-01T09:00")
    assert errors == {} and form.on.data == date(2027, 1, 14)
    assert form.at.data == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)


def test_pages_show_times_in_uk_time(app):
    from flask import render_template_string

    with app.test_request_context():
        shown = render_template_string(
            "{{ when|date('d MMMM yyyy HH:mm') }}", when=datetime(2027, 7, 1, 16, 0, tzinfo=UTC)
        )
    assert shown == "1 July 2027 17:00"


def test_a_required_date_keeps_its_specific_error(app):
    from wtforms.validators import InputRequired

    class _Required(FlaskForm):
        class Meta:
            csrf = False

        on = UKDateField("Date of the decision", validators=[InputRequired("Enter the date of the decision")])

    with app.test_request_context(method="POST"):
        empty = _Required(formdata=MultiDict({}))
        empty.validate()
        wrong = _Required(formdata=MultiDict({"on-day": "30", "on-month": "2", "on-year": "2027"}))
        wrong.validate()
    assert empty.on.errors == ["Enter the date of the decision"]
    assert wrong.on.errors == ["Date of the decision must be a real date, like 27 3 2027"]
