"""One-time tokens (the links we email, held uploads) and the codes we print on letters.

The token travels in a link and is never stored; the database holds its SHA-256, so a leaked table
opens nothing. Every domain that hands out such a link makes and looks up its token here.

A printed code is typed back from paper: it is spelled in CODE_ALPHABET (no 0/O or 1/I), grouped
with dashes, and read back whatever the dashes, spaces and case. Each kind of letter keeps its own
grouping (voting codes 4-4-4, residence and invitation codes 5-5), since codes already posted must
still work.
"""

from __future__ import annotations

import hashlib
import secrets


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def compact_code(typed: str) -> str:
    """A typed code as its letters and digits in upper case: dashes, spaces and case do not count."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def grouped(compact: str, sizes: tuple[int, ...]) -> str:
    """A code with dashes between groups of `sizes` characters; the last group takes whatever is left."""
    parts, start = [], 0
    for size in sizes[:-1]:
        parts.append(compact[start : start + size])
        start += size
    return "-".join([*parts, compact[start:]])


def code_from_digest(digest: bytes, sizes: tuple[int, ...]) -> str:
    """A printed code spelled from a keyed digest, so the letter can be printed again yet only a hash is kept."""
    number = int.from_bytes(digest, "big")
    chars = []
    for _i in range(sum(sizes)):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return grouped("".join(chars), sizes)


def random_code(sizes: tuple[int, ...]) -> str:
    """A printed code of random characters (shown once, then kept only as a hash)."""
    return grouped("".join(secrets.choice(CODE_ALPHABET) for _i in range(sum(sizes))), sizes)


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token: what is stored, and what a presented token is looked up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(nbytes: int = 32) -> tuple[str, str]:
    """A fresh URL-safe token of `nbytes` random bytes, and its hash to store."""
    token = secrets.token_urlsafe(nbytes)
    return token, token_hash(token)
