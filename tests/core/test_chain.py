"""Hash chains detect edits, removals and reordering."""

from __future__ import annotations

from hypothesis import given, strategies as st

from pbapp.core.chain import GENESIS, canonical_json, link_hash, link_hash_of_text, verify_chain


def _build(payloads):
    entries, previous = [], GENESIS
    for payload in payloads:
        entry_hash = link_hash(previous, payload)
        entries.append((previous, entry_hash, payload))
        previous = entry_hash
    return entries


def test_canonical_json_is_order_independent():
    assert canonical_json({"b": 1, "a": "é"}) == canonical_json({"a": "é", "b": 1}) == '{"a":"é","b":1}'


payload_lists = st.lists(st.dictionaries(st.text(max_size=5), st.integers(), max_size=3), min_size=2, max_size=6)


@given(payload_lists)
def test_an_untouched_chain_verifies(payloads):
    assert verify_chain(_build(payloads)) is None


@given(payload_lists, st.data())
def test_any_edit_is_found_at_the_edited_entry(payloads, data):
    entries = _build(payloads)
    index = data.draw(st.integers(0, len(entries) - 1))
    previous, entry_hash, payload = entries[index]
    entries[index] = (previous, entry_hash, {**payload, "forged": True})
    broken = verify_chain(entries)
    assert broken is not None and broken.index == index and "content" in broken.reason


@given(payload_lists)
def test_removing_an_entry_breaks_the_link(payloads):
    entries = _build(payloads)
    del entries[0]
    broken = verify_chain(entries)
    assert broken is not None and broken.index == 0 and "previous" in broken.reason


@given(st.lists(st.dictionaries(st.text(max_size=5), st.integers(), max_size=3), max_size=3))
def test_a_payload_given_as_its_canonical_text_links_the_same(payload):
    assert link_hash_of_text(GENESIS, canonical_json(payload)) == link_hash(GENESIS, payload)
