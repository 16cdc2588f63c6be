"""Ward boundaries: read an ONS boundaries GeoJSON, keep each ward's outline as SVG path data, and
draw a council's wards as a map shaded by a figure per ward.

The file is the GeoJSON the ONS Open Geography Portal serves for "Wards (<month year>) Boundaries UK
BGC" (properties WDxxCD and WDxxNM, WGS84 or British National Grid coordinates). Its features are
matched to the council's wards by code; features of other councils are left out. Problems are
numbered by feature (the first feature is feature 1), or by line for a file that is not JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from numbers import Real

from flask_babel import gettext as _
from sqlmodel import Session, delete, select

from pbapp.core import geometry
from pbapp.councils.imports import Problem, Reading
from pbapp.councils.models import WARD, Area, Council, WardBoundary

# Width of every council's map frame, in SVG user units; the height follows the council's shape.
MAP_WIDTH = 1000
# Points closer than this to the simplified outline are dropped: half a unit of a 1000-unit-wide
# map, less than a pixel on any screen the map is drawn on.
TOLERANCE_UNITS = 0.5
_WARD_CODE, _WARD_NAME = re.compile(r"^WD\d\dCD$", re.IGNORECASE), re.compile(r"^WD\d\dNM$", re.IGNORECASE)
# A colour-blind-safe sequential scale (ColorBrewer "Blues", 5 classes): it varies in lightness
# alone, so it reads the same to every kind of colour vision and in greyscale.
SCALE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_FIGURE = "#ffffff"


@dataclass
class BoundaryRow:
    code: str
    name: str
    rings: list[list[geometry.Point]] = field(repr=False)
    feature: int = 0


@dataclass
class Outline:
    code: str
    name: str
    path: str
    points_before: int
    points_after: int


def _feature_problem(number: int, message: str) -> Problem:
    problem = Problem(number, message)
    problem.where = _("Feature %(number)d", number=number)
    return problem


def _rings(geometry_json) -> list[list[geometry.Point]] | str:
    """The outer and inner rings of a Polygon or MultiPolygon, or a message saying what is wrong."""
    if not isinstance(geometry_json, dict):
        return _("It has no geometry.")
    kind, coordinates = geometry_json.get("type"), geometry_json.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        return _("Its geometry is a %(kind)s; a ward must be a Polygon or a MultiPolygon.", kind=str(kind))
    rings: list[list[geometry.Point]] = []
    if not isinstance(polygons, list) or not polygons:
        return _("Its geometry has no coordinates.")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("Its geometry has a polygon without rings.")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return _("Its geometry has a ring of fewer than four positions.")
            points = []
            for position in ring:
                if (
                    not isinstance(position, list)
                    or len(position) < 2
                    or not all(isinstance(v, Real) and not isinstance(v, bool) for v in position[:2])
                ):
                    return _("Its geometry has a position that is not a pair of numbers.")
                points.append((float(position[0]), float(position[1])))
            if points[0] != points[-1]:
                return _("Its geometry has a ring that does not end where it starts.")
            rings.append(points)
    return rings


def read_boundaries(text: str, wards: dict[str, str]) -> Reading:
    """Boundaries of the council's wards (`wards`: code to name) from a GeoJSON FeatureCollection."""
    reading = Reading()
    if not text.strip():
        reading.problems.append(Problem(1, _("The file is empty.")))
        return reading
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        reading.problems.append(
            Problem(
                error.lineno,
                _("This is not JSON: %(reason)s (column %(column)d).", reason=error.msg, column=error.colno),
            )
        )
        return reading
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(features, list):
        reading.problems.append(
            Problem(
                1,
                _(
                    "The file must be a GeoJSON FeatureCollection, as the ONS "
                    "Open Geography Portal serves ward boundaries."
                ),
            )
        )
        return reading
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            reading.problems.append(_feature_problem(number, _("It has no properties.")))
            continue
        code_key = next((k for k in properties if _WARD_CODE.match(k)), None)
        name_key = next((k for k in properties if _WARD_NAME.match(k)), None)
        if code_key is None:
            reading.problems.append(_feature_problem(number, _("It has no ward code property like WD23CD.")))
            continue
        code = str(properties[code_key] or "").strip()
        if code not in wards:
            reading.other_councils += 1
            continue
        if code in seen:
            reading.problems.append(
                _feature_problem(number, _("Ward %(code)s is already feature %(other)d.", code=code, other=seen[code]))
            )
            continue
        rings = _rings(feature.get("geometry"))
        if isinstance(rings, str):
            reading.problems.append(_feature_problem(number, _("Ward %(code)s: %(reason)s", code=code, reason=rings)))
            continue
        seen[code] = number
        name = str(properties.get(name_key) or wards[code]) if name_key else wards[code]
        reading.rows.append(BoundaryRow(code, name, rings, number))
    missing = [f"{wards[c]} ({c})" for c in sorted(wards) if c not in seen]
    if not reading.problems and not reading.rows:
        reading.problems.append(Problem(1, _("No feature of the file is one of this council’s wards.")))
    elif missing and not reading.problems:
        reading.problems.append(
            Problem(
                1, _("The file has no boundary for these wards of the council: %(wards)s.", wards=", ".join(missing))
            )
        )
    return reading


