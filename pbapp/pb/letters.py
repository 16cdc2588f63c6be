"""Print a batch of voting codes as a PDF: one letter per page, in the officer's language or bilingual.

A letter is the same page every time but for its code and its number, so the page is laid out
once by fpdf2 (with a placeholder code and number) and every letter is stamped from it: the
page's content stream is cut around the two placeholders, the unchanging parts are written once
and shared by every page (a page's /Contents may be an array of streams, ISO 32000-1 7.8.2,
joined at token boundaries), and each letter adds one small stream holding its code and number.
That takes a 10,000-letter batch from about 6 ms to 0.03 ms of CPU a letter (bench/letters.py);
laying out every page with fpdf2 cannot reach that, hence the hand-written page tree.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask_babel import force_locale, format_datetime, get_locale
from flask_babel import gettext as _
from fpdf import FPDF

# DejaVu Sans (Bitstream Vera licence, fonts/LICENSE) is embedded, subset to the letters used, because
# the PDF standard fonts stop at Windows-1252 and Welsh needs ŵ and ŷ.
FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
# The stamped texts use standard fonts (Courier for the code, Helvetica for the number): their text is
# plain bytes in the content stream, so a letter's code and number are written without fpdf2.
CODE_PLACEHOLDER_CHAR = "Q"
NUMBER_PLACEHOLDER = 918273645


@dataclass(frozen=True)
class LetterBatch:
    """What every letter of a batch says, apart from its code."""

    council: str
    area: str
    ballot_title: str
    url: str
    closes_at: datetime | None
    batch_id: int
    ballot_title_cy: str = ""  # the Welsh title, where the council gave one

    def title(self) -> str:
        """The ballot's title in the language in force (Welsh where given, else English)."""
        return self.ballot_title_cy if self.ballot_title_cy and str(get_locale()) == "cy" else self.ballot_title


@dataclass(frozen=True)
class _Words:
    """A letter's sentences in one language."""

    heading: str
    go: str
    enter: str
    then: str
    closes: str
    promise: str
    footer: str  # with NUMBER_PLACEHOLDER where the letter's number goes


def _words(batch: LetterBatch, total: int) -> _Words:
    closes = (
        _(
            "Voting closes on %(day)s at %(time)s.",
            day=format_datetime(batch.closes_at, "d MMMM yyyy"),
            time=format_datetime(batch.closes_at, "HH:mm"),
        )
        if batch.closes_at
        else ""
    )
    return _Words(
        heading=_("Your vote: %(title)s", title=batch.title()),
        go=_("You can help decide how this money is spent. Go to"),
        enter=_("and enter this code:"),
        then=_("Then choose what you want, check your answers and send your vote."),
        closes=closes,
        promise=_(
            "The code works for one vote. You can change your vote until voting closes. Nobody can see how you voted."
        ),
        footer=_("Letter %(n)d of %(total)d, batch %(batch)d", n=NUMBER_PLACEHOLDER, total=total, batch=batch.batch_id),
    )


def letters_pdf(batch: LetterBatch, codes: list[str], *, languages: Sequence[str] | None = None) -> bytes:
    """Return a PDF with one letter per code; the codes appear nowhere else (no title, no metadata)."""
    out = io.BytesIO()
    write_letters(out, batch, codes, languages=languages)
    return out.getvalue()


