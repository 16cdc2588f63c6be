"""Money in integer pence: reading what people type, showing pounds, crossing to the engine's exact pounds."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbapp.core import money
from pbapp.core.money import MoneyError, parse_pounds

PENCE = st.integers(min_value=-(10**13), max_value=10**13)


@pytest.mark.parametrize(
    "text, pence",
    [
        ("£1,234.56", 123456),
        ("1234", 123400),
        ("1,234.5", 123450),
        ("(1,234)", -123400),
        ("-£5", -500),
        ("£-5", -500),
        ("0.5", 50),
        ("  12.05 ", 1205),
        ("1,000,000", 100_000_000),
        ("\u22127", -700),
        ("( £3.10 )", -310),
        ("£ 25,000", 2_500_000),
    ],
)
def test_parse_pounds_reads_what_people_and_councils_write(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "enter an amount"),
        (None, "enter an amount"),
        ("£", "enter an amount"),
        ("abc", "is not an amount"),
        ("1.234", "is not an amount"),
        ("12,34", "is not an amount"),
        ("(-5)", "not both"),
        ("1 000", "is not an amount"),
        ("--5", "is not an amount"),
        ("1e3", "is not an amount"),
        ("nan", "is not an amount"),
        ("inf", "is not an amount"),
        ("0x10", "is not an amount"),
    ],
)
def test_parse_pounds_refuses_what_is_not_money(text, message):
    with pytest.raises(MoneyError, match=message):
        parse_pounds(text)


def test_parse_pounds_in_thousands():
    assert parse_pounds("163,126", thousands=True) == 16_312_600_000
    assert parse_pounds("(1.5)", thousands=True) == -150_000


@pytest.mark.parametrize(
    "pence, kwargs, text",
    [
        (123456, {}, "£1,234.56"),
        (-500, {}, "-£5"),
        (-500, {"always_pence": True}, "-£5.00"),
        (0, {}, "£0"),
        (0, {"always_pence": True}, "£0.00"),
        (7, {}, "£0.07"),
        (2_500_000, {"signed": True}, "+£25,000"),
        (-2_500_050, {"signed": True}, "-£25,000.50"),
    ],
)
def test_format_money(pence, kwargs, text):
    assert money.format_money(pence, **kwargs) == text


@pytest.mark.parametrize(
    "pence, text",
    [
        (16_312_600_000, "£163.1m"),
        (95_000_000, "£950k"),
        (1200, "£12"),
        (-189_100_000, "-£1.9m"),
        (100_000_000, "£1.0m"),
        (99_999_999, "£1,000k"),
        (149, "£1"),
        (150, "£2"),
        (0, "£0"),
    ],
)
def test_format_compact(pence, text):
    assert money.format_compact(pence) == text


@pytest.mark.parametrize("value", [12.5, Decimal("12.50"), "12.50", None, True])
def test_amounts_that_are_not_whole_pence_are_a_bug(value):
    with pytest.raises(TypeError, match="whole pence"):
        money.format_money(value)


@pytest.mark.parametrize(
    "pence, text", [(1250, "12.50"), (-1250, "-12.50"), (5, "0.05"), (0, "0.00"), (123456789, "1234567.89")]
)
def test_decimal_pounds_for_other_systems(pence, text):
    assert money.decimal_pounds(pence) == text


@pytest.mark.parametrize(
    "amount, currency, text",
    [
        (Fraction(25_000), "£", "£25,000"),
        (Fraction(2501, 2), "£", "£1,250.50"),
        (Fraction(1, 3), "£", "£0.33"),
        (12.004, "", "12"),
        (Fraction(-5), "£", "£-5"),
        (Fraction(1500), "PLN", "1,500 PLN"),
    ],
)
def test_format_pounds_for_engine_amounts(amount, currency, text):
    assert money.format_pounds(amount, currency) == text


@given(PENCE)
def test_formatting_then_parsing_gives_back_the_same_pence(pence):
    assert parse_pounds(money.format_money(pence)) == pence
    assert parse_pounds(money.format_money(pence, always_pence=True)) == pence
    assert parse_pounds(money.decimal_pounds(pence)) == pence


@given(PENCE)
def test_pence_cross_to_exact_pounds_and_back(pence):
    assert money.to_pence(money.to_pounds(pence)) == pence
    assert money.to_pence(Decimal(pence) / 100) == pence


@given(st.fractions())
def test_to_pence_rounds_half_up_to_the_nearest_penny(amount):
    pence = money.to_pence(amount)
    assert abs(Fraction(pence, 100) - amount) <= Fraction(1, 200)
    assert Fraction(pence, 100) - amount < Fraction(1, 200) or Fraction(pence, 100) > amount


@given(PENCE, st.sampled_from(["", "£", " ", "  £"]))
def test_plain_pounds_with_or_without_symbol_parse_exactly(pence, prefix):
    pounds, rest = divmod(abs(pence), 100)
    text = f"{'-' if pence < 0 else ''}{prefix.strip()}{pounds}.{rest:02d}"
    assert parse_pounds(text) == pence


@given(st.text(max_size=20))
def test_any_text_is_read_as_whole_pence_or_refused_plainly(text):
    try:
        pence = parse_pounds(text)
    except MoneyError as error:
        assert str(error)
    else:
        assert isinstance(pence, int)


@given(PENCE)
def test_compact_amounts_keep_their_sign_and_order_of_size(pence):
    text = money.format_compact(pence)
    assert text.startswith("-£") == (pence <= -50) or text in ("£0", "-£0")
    assert text.endswith("m") == (abs(pence) >= 100_000_000)
