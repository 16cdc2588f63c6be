"""Census 2021 shares of adults per feature value, to pre-fill quota targets.

The figures in pbapp/seed_data/uk are for one authority (Blackburn with Darwen, GSS E06000008); other
councils get no pre-filled targets until their figures are added.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache

from pbapp.datafiles import seed_file

CENSUS_GSS_CODES = ("E06000008",)
DARWEN_WARDS = ("Darwen East", "Darwen South", "Darwen West")


def _rows(name: str) -> list[dict[str, str]]:
    with open(seed_file(name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def census_shares() -> dict[str, dict[str, float]]:
    """Return {feature: {value: share of adults}} from the census files kept in pbapp/seed_data/uk."""
    age = {r["age_band"]: float(r["percent_of_18_plus"]) / 100 for r in _rows("uk/census2021_adults_age.csv")}
    wards = _rows("uk/census2021_wards.csv")
    residents = sum(int(w["usual_residents"]) for w in wards)
    ethnicity = {
        label: sum(int(w["usual_residents"]) * float(w[column]) / 100 for w in wards) / residents
        for label, column in (
            ("White", "white_pct"),
            ("Asian or Asian British", "asian_pct"),
            ("Black / Mixed / Other", "other_pct"),
        )
    }
    adults = sum(int(w["adults_18_plus"]) for w in wards)
    darwen = sum(int(w["adults_18_plus"]) for w in wards if w["ward"] in DARWEN_WARDS)
    area = {w["ward"]: int(w["adults_18_plus"]) / adults for w in wards}
    area["Darwen wards (East/South/West)"] = darwen / adults
    area["Rest of borough (14 wards)"] = 1 - darwen / adults
    # Sex is not among the files kept here; the example quota table's midpoints stand in.
    sex = {
        r["value"]: (int(r["min"]) + int(r["max"])) / 2 / 30
        for r in _rows("uk/quotas_jury_30.csv")
        if r["feature"] == "sex"
    }
    return {"age": age, "ethnicity": ethnicity, "area": area, "ward": dict(area), "sex": sex}


def target_range(share: float, panel_size: int) -> tuple[int, int]:
    """Return (min, max) around share × panel size: the whole numbers either side of it."""
    exact = share * panel_size
    return max(0, math.floor(exact + 1e-9)), math.ceil(exact - 1e-9)


# Names officers give features, folded, and the census feature each stands for.
_FEATURE_ALIASES = {
    "gender": "sex",
    "sex": "sex",
    "age": "age",
    "age band": "age",
    "age group": "age",
    "ethnicity": "ethnicity",
    "ethnic group": "ethnicity",
    "ward": "ward",
    "area": "area",
}
_VALUE_ALIASES = {"woman": "female", "women": "female", "f": "female", "man": "male", "men": "male", "m": "male"}


@dataclass(frozen=True)
class Figure:
    """One census figure a quota value can be matched to: a census feature, its category, the share of adults."""

    feature: str
    label: str
    share: float

    @property
    def key(self) -> str:
        return f"{self.feature}|{self.label}"


def figures_for(gss_code: str) -> list[Figure]:
    """Return every census figure kept for this council, in a stable order; none for other councils."""
    if gss_code not in CENSUS_GSS_CODES:
        return []
    return [
        Figure(feature, label, share) for feature, values in census_shares().items() for label, share in values.items()
    ]


def _norm(text: str) -> str:
    folded = " ".join(text.replace("\u2013", "-").split()).casefold()
    for words, sign in ((" and over", "+"), (" or over", "+"), (" plus", "+"), (" to ", "-")):
        folded = folded.replace(words, sign)
    folded = folded.replace(" ", "")
    return _VALUE_ALIASES.get(folded, folded)


def match(figures: list[Figure], feature: str, value: str) -> Figure | None:
    """Return the census figure a quota value names: same feature (or a usual synonym), same category.

    Names are compared ignoring case and spacing; "18 to 24" matches "18-24", "75 and over" "75+",
    and Woman/Man (or F/M) match Female/Male.
    """
    wanted = _FEATURE_ALIASES.get(" ".join(feature.split()).casefold(), " ".join(feature.split()).casefold())
    for figure in figures:
        if figure.feature == wanted and _norm(figure.label) == _norm(value):
            return figure
    return None