def write_letters(
    out: BinaryIO,
    batch: LetterBatch,
    codes: Sequence[str],
    *,
    languages: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the letters to `out`, one page per code in the codes' order, calling `progress(done)` now and then.

    `languages` None writes in the current language; several ("cy", "en") write every text in each,
    in that order.
    """
    if not codes:
        raise ValueError("a batch has at least one code")
    width = len(codes[0])
    if any(len(code) != width for code in codes):
        raise ValueError("the codes of a batch are all the same length")  # the centred code is stamped in place
    if languages:
        words = []
        for language in languages:
            with force_locale(language):
                words.append(_words(batch, len(codes)))
        with force_locale(languages[0]):
            title = _("Your vote: %(title)s", title=batch.title())
    else:
        words = [_words(batch, len(codes))]
        title = words[0].heading
    template = _template(batch, words, title, CODE_PLACEHOLDER_CHAR * width)
    footer = " / ".join(w.footer for w in words)
    _Stamper(template, CODE_PLACEHOLDER_CHAR * width, _plain(footer)).write(out, codes, progress)


FOOTER_MM = 30
SIZES = ((13, 11), (12, 10), (11, 9), (10, 8))  # body and small print; smaller where the texts run long


def _template(batch: LetterBatch, words: list[_Words], title: str, code: str) -> bytes:
    """One letter laid out by fpdf2, with the placeholder code and number, in the largest print that fits above
    the letter's number (two languages take more room than one)."""
    for body, small in SIZES[len(words) - 1 :]:
        made, bottom = _layout(batch, words, title, code, body, small)
        if bottom <= A4_HEIGHT_MM - FOOTER_MM:
            break
    return made


A4_HEIGHT_MM = 297


def _layout(
    batch: LetterBatch, words: list[_Words], title: str, code: str, body: int, small: int
) -> tuple[bytes, float]:
    """The letter in this print, and where its text ends (mm from the top)."""
    bilingual = len(words) > 1
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 25, 25)
    pdf.set_title(title)
    pdf.set_creator("pbapp")
    pdf.add_page()
    sender = f"{batch.council} · {batch.area}" if batch.area and batch.area != batch.council else batch.council
    _write(pdf, sender, size=11)
    pdf.ln(8 if not bilingual else 5)
    for n, w in enumerate(words):
        _write(pdf, w.heading, size=20 if n == 0 else 16, style="B")
    pdf.ln(6 if not bilingual else 3)
    for w in words:
        _write(pdf, w.go, size=body)
    _write(pdf, batch.url, size=body, style="B")
    for w in words:
        _write(pdf, w.enter, size=body)
    pdf.ln(4)
    pdf.set_font("courier", "B", 28)
    pdf.cell(w=0, h=16, text=code, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    below_code = pdf.get_y()
    # The number straight after the code, so the one stream each letter adds holds little else.
    pdf.set_y(-FOOTER_MM)
    pdf.set_font("helvetica", "", 9)
    pdf.cell(w=0, h=5, text=_plain(" / ".join(w.footer for w in words)), align="L")
    pdf.set_xy(pdf.l_margin, below_code)
    pdf.ln(6)
    for w in words:
        _write(pdf, w.then, size=body)
    pdf.ln(2)
    if words[0].closes:
        for w in words:
            _write(pdf, w.closes, size=body)
        pdf.ln(2)
    for w in words:
        _write(pdf, w.promise, size=small)
    bottom = pdf.get_y()
    return bytes(pdf.output()), bottom  # output closes the font files even when this print is not used


def _write(pdf: FPDF, text: str, *, size: int, style: str = "") -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.multi_cell(w=0, h=size * 0.55, text=text, align="L", new_x="LMARGIN", new_y="NEXT")


def _plain(text: str) -> str:
    """The footer in Windows-1252, the standard fonts' letters (ŵ becomes w): it holds little but numbers."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return stripped.encode("cp1252", "replace").decode("cp1252")


def _literal(text: str) -> bytes:
    """A PDF string literal (ISO 32000-1 7.3.4.2) of Windows-1252 text."""
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj\s*$", re.S)


class _Stamper:
    """A fpdf2 one-page PDF turned into a page to stamp: its objects kept, its page tree written anew."""

    def __init__(self, template: bytes, code_placeholder: str, footer: str):
        self.objects = _objects(template)
        trailer = template[template.rindex(b"trailer") :]
        self.root = int(re.search(rb"/Root (\d+) 0 R", trailer).group(1))
        self.info = int(re.search(rb"/Info (\d+) 0 R", trailer).group(1))
        self.pages = int(re.search(rb"/Pages (\d+) 0 R", self.objects[self.root]).group(1))
        self.page = int(re.search(rb"/Kids \[(\d+) 0 R\]", self.objects[self.pages]).group(1))
        page = self.objects[self.page]
        self.contents = int(re.search(rb"/Contents (\d+) 0 R", page).group(1))
        self.resources = re.search(rb"/Resources (\d+) 0 R", page).group(1)
        self.media_box = re.search(rb"/MediaBox \[[^\]]*\]", self.objects[self.pages]).group(0)
        stream = _stream(self.objects[self.contents])
        head, after_code = _cut(stream, _literal(code_placeholder))
        self.middle, tail = _cut(after_code, _literal(footer))
        self.head, self.tail = head, tail
        self.footer_parts = footer.split(str(NUMBER_PLACEHOLDER))

    def write(self, out: BinaryIO, codes: Sequence[str], progress: Callable[[int], None] | None) -> None:
        offsets: dict[int, int] = {}
        position = 0

        def put(number: int, body: bytes) -> None:
            nonlocal position
            offsets[number] = position
            chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
            out.write(chunk)
            position += len(chunk)

        header = b"%PDF-1.4\n%\xe9\xeb\xf1\xbf\n"
        out.write(header)
        position = len(header)
        skip = {self.pages, self.page, self.contents}
        for number, body in sorted(self.objects.items()):
            if number not in skip:
                put(number, body)
        head, tail = self.contents, self.page  # the template's own numbers, free now, for the shared streams
        put(head, _flate(self.head))
        put(tail, _flate(self.tail))
        next_number = max(self.objects) + 1
        kids: list[bytes] = []
        page_prefix = b"<<\n/Type /Page\n/Parent %d 0 R\n/Resources %s 0 R\n/Contents [%d 0 R " % (
            self.pages,
            self.resources,
            head,
        )
        page_suffix = b" 0 R %d 0 R]\n>>" % tail
        total = len(codes)
        for n, code in enumerate(codes, start=1):
            own = _literal(code) + self.middle + _literal(str(n).join(self.footer_parts))
            put(next_number, b"<<\n/Length %d\n>>\nstream\n%s\nendstream" % (len(own), own))
            put(next_number + 1, page_prefix + b"%d" % next_number + page_suffix)
            kids.append(b"%d 0 R" % (next_number + 1))
            next_number += 2
            if progress is not None and (n % 1000 == 0 or n == total):
                progress(n)
        put(self.pages, b"<<\n/Type /Pages\n/Count %d\n/Kids [%s]\n%s\n>>" % (total, b" ".join(kids), self.media_box))
        xref = position
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % next_number]
        lines.extend(
            b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
            for number in range(1, next_number)
        )
        lines.append(
            b"trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n>>\nstartxref\n%d\n%%%%EOF\n"
            % (next_number, self.root, self.info, xref)
        )
        out.write(b"".join(lines))


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object of an fpdf2 PDF by number, found through its cross-reference table (not by scanning
    the binary font streams, which may hold any bytes)."""
    start = int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])
    table = pdf[start : pdf.index(b"trailer", start)].split(b"\n")
    first, count = (int(x) for x in table[1].split())
    offsets = {first + i: int(line[:10]) for i, line in enumerate(table[2 : 2 + count]) if line[17:18] == b"n"}
    ends = sorted(offsets.values()) + [start]
    objects = {}
    for number, offset in offsets.items():
        end = ends[ends.index(offset) + 1]
        match = _OBJECT.match(pdf, offset, end)
        if match is None or int(match.group(1)) != number:
            raise ValueError(f"object {number} of the letter template is not where its table says")
        objects[number] = match.group(2)
    return objects


def _stream(body: bytes) -> bytes:
    head, _sep, rest = body.partition(b"stream")
    length = int(re.search(rb"/Length (\d+)", head).group(1))
    data = rest[2 : 2 + length] if rest.startswith(b"\r\n") else rest[1 : 1 + length]
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def _cut(stream: bytes, literal: bytes) -> tuple[bytes, bytes]:
    """Split a content stream around the one placeholder string it shows."""
    if stream.count(literal) != 1:
        raise ValueError("the letter template shows its placeholder once")
    before, _sep, after = stream.partition(literal)
    return before, after


def _flate(data: bytes) -> bytes:
    packed = zlib.compress(data)
    return b"<<\n/Filter /FlateDecode\n/Length %d\n>>\nstream\n%s\nendstream" % (len(packed), packed)
