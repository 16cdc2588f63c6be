"""One-time tokens (the links we email, held uploads): made at random, kept only as a hash.

The token travels in a link and is never stored; the database holds its SHA-256, so a leaked table
opens nothing. Every domain that hands out such a link makes and looks up its token here.
"""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token: what is stored, and what a presented token is looked up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(nbytes: int = 32) -> tuple[str, str]:
    """A fresh URL-safe token of `nbytes` random bytes, and its hash to store."""
    token = secrets.token_urlsafe(nbytes)
    return token, token_hash(token)
