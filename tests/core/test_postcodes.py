"""UK postcodes: compact for matching, spaced for showing, one pattern for what is a postcode."""

from pbapp.core.postcodes import compact, is_postcode, spaced


def test_a_postcode_is_matched_whatever_its_case_and_spacing():
    assert compact(" bb1  7dy ") == compact("BB17DY") == "BB17DY"
    assert spaced("bb17dy") == spaced("BB1 7DY") == "BB1 7DY"
    assert spaced("sw1a1aa") == "SW1A 1AA"
    assert spaced("ab") == "AB"  # too short to split: left as typed, compacted


def test_only_full_uk_postcodes_pass():
    for good in ("BB1 7DY", "bb17dy", "SW1A 1AA", "M1 1AE", "CR2 6XH", "DN55 1PT"):
        assert is_postcode(good), good
    for bad in ("", "BB1", "BB1 7D", "1BB 7DY", "BB1 7DYY", "BB1-7DY"):
        assert not is_postcode(bad), bad
