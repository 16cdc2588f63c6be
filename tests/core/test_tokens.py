"""One-time tokens: random, URL-safe, stored only as their SHA-256; printed codes typed back from paper."""

import hashlib

from pbapp.core.tokens import CODE_ALPHABET, code_from_digest, compact_code, grouped, new_token, random_code, token_hash


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


def test_a_printed_code_is_read_back_whatever_the_dashes_spaces_and_case():
    assert compact_code(" kacq-adwa e2ae ") == "KACQADWAE2AE"
    assert grouped("KACQADWAE2AE", (4, 4, 4)) == "KACQ-ADWA-E2AE"
    assert grouped("HSBLACNACJXY", (5, 5)) == "HSBLA-CNACJXY"  # the last group takes the rest


def test_a_derived_code_keeps_the_format_of_codes_already_posted():
    # Pinned: voting codes (4-4-4 from 10 bytes) and residence codes (5-5 from 8 bytes) must not change.
    assert code_from_digest(bytes(range(10)), (4, 4, 4)) == "KACQ-ADWA-E2AE"
    assert code_from_digest(bytes(range(8)), (5, 5)) == "HSBLA-CNACJ"


def test_a_random_code_uses_only_characters_that_cannot_be_misread():
    codes = {random_code((5, 5)) for _ in range(50)}
    assert len(codes) == 50
    assert all(len(c) == 11 and c[5] == "-" and set(c.replace("-", "")) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01IO") & set(CODE_ALPHABET)
