"""Print a batch of voting codes as a PDF: one letter per page, in the officer's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import format_datetime
from flask_babel import gettext as _
from fpdf import FPDF

# DejaVu Sans (Bitstream Vera licence, fonts/LICENSE) is embedded, subset to the letters used, because
# the PDF standard fonts stop at Windows-1252 and Welsh needs ŵ and ŷ.
FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"


@dataclass(frozen=True)
class LetterBatch:
    """What every letter of a batch says, apart from its code."""

    council: str
    area: str
    ballot_title: str
    url: str
    closes_at: datetime | None
    batch_id: int


def letters_pdf(batch: LetterBatch, codes: list[str]) -> bytes:
    """Return a PDF with one letter per code; the codes appear nowhere else (no title, no metadata)."""
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 25, 25)
    pdf.set_title(_("Your vote: %(title)s", title=batch.ballot_title))
    pdf.set_creator("pbapp")
    closes = (_("Voting closes on %(day)s at %(time)s.", day=format_datetime(batch.closes_at, "d MMMM yyyy"),
                time=format_datetime(batch.closes_at, "HH:mm")) if batch.closes_at else "")
    lines = {
        "from": f"{batch.council} · {batch.area}" if batch.area and batch.area != batch.council else batch.council,
        "heading": _("Your vote: %(title)s", title=batch.ballot_title),
        "go": _("You can help decide how this money is spent. Go to"),
        "enter": _("and enter this code:"),
        "then": _("Then choose what you want, check your answers and send your vote."),
        "promise": _("The code works for one vote. You can change your vote until voting closes. "
                     "Nobody can see how you voted."),
    }
    for n, code in enumerate(codes, start=1):
        pdf.add_page()
        _write(pdf, lines["from"], size=11)
        pdf.ln(8)
        _write(pdf, lines["heading"], size=20, style="B")
        pdf.ln(6)
        _write(pdf, lines["go"], size=13)
        _write(pdf, batch.url, size=13, style="B")
        _write(pdf, lines["enter"], size=13)
        pdf.ln(4)
        pdf.set_font("courier", "B", 28)
        pdf.cell(w=0, h=16, text=code, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        _write(pdf, lines["then"], size=13)
        pdf.ln(2)
        if closes:
            _write(pdf, closes, size=13)
            pdf.ln(2)
        _write(pdf, lines["promise"], size=11)
        pdf.set_y(-30)
        _write(pdf, _("Letter %(n)d of %(total)d, batch %(batch)d", n=n, total=len(codes), batch=batch.batch_id),
               size=9)
    return bytes(pdf.output())


def _write(pdf: FPDF, text: str, *, size: int, style: str = "") -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.multi_cell(w=0, h=size * 0.55, text=text, align="L", new_x="LMARGIN", new_y="NEXT")
