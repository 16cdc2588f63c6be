"""Hash chains for append-only logs: each entry's hash covers its content and the previous hash.

Anyone holding the entries can recompute every hash and so detect an edited, removed or
reordered entry. Deterministic: the same entries always give the same hashes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

GENESIS = "0" * 64


def canonical_json(payload: Any) -> str:
    """Serialise to the one JSON text used for hashing: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def link_hash(previous_hash: str, payload: Any) -> str:
    """Return the sha256 hex digest that chains `payload` to `previous_hash`."""
    return link_hash_of_text(previous_hash, canonical_json(payload))


def link_hash_of_text(previous_hash: str, text: str) -> str:
    """link_hash of a payload given as its canonical JSON text."""
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops verifying and why."""

    index: int
    reason: str


def verify_chain(entries: Iterable[tuple[str, str, Any]]) -> ChainBreak | None:
    """Check (previous_hash, hash, payload) entries in order; return the first break or None."""
    expected_previous = GENESIS
    for index, (previous_hash, entry_hash, payload) in enumerate(entries):
        if previous_hash != expected_previous:
            return ChainBreak(index, "previous hash does not match the entry before it")
        if link_hash(previous_hash, payload) != entry_hash:
            return ChainBreak(index, "hash does not match the entry's content")
        expected_previous = entry_hash
    return None
