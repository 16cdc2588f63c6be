"""The text a count hashes for each entry of the ballot log is canonical_json of the entry's content."""

from __future__ import annotations

from hypothesis import given, strategies as st

from pbapp.core.chain import canonical_json
from pbapp.pb.models import BallotLogEntry

refs = st.text(min_size=1, max_size=6)
choices = (
    st.lists(refs, max_size=4)  # approval, knapsack and ranked ballots: project refs
    | st.dictionaries(refs, st.integers(0, 10**9), max_size=4)  # points and allocations: ref -> amount
    | st.dictionaries(refs, st.lists(st.integers(-20, 20), max_size=3), max_size=2)
)


@given(
    st.integers(1, 10**7),
    st.text(max_size=40),
    st.sampled_from(["online", "paper", "code", 'sp"e\\cial\n']),
    choices,
    st.none() | st.text(max_size=40),
    st.none() | st.booleans(),
)
def test_the_written_out_text_is_the_canonical_json_of_the_content(seq, token, channel, chosen, receipt, verified):
    content = BallotLogEntry.content_read(seq, token, channel, chosen, receipt, verified)
    text = BallotLogEntry.canonical_text(seq, token, channel, canonical_json(chosen), receipt, verified)
    assert text == canonical_json(content)
