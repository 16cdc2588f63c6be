"""The one money field every form uses (pounds typed as people write them, kept as whole pence), and the postcode box."""

from __future__ import annotations

import importlib
import inspect

import pytest
from flask import Flask, request
from flask_babel import Babel
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FloatField, Form

from pbapp.config import PACKAGE_ROOT
from pbapp.core.postcodes import is_postcode
from pbapp.formfields import PoundsField, postcode_field

NOT_AN_AMOUNT = "Enter an amount in pounds, like 1,234.56"


class AmountsForm(Form):
    cost = PoundsField("Cost", required="Enter the cost")
    change = PoundsField("Change", negative=True)
    expense = PoundsField("Expense", low_pence=1, high_pence=1_000_000)
    floor = PoundsField("Floor", low_pence=100)
    cap = PoundsField("Cap", negative=True, high_pence=500)


@pytest.fixture
def babel_app() -> Flask:
    """A bare app with the Welsh catalogue: the language is the request's `?lang=`."""
    app = Flask(__name__)
    Babel(
        app,
        locale_selector=lambda: request.args.get("lang", "en"),
        default_translation_directories=str(PACKAGE_ROOT / "translations"),
    )
    return app


@pytest.fixture
def typed(babel_app):
    """Post the typed boxes (cost filled in unless given) and validate; returns the form."""

    def _post(lang: str = "en", **boxes: str) -> AmountsForm:
        with babel_app.test_request_context(f"/?lang={lang}"):
            form = AmountsForm(MultiDict({"cost": "1", **boxes}))
            form.validate()
            return form

    return _post


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("1234", 123_400),
        ("£1,234.56", 123_456),
        (" 12500.5 ", 1_250_050),
        ("£ 2,000,000", 200_000_000),
        ("0", 0),
        ("0.07", 7),
    ],
)
def test_pounds_are_read_exactly_into_pence(typed, text, pence):
    form = typed(cost=text)
    assert form.cost.data == pence and not form.errors


def test_a_blank_box_is_none_and_only_a_required_one_says_so(typed):
    form = typed(cost="  ", change="", expense="")
    assert form.cost.data is None and form.errors == {"cost": ["Enter the cost"]}
    assert form.change.data is None and form.expense.data is None


@pytest.mark.parametrize("text", ["lots", "12,34", "1.234", "£", "1e3", "£5-", "(-5)", "5p"])
def test_what_is_not_an_amount_says_so_once_and_comes_back_as_typed(typed, text):
    form = typed(cost=text)
    assert form.cost.data is None and form.errors == {"cost": [NOT_AN_AMOUNT]}
    assert form.cost._value() == text


@pytest.mark.parametrize("text", ["-5", "(500)", "−£5", "-£0.01"])
def test_a_negative_amount_is_refused_unless_the_field_allows_it(typed, text):
    refused = typed(cost=text)
    assert refused.cost.data is None and refused.errors == {"cost": ["Enter an amount of £0 or more"]}
    assert refused.cost._value() == text
    allowed = typed(change=text)
    assert allowed.change.data < 0 and not allowed.errors


def test_a_cut_is_kept_as_negative_pence(typed):
    assert typed(change="(500)").change.data == -50_000
    assert typed(change="-£50,000").change.data == -5_000_000


@pytest.mark.parametrize(
    ("box", "text", "message"),
    [
        ("expense", "0", "Enter an amount from £0.01 to £10,000"),
        ("expense", "10,000.01", "Enter an amount from £0.01 to £10,000"),
        ("expense", "-3", "Enter an amount from £0.01 to £10,000"),
        ("floor", "0.99", "Enter an amount of £1 or more"),
        ("cap", "5.01", "Enter an amount of £5 or less"),
        ("cost", "-1", "Enter an amount of £0 or more"),
        # No box takes more than £1 trillion: 20 digits would overflow the database's integer column.
        ("cost", "99999999999999999999", "Enter an amount of £1,000,000,000,000 or less"),
        ("change", "-99999999999999999999", "Enter an amount of -£1,000,000,000,000 or more"),
    ],
)
def test_an_amount_out_of_range_names_the_range(typed, box, text, message):
    form = typed(**{box: text})
    assert form[box].data is None and form.errors == {box: [message]}


@pytest.mark.parametrize(("box", "text"), [("expense", "0.01"), ("expense", "£10,000"), ("floor", "1"), ("cap", "-9")])
def test_the_ends_of_a_range_are_inside_it(typed, box, text):
    assert not typed(**{box: text}).errors


def test_the_messages_are_welsh_for_a_welsh_reader(typed):
    form = typed("cy", cost="lots", change="x", expense="0", floor="(1)")
    assert form.errors == {
        "cost": ["Rhowch swm mewn punnoedd, fel 1,234.56"],
        "change": ["Rhowch swm mewn punnoedd, fel 1,234.56"],
        "expense": ["Rhowch swm o £0.01 i £10,000"],
        "floor": ["Rhowch swm o £1 neu fwy"],
    }
    assert typed("cy", cap="6").errors == {"cap": ["Rhowch swm o £5 neu lai"]}


def test_what_was_typed_is_shown_again_and_stored_pence_are_shown_as_pounds(babel_app):
    with babel_app.test_request_context():
        typed = AmountsForm(MultiDict({"cost": " £1,234.5 ", "change": "nonsense"}))
        assert typed.cost._value() == " £1,234.5 " and typed.change._value() == "nonsense"
        stored = AmountsForm(data={"cost": 123_456, "change": -5_000_000, "expense": 0})
        assert [stored.cost._value(), stored.change._value(), stored.expense._value(), stored.floor._value()] == [
            "£1,234.56",
            "-£50,000",
            "£0",
            "",
        ]
        assert 'value="£1,234.56"' in stored.cost()


def test_no_form_types_money_into_a_decimal_or_float_box():
    """Money is whole pence read by PoundsField: a DecimalField or FloatField would read it a second way."""
    found = []
    for path in sorted(PACKAGE_ROOT.glob("*/*forms.py")):
        module = importlib.import_module(f"pbapp.{path.parent.name}.{path.stem}")
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__:
                for attr, value in vars(cls).items():
                    kind = getattr(value, "field_class", None)
                    if kind and issubclass(kind, DecimalField | FloatField):
                        found.append(f"{cls_name}.{attr}")
    assert found == []


class PostcodesForm(Form):
    home = postcode_field(required=True)
    work = postcode_field(required=False)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("BB1 7DY", None),
        ("bb17dy", None),
        ("  Bb1  7dY ", None),
        ("M1 1AE", None),
        ("SW1A 1AA", None),
        ("BB1", "Enter a real postcode, like BB1 7DY"),
        ("BB1 7D", "Enter a real postcode, like BB1 7DY"),
        ("12345", "Enter a real postcode, like BB1 7DY"),
        ("", "Enter your postcode"),
    ],
)
def test_a_postcode_box_reads_postcodes_as_core_postcodes_does(babel_app, text, error):
    with babel_app.test_request_context("/"):
        form = PostcodesForm(MultiDict({"home": text, "work": ""}))
        assert form.validate() is (error is None)
        assert form.errors == ({} if error is None else {"home": [error]})
    if text:
        assert (error is None) is is_postcode(text)
