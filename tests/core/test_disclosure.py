"""Small counts of people are never published, nor worked out from what is."""

from pbapp.core.disclosure import hidden_cells, publishable


def test_counts_under_ten_are_hidden_and_zero_is_shown():
    assert publishable({"a": 40, "b": 12, "c": 0, "d": 3, "e": 7}) == {"a": 40, "b": 12, "c": 0, "d": None, "e": None}


def test_a_lone_hidden_cell_takes_the_smallest_shown_cell_with_it():
    # With only "d" hidden, 60 − 40 − 12 would give it away; hiding 12 too stops that.
    assert hidden_cells({"a": 40, "b": 12, "c": 0, "d": 8}) == {"b", "d"}


def test_a_table_of_fewer_than_ten_people_is_hidden_whole():
    assert publishable({"a": 5, "b": 3, "c": 0}) == {"a": None, "b": None, "c": 0}


def test_nothing_is_hidden_when_every_cell_is_large_enough():
    assert hidden_cells({"a": 10, "b": 25}) == set()


def test_the_threshold_can_be_set():
    assert hidden_cells({"a": 4, "b": 2, "c": 30}, threshold=3) == {"b", "a"}
