"""One-time tokens: random, URL-safe, stored only as their SHA-256."""

import hashlib

from pbapp.core.tokens import new_token, token_hash


def test_a_new_token_is_random_url_safe_and_returned_with_its_hash():
    first, first_hash = new_token()
    second, _ = new_token()
    assert first != second and len(first) >= 43  # 32 random bytes
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert first_hash == token_hash(first) == hashlib.sha256(first.encode()).hexdigest()
    assert len(new_token(24)[0]) == 32


def test_the_hash_is_stable_and_tells_tokens_apart():
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert token_hash("abc") != token_hash("abd")
