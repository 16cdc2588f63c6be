"""Voter keys, code hashes and log tokens: the one-way ids a vote is stored under."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app

from pbapp.core.tokens import compact_code


# Rows keyed before VOTER_KEY existed: voter ids keyed by SECRET_KEY, code hashes plain SHA-256.
LEGACY_KEY_VERSION = 0


def _voter_secret(version: int) -> bytes:
    """The voter key of `version`: the current VOTER_KEY, a retired one, or (version 0) the old SECRET_KEY."""
    config = current_app.config
    if version == config["VOTER_KEY_VERSION"]:
        return config["VOTER_KEY"].encode()
    if version == LEGACY_KEY_VERSION:
        return config["SECRET_KEY"].encode()
    retired = config["VOTER_KEYS_RETIRED"].get(version)
    if retired is None:
        raise RuntimeError(f"No voter key of version {version}: add it to VOTER_KEYS_RETIRED.")
    return retired.encode()


def current_key_version() -> int:
    return current_app.config["VOTER_KEY_VERSION"]


def _keyed_hash(version: int, *parts: Any) -> str:
    # Keyed with the voter key (not SECRET_KEY, which rotates), so a copy of the database alone
    # cannot link a vote to a person and rotating SECRET_KEY changes no voter's identity.
    return hmac.new(_voter_secret(version), ":".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()


def _voter_key(ballot: Any, *who: Any) -> str:
    """The keyed, one-way id of a voter in one ballot, under the key version the ballot was made with."""
    return _keyed_hash(ballot.key_version, "pb-vote", ballot.id, *who)


normalise_code = compact_code  # a typed voting code as it is hashed


def _code_hash(code: str, version: int) -> str:
    if version == LEGACY_KEY_VERSION:
        return hashlib.sha256(normalise_code(code).encode()).hexdigest()
    # Keyed: someone holding the mailing list and a database copy cannot match codes to rows.
    return _keyed_hash(version, "pb-code-hash", normalise_code(code))


def _log_token(voter_key: str) -> str:
    return hashlib.sha256(f"log:{voter_key}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Voter:
    """Who is voting, as far as the ballot needs to know: a keyed hash, never an identity."""

    key: str
    via: str  # "account", "code", "paper" or "booth"
    area_id: int | None = None
    code_id: int | None = None
