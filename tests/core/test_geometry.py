"""Ward outlines for the maps: Douglas–Peucker keeps what a screen shows, projection keeps shapes square."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pbapp.core import geometry

COORD = st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False)
LINES = st.lists(st.tuples(COORD, COORD), min_size=2, max_size=60)


def _distance(p, a, b):
    return geometry._distance_to_segment(p, a, b)


@settings(max_examples=200, deadline=None)
@given(LINES, st.floats(min_value=0.01, max_value=100))
def test_simplify_keeps_ends_and_order_and_drops_only_points_near_the_kept_line(line, tolerance):
    kept = geometry.simplify(line, tolerance)
    assert kept[0] == line[0] and kept[-1] == line[-1]
    # A subsequence of the input, in order.
    it = iter(line)
    assert all(any(p == q for q in it) for p in kept)
    # Every input point lies within the tolerance of some kept segment.
    segments = list(zip(kept, kept[1:])) or [(kept[0], kept[0])]
    for point in line:
        assert min(_distance(point, a, b) for a, b in segments) <= tolerance + 1e-9


@given(LINES)
def test_simplify_with_no_tolerance_keeps_every_point(line):
    assert geometry.simplify(line, 0) == line


def test_a_straight_line_with_noise_below_the_tolerance_becomes_its_ends():
    line = [(x, 0.01 * (-1) ** x) for x in range(101)]
    assert geometry.simplify(line, 0.05) == [(0, 0.01), (100, 0.01)]
    assert len(geometry.simplify(line, 0.001)) == 101


def test_a_ring_keeps_its_corners_and_at_least_a_triangle():
    square = [(0, 0)] + [(x / 10, 0) for x in range(1, 10)] + [(1, 0), (1, 1), (0, 1), (0, 0)]
    assert sorted(geometry.simplify_ring(square, 0.01)) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert geometry.simplify_ring([(0, 0), (1, 0), (0, 0)], 0.1) == []
    assert len(geometry.simplify_ring([(0, 0), (1, 0), (0.5, 0.001), (0, 0)], 10)) == 3


def test_longitude_is_scaled_by_the_cosine_of_the_latitude_and_grid_metres_are_kept():
    ring = [(-2.5, 53.7), (-2.4, 53.7), (-2.4, 53.8), (-2.5, 53.7)]
    projected = geometry.project([ring])[0]
    scale = math.cos(math.radians(53.75))
    assert projected[0] == (-2.5 * scale, 53.7)
    bng = [(368000.0, 428000.0), (369000.0, 428000.0), (369000.0, 429000.0), (368000.0, 428000.0)]
    assert geometry.project([bng]) == [bng]
    assert not geometry.is_lon_lat([bng]) and geometry.is_lon_lat([ring])


def test_path_data_puts_north_up_in_the_frame():
    box = (0.0, 0.0, 10.0, 5.0)
    scale, height = geometry.frame(box, 100)
    assert (scale, height) == (10.0, 50)
    assert geometry.path_data([[(0, 0), (10, 0), (10, 5), (0, 0)]], box, scale) == "M0 50L100 50L100 0Z"
    # A ring that collapses to a line once rounded is left out.
    assert geometry.path_data([[(0, 0), (0.001, 0), (0.002, 0), (0, 0)]], box, scale) == ""


def test_equal_steps_and_the_step_of_a_value():
    limits = geometry.equal_steps([0, 5, 10], 5)
    assert limits == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert [geometry.step_of(v, limits) for v in (0, 2, 2.1, 10, 11)] == [0, 0, 1, 4, 4]
    assert geometry.equal_steps([], 3) == [0.0, 0.0, 0.0]


def test_whole_steps_give_one_step_a_count_while_they_fit_and_never_two_alike():
    assert geometry.whole_steps(3, 5) == [0, 1, 2, 3]
    assert geometry.whole_steps(0, 5) == [0]
    assert geometry.whole_steps(5, 5) == [1, 2, 3, 4, 5]
    assert geometry.whole_steps(12, 5) == [3, 5, 8, 10, 12]


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=9))
def test_every_count_falls_in_a_whole_step(top, classes):
    limits = geometry.whole_steps(top, classes)
    assert len(limits) <= max(classes, top + 1) and limits == sorted(set(limits)) and limits[-1] == top
    assert all(0 <= geometry.step_of(n, limits) < len(limits) for n in range(0, top + 1, max(1, top // 50)))


def test_shades_spread_from_lightest_to_darkest():
    scale = ("a", "b", "c", "d", "e")
    assert geometry.shades(5, scale) == list(scale)
    assert geometry.shades(4, scale) == ["a", "b", "d", "e"]
    assert geometry.shades(2, scale) == ["a", "e"]
    assert geometry.shades(1, scale) == ["a"] and geometry.shades(0, scale) == []


def test_a_ring_with_no_area_is_dropped_and_nothing_projects_to_nothing():
    assert geometry.simplify_ring([(0, 0), (1, 0), (2, 0), (0, 0)], 10) == []
    assert geometry.project([]) == []


def test_bounds_and_frame_of_a_flat_box():
    assert geometry.bounds([[(1, 2), (3, -1)], [(0, 5)]]) == (0, -1, 3, 5)
    scale, height = geometry.frame((0.0, 0.0, 10.0, 0.0), 100)
    assert scale == 10.0 and height == 1
