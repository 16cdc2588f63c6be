"""Template helpers shared by every page: money, dates, the signed-in person's councils."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext
from flask_login import current_user
from markupsafe import Markup

from pbapp import languages

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


def _pick(obj, field: str) -> tuple[str, bool]:
    """(text, whether it is in the reader's language) for an officer-entered field."""

    def read(name: str) -> str:
        value = obj.get(name, "") if isinstance(obj, dict) else getattr(obj, name, "")
        return value or ""

    locale = str(get_locale() or languages.SOURCE_LANGUAGE)
    if locale == languages.SOURCE_LANGUAGE:
        return read(field), True
    translated = read(f"{field}_{locale}")  # only the CONTENT_LANGUAGES have such columns
    if translated.strip():
        return translated, True
    return read(field), False


def in_language(obj, field: str) -> str:
    """An officer-entered text in the reader's language: the `<field>_<locale>` version when it is filled
    (e.g. `title_cy` for a Welsh reader), else the English `<field>`. Works on models and on dicts."""
    return _pick(obj, field)[0]


def _english_attributes() -> Markup:
    """` lang="en"`, and on a right-to-left page ` dir="ltr"` too, so English punctuation stays at its end."""
    rtl = languages.direction(str(get_locale() or languages.SOURCE_LANGUAGE)) == "rtl"
    return Markup(' lang="{}"{}').format(languages.SOURCE_LANGUAGE, Markup(' dir="ltr"') if rtl else "")


def local_text(obj, field: str, *, mark: bool = True) -> str | Markup:
    """The `local` filter: `in_language`, with English shown in place of the reader's language wrapped in
    `<span lang="en">` so a screen reader pronounces it as English. `mark=False` for attributes and SVG."""
    text, in_readers_language = _pick(obj, field)
    if not mark or not text or in_readers_language:
        return text
    return Markup("<span{}>{}</span>").format(_english_attributes(), text)


def fallback_lang(obj, field: str) -> Markup:
    """` lang="en"` for an element whose text is `local(field, mark=False)` shown in English in place of
    the reader's language (for text that is truncated or sits in SVG), else nothing."""
    text, in_readers_language = _pick(obj, field)
    return Markup("") if in_readers_language or not text else _english_attributes()


def _languages() -> list[tuple[str, str]]:
    """The configured languages as (code, name in itself), for the language switcher and the account form."""
    return [(code, languages.autonym(code)) for code in current_app.config["LANGUAGES"]]


def _my_councils():
    if "my_councils" not in g:
        g.my_councils = []
        if current_user.is_authenticated:
            from pbapp.accounts.services import councils_of

            g.my_councils = councils_of(current_user.id)
    return g.my_councils


HOME_LABELS = {
    "admin": lambda: gettext("Administration"),
    "officer": lambda: gettext("Council work"),
    "facilitator": lambda: gettext("Your juries"),
    "juror": lambda: gettext("Your jury"),
    "resident": lambda: gettext("Your votes and ideas"),
}


def _my_homes() -> list[tuple[str, str]]:
    """The signed-in person's homes for the service navigation, as (label, url)."""
    if "my_homes" not in g:
        g.my_homes = []
        if current_user.is_authenticated:
            from pbapp.db import get_session
            from pbapp.homes.services import homes_of

            homes = homes_of(get_session(), current_user)
            several = sum(1 for home in homes if home.key == "officer") > 1
            for home in homes:
                label = HOME_LABELS[home.key]()
                if home.key == "officer" and several:
                    label = f"{label}: {home.council}"
                g.my_homes.append((label, home.url))
    return g.my_homes


def _place_on_jury(jury) -> str:
    """How the signed-in person stands to a jury, for which links its pages show: staff, juror or ""."""
    if not current_user.is_authenticated:
        return ""
    from pbapp.db import get_session
    from pbapp.deliberation.permissions import is_staff, juror_of

    session = get_session()
    if is_staff(session, jury, current_user):
        return "staff"
    return "juror" if juror_of(session, jury, current_user) is not None else ""


def _header_council():
    """The council named in the header: the one the page is about, else the person's only council."""
    slug = (request.view_args or {}).get("council") if request else None
    if slug:
        from pbapp.councils.models import Council
        from pbapp.db import get_session
        from sqlmodel import select

        found = get_session().exec(select(Council).where(Council.slug == slug)).first()
        if found is not None:
            return found
    councils = _my_councils()
    return councils[0] if len(councils) == 1 else None


def init_templating(app: Flask) -> None:
    """Register filters and globals used by the templates."""
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["number"] = format_decimal  # 1500 -> 1,500 in the page's language
    app.jinja_env.globals["my_councils"] = _my_councils
    app.jinja_env.globals["my_homes"] = _my_homes
    app.jinja_env.globals["header_council"] = _header_council
    app.jinja_env.globals["place_on_jury"] = _place_on_jury
    app.jinja_env.filters["say"] = say
    app.jinja_env.filters["local"] = local_text  # {{ proposal|local('title') }}
    app.jinja_env.filters["fallback_lang"] = fallback_lang  # <div{{ option|fallback_lang('description') }}>
    app.jinja_env.globals["languages"] = _languages
    app.jinja_env.policies["json.dumps_kwargs"] = {"sort_keys": True}

    @app.context_processor
    def _locale():
        locale = str(get_locale())
        return {"locale": locale, "text_direction": languages.direction(locale)}
