"""Print the address lottery's invitation letters: one A4 page per drawn household, in draw order.

Each letter carries the household's address, placed for a DL window envelope (the page folded in
three), and the registration code that ties a reply to the letter. Unlike the vote's letters
(pbapp.pb.letters), no two pages share their address, so every page is laid out by fpdf2: about
10 ms of CPU a letter, 19 in two languages (bench/invitation_letters.py), which is why a job makes them
(pbapp.sortition.invitations). Welsh then English for a council that chooses both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF

from pbapp.core.money import format_money
from pbapp.pb.letters import A4_HEIGHT_MM, FAMILY, FONTS, FOOTER_MM, _plain, _write

# The address block sits where a DL window shows it: 20 mm from the left edge, about 50 mm from the top of
# an A4 sheet folded in three, within a window of 90 by 35 mm.
WINDOW_X, WINDOW_Y, WINDOW_W, WINDOW_LINES, LINE_MM = 20, 50, 85, 7, 4.8
BODY_Y = 95  # the letter's text starts below the window
# Body and small print, the largest that fits above the letter's number: one language starts at the top,
# two (twice the text on the same page) a step lower and may go down to 8 point.
SIZES = ((13, 11), (12, 10), (11, 9), (10, 8), (9, 8), (8, 7))


@dataclass(frozen=True)
class Invitation:
    """What every letter of a draw says, apart from the household's address and code."""

    names: dict[str, str]  # the council's name in each language the letters are in
    remit: str
    remit_cy: str
    starts_on: date
    ends_on: date
    honorarium_pence: int
    url: str  # the volunteer registration page


@dataclass(frozen=True)
class Household:
    """One drawn household: the lines of its address and its registration code."""

    lines: tuple[str, ...]
    code: str


def address_lines(row: dict[str, str], columns: Sequence[str]) -> tuple[str, ...]:
    """The address block of a row: each non-empty cell of the address columns a line, a cell holding
    commas ("12 Mill Lane, Darwen") split at them, as a window envelope wants one part a line."""
    lines = [part.strip() for c in columns for part in (row.get(c) or "").split(",")]
    lines = [line for line in lines if line]
    if len(lines) > WINDOW_LINES:  # the window's height: the last lines share one
        lines = [*lines[: WINDOW_LINES - 1], ", ".join(lines[WINDOW_LINES - 1 :])]
    return tuple(lines)


@dataclass(frozen=True)
class _Words:
    heading: str
    chosen: str
    what: str
    question: str
    when: str
    paid: str
    go: str
    enter: str
    after: str
    footer: str  # with {n} where the letter's number goes


def _words(about: Invitation, council: str, total: int, welsh: bool) -> _Words:
    remit = about.remit_cy if welsh and about.remit_cy else about.remit
    return _Words(
        heading=_("An invitation to join a citizens’ jury"),
        chosen=_("Your address was chosen at random, in a public lottery, to receive this letter."),
        what=_(
            "%(council)s is bringing together a citizens’ jury: a group of local people, chosen by lot so that "
            "together they reflect the whole community, who meet to hear evidence, discuss a question and make "
            "recommendations to the council.",
            council=council,
        ),
        question=_("The jury’s question: %(remit)s", remit=remit),
        when=_(
            "The jury meets between %(start)s and %(end)s.",
            start=format_date(about.starts_on, "d MMMM yyyy"),
            end=format_date(about.ends_on, "d MMMM yyyy"),
        ),
        paid=(
            _(
                "Members of the jury are paid %(amount)s for each session they attend.",
                amount=format_money(about.honorarium_pence),
            )
            if about.honorarium_pence > 0
            else ""
        ),
        go=_("If you would like to take part, register your interest. Go to"),
        enter=_("and enter this code:"),
        after=_(
            "Registering does not commit you to taking part. The jury’s members are chosen by a second lottery "
            "from everyone who registers, so that the jury reflects the whole community."
        ),
        footer=_("Letter %(n)s of %(total)d", n="{n}", total=total),
    )


def write_invitations(
    out: BinaryIO,
    about: Invitation,
    households: Sequence[Household],
    *,
    languages: Sequence[str],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write one letter per household to `out`, in the households' order, calling `progress(done)` every
    fifty letters; every text in each of `languages`, in that order."""
    if not households:
        raise ValueError("a draw has at least one household")
    words = []
    for language in languages:
        with force_locale(language):
            words.append(_words(about, about.names[language], len(households), language == "cy"))
    sender = " / ".join(dict.fromkeys(about.names[language] for language in languages))
    body, small = _fit(sender, about.url, words, households[0])
    pdf = _document(words[0].heading)
    for n, household in enumerate(households, start=1):
        _page(pdf, sender, about.url, words, household, n, body, small)
        if progress is not None and (n % 50 == 0 or n == len(households)):
            progress(n)
    pdf.output(out)


def _document(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 20)
    pdf.set_title(title)  # no address and no code in the file's metadata
    pdf.set_creator("pbapp")
    return pdf


def _fit(sender: str, url: str, words: list[_Words], household: Household) -> tuple[int, int]:
    """The largest print whose text ends above the letter's number. The body does not depend on the
    household, so one trial page a size tells."""
    return next(
        (
            s
            for s in SIZES[2 * (len(words) - 1) :]
            if _trial(sender, url, words, household, s) <= A4_HEIGHT_MM - FOOTER_MM
        ),
        SIZES[-1],
    )


def _trial(sender: str, url: str, words: list[_Words], household: Household, size: tuple[int, int]) -> float:
    pdf = _document("")
    bottom = _page(pdf, sender, url, words, household, 1, *size)
    pdf.output()  # closes the font files
    return bottom


def _page(
    pdf: FPDF, sender: str, url: str, words: list[_Words], household: Household, n: int, body: int, small: int
) -> float:
    """Lay out one letter; return where its text ends (mm from the top)."""
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_xy(120, 20)
    pdf.multi_cell(w=70, h=5.5, text=sender, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    for row, line in enumerate(household.lines):
        pdf.set_xy(WINDOW_X, WINDOW_Y + row * LINE_MM)
        pdf.cell(w=WINDOW_W, h=LINE_MM, text=line)
    pdf.set_xy(pdf.l_margin, BODY_Y)
    for i, w in enumerate(words):
        _write(pdf, w.heading, size=(18 if len(words) == 1 else 14) if i == 0 else 12, style="B")
    gap = 2 if len(words) == 1 else 1
    pdf.ln(gap + 1)
    for key in ("chosen", "what", "question", "when", "paid"):
        if getattr(words[0], key):
            for w in words:
                _write(pdf, getattr(w, key), size=body)
            pdf.ln(gap)
    for w in words:
        _write(pdf, w.go, size=body)
    _write(pdf, url, size=body, style="B")
    for w in words:
        _write(pdf, w.enter, size=body)
    pdf.ln(gap + 1)
    pdf.set_font("courier", "B", 24)
    pdf.cell(w=0, h=14, text=household.code, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap + 2)
    for w in words:
        _write(pdf, w.after, size=small)
    bottom = pdf.get_y()
    pdf.set_y(-FOOTER_MM)
    pdf.set_font("helvetica", "", 9)
    pdf.cell(w=0, h=5, text=_plain(" / ".join(w.footer.format(n=n) for w in words)), align="L")
    return bottom
