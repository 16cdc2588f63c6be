"""Template helpers shared by every page: money, dates, the signed-in person's councils."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from pbapp.core.money import format_money
from pbapp.messages import say


def money(pence: int | None, *, signed: bool = False) -> str:
    """Format integer pence as pounds: 123456 -> £1,234.56; whole pounds drop the pence."""
    return "" if pence is None else format_money(pence, signed=signed)


def _date(value: date | datetime | None, style: str = "d MMMM yyyy") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, style)
    return format_date(value, style)


def _my_councils():
    if "my_councils" not in g:
        g.my_councils = []
        if current_user.is_authenticated:
            from pbapp.accounts.services import councils_of

            g.my_councils = councils_of(current_user.id)
    return g.my_councils


def init_templating(app: Flask) -> None:
    """Register filters and globals used by the templates."""
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["number"] = format_decimal  # 1500 -> 1,500 in the page's language
    app.jinja_env.globals["my_councils"] = _my_councils
    app.jinja_env.filters["say"] = say
    app.jinja_env.policies["json.dumps_kwargs"] = {"sort_keys": True}

    @app.context_processor
    def _locale():
        return {"locale": str(get_locale())}