def outlines(rows: list[BoundaryRow]) -> tuple[list[Outline], int, int]:
    """Project and simplify every ward into one frame MAP_WIDTH wide; return the outlines, width and height."""
    everything = geometry.project([ring for row in rows for ring in row.rings])
    box = geometry.bounds(everything)
    scale, height = geometry.frame(box, MAP_WIDTH)
    tolerance = TOLERANCE_UNITS / scale
    result, start = [], 0
    for row in rows:
        rings = everything[start : start + len(row.rings)]
        start += len(row.rings)
        simple = [s for s in (geometry.simplify_ring(ring, tolerance) for ring in rings) if s]
        result.append(
            Outline(
                row.code,
                row.name,
                geometry.path_data(simple, box, scale),
                sum(len(r) for r in rings),
                sum(len(r) for r in simple),
            )
        )
    return result, MAP_WIDTH, height


def save_boundaries(session: Session, council: Council, rows: list[BoundaryRow]) -> dict[str, int]:
    """Replace the council's ward outlines with those of `rows` (in the caller's transaction)."""
    wards = {a.code: a for a in session.exec(select(Area).where(Area.council_id == council.id, Area.kind == WARD))}
    drawn, width, height = outlines(rows)
    session.execute(delete(WardBoundary).where(WardBoundary.council_id == council.id))
    for outline in drawn:
        session.add(
            WardBoundary(
                council_id=council.id, area_id=wards[outline.code].id, path=outline.path, width=width, height=height
            )
        )
    session.flush()
    return {
        "wards": len(drawn),
        "points_before": sum(o.points_before for o in drawn),
        "points_after": sum(o.points_after for o in drawn),
    }


@dataclass(frozen=True)
class MapWard:
    name: str
    path: str
    fill: str
    label: str  # the ward's name and figure, read out for the ward and shown on hover
    href: str | None


@dataclass(frozen=True)
class LegendStep:
    fill: str
    label: str


@dataclass(frozen=True)
class WardMap:
    width: int
    height: int
    wards: list[MapWard]
    legend: list[LegendStep]


def ward_map(
    session: Session,
    council: Council,
    figures: dict[int, float | None],
    *,
    label,
    step_label,
    links: dict[int, str] | None = None,
    whole: bool = False,
) -> WardMap | None:
    """The council's wards shaded by `figures` (ward id to figure; None where there is none), or None
    where the council has no boundaries. `label(name, figure)` and `step_label(low, high)` word the
    text alternatives and the legend; `links` gives a ward its address; `whole` figures are counts."""
    outlines_ = session.exec(
        select(WardBoundary, Area)
        .join(Area, Area.id == WardBoundary.area_id)
        .where(WardBoundary.council_id == council.id)
        .order_by(Area.name)
    ).all()
    if not outlines_:
        return None
    values = [v for v in figures.values() if v is not None]
    if whole:
        limits: list[float] = list(geometry.whole_steps(int(max(values, default=0)), len(SCALE)))
        lows = [0] + [high + 1 for high in limits[:-1]]
    else:
        limits = geometry.equal_steps(values, len(SCALE)) if values and max(values) > 0 else [0.0] if values else []
        lows = [0.0] + limits[:-1]
    colours = geometry.shades(len(limits), SCALE)
    links = links or {}
    wards = []
    for outline, area in outlines_:
        figure = figures.get(area.id)
        fill = NO_FIGURE if figure is None or not limits else colours[geometry.step_of(figure, limits)]
        wards.append(MapWard(area.name, outline.path, fill, label(area.name, figure), links.get(area.id)))
    legend = [LegendStep(fill, step_label(low, high)) for fill, low, high in zip(colours, lows, limits)]
    if any(figures.get(area.id) is None for _outline, area in outlines_) or not limits:
        legend.append(LegendStep(NO_FIGURE, _("No figure")))
    first = outlines_[0][0]
    return WardMap(first.width, first.height, wards, legend)


def preview_map(rows: list[BoundaryRow]) -> WardMap:
    """The wards of a file not yet imported, outlined as they will be kept, unshaded."""
    drawn, width, height = outlines(rows)
    return WardMap(width, height, [MapWard(o.name, o.path, NO_FIGURE, o.name, None) for o in drawn], [])


def has_boundaries(session: Session, council: Council) -> int:
    """How many of the council's wards have an outline."""
    return len(session.exec(select(WardBoundary.id).where(WardBoundary.council_id == council.id)).all())
