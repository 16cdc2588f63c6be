"""Ward boundaries to SVG path data: projection, simplification and fitting to a drawing frame.

Pure and deterministic: plain lists of (x, y) pairs in, strings and numbers out. The map is drawn
from these paths alone, with no tile server and no script.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float]
Ring = list[Point]


def is_lon_lat(rings: Sequence[Sequence[Point]]) -> bool:
    """Whether every coordinate fits WGS84 longitude/latitude (else it is taken as British National Grid metres)."""
    return all(-180 <= x <= 180 and -90 <= y <= 90 for ring in rings for x, y in ring)


def project(rings: Sequence[Sequence[Point]]) -> list[Ring]:
    """Planar coordinates in which a metre east and a metre north have the same length.

    British National Grid eastings/northings are already so. WGS84 longitudes are scaled by the
    cosine of the mean latitude (the equirectangular projection centred on the area), which is
    within 0.2% across a council the size of a county.
    """
    if not is_lon_lat(rings):
        return [list(ring) for ring in rings]
    latitudes = [y for ring in rings for _x, y in ring]
    scale = math.cos(math.radians((min(latitudes) + max(latitudes)) / 2)) if latitudes else 1.0
    return [[(x * scale, y) for x, y in ring] for ring in rings]


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:  # also a segment so short its squared length underflows
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def simplify(line: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker (Douglas & Peucker, 1973): keep the points further than `tolerance` from the chord.

    Invariants: the first and last points are kept; the result is a subsequence of `line`; every
    dropped point lies within `tolerance` of the kept segment that replaced it. Iterative (an
    explicit stack), so long coastlines do not exhaust recursion.
    """
    points = list(line)
    if len(points) < 3 or tolerance <= 0:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        furthest, index = -1.0, -1
        for i in range(first + 1, last):
            d = _distance_to_segment(points[i], points[first], points[last])
            if d > furthest:
                furthest, index = d, i
        if index != -1 and furthest > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, kept in zip(points, keep) if kept]


def simplify_ring(ring: Sequence[Point], tolerance: float) -> Ring:
    """A closed ring simplified as two halves (open, without the repeated first point); a ring
    smaller than the tolerance keeps its widest triangle, and only a ring with no area becomes []."""
    points = list(ring[:-1]) if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    if len(points) < 3:
        return []
    # Split at the point furthest from the first, so neither half's chord has zero length.
    far = max(range(len(points)), key=lambda i: (points[i][0] - points[0][0]) ** 2 + (points[i][1] - points[0][1]) ** 2)
    first = simplify(points[: far + 1], tolerance)
    second = simplify(points[far:] + [points[0]], tolerance)
    kept = first + second[1:-1]
    if len(kept) < 3:
        # Too small for the tolerance: keep the triangle of widest spread so the ring still shows.
        apex = max(range(len(points)), key=lambda i: _distance_to_segment(points[i], points[0], points[far]))
        if _distance_to_segment(points[apex], points[0], points[far]) == 0:
            return []
        kept = [points[i] for i in sorted({0, far, apex})]
    return kept


def bounds(rings: Sequence[Sequence[Point]]) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of every point."""
    xs = [x for ring in rings for x, _y in ring]
    ys = [y for ring in rings for _x, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def frame(box: tuple[float, float, float, float], width: int) -> tuple[float, int]:
    """The scale that fits `box` to `width` units, and the height it then takes (at least 1)."""
    min_x, min_y, max_x, max_y = box
    span_x, span_y = max(max_x - min_x, 1e-9), max(max_y - min_y, 1e-9)
    scale = width / span_x
    return scale, max(1, math.ceil(span_y * scale))


def path_data(rings: Sequence[Sequence[Point]], box: tuple[float, float, float, float], scale: float) -> str:
    """SVG path data for the rings in the frame of `box` (north up), one decimal place; rings that
    collapse to fewer than three distinct points once rounded are left out."""
    min_x, _min_y, _max_x, max_y = box
    parts = []
    for ring in rings:
        points: list[tuple[float, float]] = []
        for x, y in ring:
            point = (round((x - min_x) * scale, 1), round((max_y - y) * scale, 1))
            if not points or points[-1] != point:
                points.append(point)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(set(points)) < 3:
            continue
        parts.append("M" + "L".join(f"{_number(x)} {_number(y)}" for x, y in points) + "Z")
    return "".join(parts)


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def equal_steps(values: Sequence[float], classes: int) -> list[float]:
    """Upper limits of `classes` equal steps from 0 to the largest value (a legend's breaks)."""
    top = max(values, default=0)
    if top <= 0:
        return [0.0] * classes
    return [top * (i + 1) / classes for i in range(classes)]


def whole_steps(top: int, classes: int) -> list[int]:
    """Upper limits of at most `classes` steps of whole numbers from 0 to `top` (counts of things):
    one step a number while they fit, else equal steps rounded up, never two alike."""
    if top < classes:
        return list(range(0, max(top, 0) + 1))
    return sorted({math.ceil(top * (i + 1) / classes) for i in range(classes)})


def shades(steps: int, scale: Sequence[str]) -> list[str]:
    """`steps` colours of `scale`, spread from its lightest to its darkest."""
    if steps <= 1:
        return list(scale[:1]) * steps
    return [scale[round(i * (len(scale) - 1) / (steps - 1))] for i in range(steps)]


def step_of(value: float, limits: Sequence[float]) -> int:
    """The index of the first step whose upper limit holds `value`."""
    for i, limit in enumerate(limits):
        if value <= limit:
            return i
    return len(limits) - 1
