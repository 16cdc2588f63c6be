"""Form fields shared by every domain: email addresses, postcodes, amounts of money, and dates and times typed
in UK local time.

Email, postcode and money fields are built here so that their checks and messages have one wording everywhere.
Dates follow the GOV.UK date input pattern: a date is typed as day, month and year in three boxes; a time of
day in a fourth ("17:30" or "5:30pm"). Dates are plain dates; a date and time is kept as an aware UTC instant, read from and
shown in UK local time, so a vote set to close at 17:00 in July closes at 16:00 UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, Field, SelectMultipleField, StringField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from pbapp.core.money import MoneyError, format_money, parse_pounds
from pbapp.core.postcodes import is_postcode
from pbapp.timeutil import NoSuchLocalTime, in_uk, uk_to_utc

# The largest amount any box takes, £1 trillion either way: more than any public budget, and well inside
# the 64-bit integer columns that keep pence (a 20-digit amount would overflow them).
MAX_PENCE = 100 * 10**12
DATE_PARTS = ("day", "month", "year")


def email_field(label=None, *, missing=None, max_length=None, description=""):
    """A required email address in a valid format; `missing` is the message when it is left blank."""
    validators = [
        DataRequired(missing or _l("Enter your email address")),
        Email(_l("Enter an email address in the correct format, like name@example.com")),
    ]
    if max_length:
        validators.append(Length(max=max_length))
    return EmailField(label or _l("Email address"), validators=validators, description=description)


def label_of(choices, value: str | None) -> str:
    """The label a list of choices gives a stored value, so pages show words, not codes (the value if none)."""
    return next((str(choice.label) for choice in choices if choice.value == value), value or "")


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for choosing several (the forms macro draws them as GOV.UK checkboxes)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _real_postcode(form, field) -> None:
    """The one postcode check of core.postcodes, whatever the case and spacing typed."""
    if field.data and not is_postcode(field.data):
        raise ValidationError(_l("Enter a real postcode, like BB1 7DY"))


def postcode_field(*, required: bool, description=""):
    """A UK postcode in any case and spacing; an optional one may be left blank."""
    first = DataRequired(_l("Enter your postcode")) if required else Optional()
    return StringField(
        _l("Postcode"),
        validators=[first, _real_postcode],
        description=description,
    )


class PoundsField(StringField):
    """An amount typed in pounds ("12500", "£1,234.56"), kept as integer pence in `.data` (None when blank).

    Every money box reads through core.money.parse_pounds, so all accept the same writing and none goes
    through float. After an error the box shows what was typed; filled from stored pence, it shows them
    as pounds. `required` is the message for a blank box. A negative amount ("-£5", "(500)") is refused
    unless `negative`; `low_pence` and `high_pence` bound the amount.
    """

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        required=None,
        negative: bool = False,
        low_pence: int | None = None,
        high_pence: int | None = None,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.missing_message = required
        self.low_pence = (-MAX_PENCE if negative else 0) if low_pence is None else low_pence
        self.high_pence = MAX_PENCE if high_pence is None else high_pence
        if required:
            self.flags.required = True

    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            return
        try:
            pence = parse_pounds(text)
        except MoneyError:
            raise ValueError(_("Enter an amount in pounds, like 1,234.56")) from None
        self.data = self._within_bounds(pence)

    def _within_bounds(self, pence: int) -> int:
        low, high = self.low_pence, self.high_pence
        if low <= pence <= high:
            return pence
        if low > -MAX_PENCE and high < MAX_PENCE:
            raise ValueError(
                _("Enter an amount from %(low)s to %(high)s", low=format_money(low), high=format_money(high))
            )
        if pence < low:
            raise ValueError(_("Enter an amount of %(low)s or more", low=format_money(low)))
        raise ValueError(_("Enter an amount of %(high)s or less", high=format_money(high)))

    def pre_validate(self, form):
        if self.data is None and not self.process_errors and self.missing_message:
            raise StopValidation(self.missing_message)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_money(self.data)


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def parse_time(text: str) -> time:
    """Read a time of day as people write it: 17:30, 17.30, 9am, 5:30pm, 12pm (noon)."""
    match = _TIME.match(text.strip().replace(" ", "").lower())
    if not match:
        raise ValueError(text)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match.group(2) is None:
        raise ValueError(text)  # "17" alone is ambiguous; ask for 17:00
    return time(hour, minute)


class UKDateField(Field):
    """A date typed in three boxes (day, month, year); `.data` is a `date` or None."""

    with_time = False

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data
        self.typed: dict[str, str] = {}
        self.raw_data = []
        if formdata is None:
            return
        self.typed = {part: (formdata.get(f"{self.name}-{part}") or "").strip() for part in self.parts()}
        whole = (formdata.get(self.name) or "").strip()  # one ISO value, as scripts and older clients send
        if whole and not any(self.typed.values()):
            self.typed = self._split_iso(whole)
        if any(self.typed.values()):
            self.raw_data = [" ".join(self.typed.values())]
        self.data = None
        try:
            self.data = self._read()
        except ValueError as error:
            self.process_errors.append(str(error))

    def parts(self) -> tuple[str, ...]:
        return DATE_PARTS + (("time",) if self.with_time else ())

    def _split_iso(self, text: str) -> dict[str, str]:
        day_text, _sep, time_text = text.replace(" ", "T").partition("T")
        bits = day_text.split("-")
        typed = dict(zip(("year", "month", "day"), bits)) if len(bits) == 3 else {"day": text}
        typed = {part: typed.get(part, "") for part in DATE_PARTS}
        if self.with_time:
            typed["time"] = time_text[:5]
        return typed

    def _read_date(self) -> date | None:
        typed = self.typed
        if not any(typed.get(part) for part in DATE_PARTS):
            return None
        missing = [part for part in DATE_PARTS if not typed.get(part)]
        if missing:
            raise ValueError(_("%(label)s must include a day, month and year", label=self.label.text))
        if not all(typed[part].isdigit() for part in DATE_PARTS) or len(typed["year"]) != 4:
            raise ValueError(_("%(label)s must be a real date, like 27 3 2027", label=self.label.text))
        try:
            return date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
        except ValueError:
            raise ValueError(_("%(label)s must be a real date, like 27 3 2027", label=self.label.text)) from None

    def _read(self):
        return self._read_date()

    def value_of(self, part: str) -> str:
        """What to show in one box: what was typed, else the stored value, else nothing."""
        if self.typed:
            return self.typed.get(part, "")
        if self.data is None:
            return ""
        shown = self._shown()
        if part == "time":
            return shown.strftime("%H:%M")
        return str(getattr(shown, part))

    def _shown(self):
        return self.data

    def _value(self):
        return ""


class UKDateTimeField(UKDateField):
    """A UK date and time of day; `.data` is an aware UTC `datetime` or None."""

    with_time = True

    def _read(self):
        day = self._read_date()
        time_text = self.typed.get("time", "")
        if day is None:
            if time_text:
                raise ValueError(_("%(label)s must include a day, month and year", label=self.label.text))
            return None
        if not time_text:
            raise ValueError(_("%(label)s must include a time, like 17:30 or 5:30pm", label=self.label.text))
        try:
            at = parse_time(time_text)
        except ValueError:
            raise ValueError(_("Enter the time for %(label)s like 17:30 or 5:30pm", label=self.label.text)) from None
        try:
            return uk_to_utc(day, at)
        except NoSuchLocalTime:
            raise ValueError(
                _(
                    "There is no %(time)s on %(day)s in the UK: the clocks go forward an hour that night. "
                    "Enter a time after 2am.",
                    time=at.strftime("%H:%M"),
                    day=format_date(day, "d MMMM yyyy"),
                )
            ) from None

    def _shown(self):
        return in_uk(self.data) if isinstance(self.data, datetime) else self.data
