"""UK postcodes as every domain reads them: compact for matching, spaced for showing, checked by one pattern.

A postcode is typed in any case and spacing ("bb1 7dy", "BB17DY"); it is compared in its compact
form (no spaces, upper case), stored and shown with one space before the inward code ("BB1 7DY").
"""

from __future__ import annotations

import re

# The full UK postcode pattern (outward code, then a digit and two letters), on the compact form.
PATTERN = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")


def compact(text: str) -> str:
    """The postcode without spaces, in upper case: the form it is matched and hashed in."""
    return "".join(text.split()).upper()


def is_postcode(text: str) -> bool:
    """Whether the text is a full UK postcode, whatever its case and spacing."""
    return PATTERN.match(compact(text)) is not None


def spaced(text: str) -> str:
    """The postcode as it is written, with one space before the last three characters ("BB1 7DY")."""
    tight = compact(text)
    return f"{tight[:-3]} {tight[-3:]}" if len(tight) > 3 else tight
