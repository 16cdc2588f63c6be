"""Check and clean a file attached to a proposal: its real type from its bytes, images re-encoded bare.

A file is judged by its first bytes, never by its name or the type the browser claims. Images are
decoded and written out again from their pixels alone, so EXIF (with any GPS position), XMP,
comments and anything smuggled after the image data are gone; PDFs must open and have a page.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from werkzeug.utils import secure_filename

from pbapp.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
# Pixel budgets, checked from the header before decoding. PNG and WebP decode at full size (up to
# 4 bytes a pixel, so at most 64 MB for one upload); a JPEG decodes at 1/2 to 1/8 scale (see
# _reencode), so a 50-megapixel phone photo costs a few MB.
MAX_PIXELS = 16_000_000
MAX_JPEG_PIXELS = 50_000_000
LONGEST_SIDE = 2000  # what a proposal page can show; larger pictures are scaled down
JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
_PILLOW_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}
FIELD = "attachment"


@dataclass(frozen=True)
class CleanFile:
    """A checked file, ready to store under its content hash."""

    data: bytes
    content_type: str
    name: str
    sha256: str

    @property
    def is_image(self) -> bool:
        return self.content_type in _PILLOW_FORMAT


def sniff(data: bytes) -> str | None:
    """Return the content type the bytes really are (of the types we take), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def clean(filename: str, data: bytes) -> CleanFile:
    """Return the file made safe to serve, or raise Invalid saying what is wrong with it."""
    if not data:
        raise Invalid(_("The selected file is empty"), field=FIELD)
    if len(data) > MAX_BYTES:
        raise Invalid(_("The selected file must be smaller than 5MB"), field=FIELD)
    content_type = sniff(data)
    if content_type is None:
        raise Invalid(_("The selected file must be a JPEG, PNG or WebP picture, or a PDF"), field=FIELD)
    data = _check_pdf(data) if content_type == PDF else _reencode(data, content_type)
    stem = secure_filename(filename.rsplit(".", 1)[0])[:100] or ("picture" if content_type != PDF else "document")
    return CleanFile(data, content_type, f"{stem}.{EXTENSIONS[content_type]}", hashlib.sha256(data).hexdigest())


def _reencode(data: bytes, content_type: str) -> bytes:
    fmt = _PILLOW_FORMAT[content_type]
    damaged = Invalid(
        _("The selected picture is damaged or incomplete; save it again and upload the copy"), field=FIELD
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                _check_pixels(probe, fmt)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                if fmt == "JPEG":
                    # JPEG decodes at 1/2, 1/4 or 1/8 scale: a large photo is never held at full size.
                    image.draft(image.mode, (LONGEST_SIDE, LONGEST_SIDE))
                image.load()
                # Shrink first, so every later copy (upright, converted, bare) is of the small picture.
                image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(fmt) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise damaged from None
    picture = upright.convert(_mode(fmt, upright))
    # Only the pixels cross over: no EXIF (GPS), XMP, ICC, comments or trailing bytes survive.
    bare = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    out = io.BytesIO()
    options = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 85}}[fmt]
    bare.save(out, format=fmt, **options)
    return out.getvalue()


def pixel_budget(fmt: str) -> int:
    """Return the most pixels a picture of this Pillow format may have."""
    return MAX_JPEG_PIXELS if fmt == "JPEG" else MAX_PIXELS


def _check_pixels(probe: Image.Image, fmt: str) -> None:
    """Refuse a picture whose header declares more pixels than the budget, before any pixel is decoded."""
    if probe.width * probe.height > pixel_budget(fmt):
        raise _too_many_pixels(fmt, probe.size)


def _too_many_pixels(fmt: str, size: tuple[int, int] | None = None) -> Invalid:
    limit = pixel_budget(fmt) // 1_000_000
    if size is None:
        return Invalid(
            _("The selected picture has too many pixels; make it smaller than %(limit)d megapixels", limit=limit),
            field=FIELD,
        )
    return Invalid(
        _(
            "The selected picture is %(width)d × %(height)d pixels, which is too many; "
            "make it smaller than %(limit)d megapixels",
            width=size[0],
            height=size[1],
            limit=limit,
        ),
        field=FIELD,
    )


def _mode(fmt: str, image: Image.Image) -> str:
    alpha = "A" in image.getbands() or "transparency" in image.info
    if fmt == "JPEG":
        return "L" if image.mode == "L" else "RGB"
    if fmt == "PNG" and image.mode in ("L", "LA", "RGB", "RGBA"):
        return image.mode
    return "RGBA" if alpha else "RGB"


def _check_pdf(data: bytes) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise Invalid(_("The selected PDF is protected by a password; upload a copy without one"), field=FIELD)
            pages = len(reader.pages)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        pages = 0
    if pages < 1:
        raise Invalid(_("The selected PDF is damaged or incomplete; save it again and upload the copy"), field=FIELD)
    return data
