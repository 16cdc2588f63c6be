"""Demo volunteers: a synthetic pool skewed the way real volunteer pools are, and its selection.

Volunteers are older and less diverse than the census (so quotas bite); names, emails and
addresses are invented (emails at demo.example). Everything is deterministic.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import insert
from sqlmodel import Session

from pbapp import audit
from pbapp.core.sortition import Person as CorePerson, Pool as CorePool, Quota as CoreQuota
from pbapp.core.sortition import InfeasibleError, gini, input_hash, leximin, quota_report, replace, round_lottery
from pbapp.datafiles import seed_file
from pbapp.seed import WARD_POSTCODES
from pbapp.sortition import services
from pbapp.sortition.models import (
    COMPLETE,
    LEXIMIN,
    SEEDED,
    Feature,
    FeatureValue,
    Person,
    PersonContact,
    Pool,
    SelectionRun,
)
from pbapp.sortition.uploads import household_id
from pbapp.timeutil import utcnow

DEMO_POOL_SIZE = 1500
DEMO_SEED = 2027
DEMO_DRAW = 427
# Shares in the demo pool (a census-like population would be far younger and more diverse).
SKEW = {
    "sex": {"Female": 55, "Male": 45},
    "age": {"18-24": 4, "25-34": 10, "35-49": 20, "50-64": 30, "65-74": 22, "75+": 14},
    "ethnicity": {"White": 79, "Asian or Asian British": 17, "Black / Mixed / Other": 4},
    "area": {"Darwen wards (East/South/West)": 22, "Rest of borough (14 wards)": 78},
}
FIRST_NAMES = (
    "Aaliyah",
    "Adam",
    "Amina",
    "Andrew",
    "Bilal",
    "Carol",
    "Chloe",
    "David",
    "Emma",
    "Fatima",
    "Gary",
    "Hannah",
    "Hassan",
    "Irene",
    "Jack",
    "Joanne",
    "Kamran",
    "Karen",
    "Liam",
    "Mary",
    "Mohammed",
    "Nadia",
    "Olivia",
    "Paul",
    "Rachel",
    "Saima",
    "Sarah",
    "Stephen",
    "Tariq",
    "Yasmin",
    "Zainab",
    "Peter",
)
LAST_NAMES = (
    "Ahmed",
    "Ali",
    "Ashworth",
    "Bibi",
    "Brown",
    "Clegg",
    "Duckworth",
    "Entwistle",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Kenyon",
    "Mahmood",
    "Patel",
    "Pilkington",
    "Riley",
    "Shah",
    "Smith",
    "Taylor",
    "Walsh",
    "Whittaker",
    "Wilson",
    "Yates",
)
STREETS = (
    "Preston New Road",
    "Bolton Road",
    "Whalley Range",
    "Redlam Brow",
    "Duckworth Street",
    "Marsh House Lane",
    "Livesey Branch Road",
    "Shear Brow",
    "Copy Nook",
    "Bury Fold Lane",
)


def demo_quotas() -> list[CoreQuota]:
    with open(seed_file("uk/quotas_jury_30.csv"), encoding="utf-8", newline="") as handle:
        return [CoreQuota(r["feature"], r["value"], int(r["min"]), int(r["max"])) for r in csv.DictReader(handle)]


@dataclass(frozen=True)
class DemoVolunteer:
    public_id: str
    features: dict
    household_key: str
    name: str
    email: str
    address: str
    postcode: str


def demo_volunteers(size: int = DEMO_POOL_SIZE, seed: int = DEMO_SEED) -> list[DemoVolunteer]:
    """Invent `size` volunteers with skewed features; about one in ten shares a home with the previous one."""
    rng = random.Random(seed)
    darwen = [p for ward in ("Darwen East", "Darwen South", "Darwen West") for p in WARD_POSTCODES[ward].split(",")]
    rest = [p for ward, codes in WARD_POSTCODES.items() if not ward.startswith("Darwen ") for p in codes.split(",")]
    people: list[DemoVolunteer] = []
    for i in range(size):
        features = {f: rng.choices(list(shares), list(shares.values()))[0] for f, shares in SKEW.items()}
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if people and rng.random() < 0.1:
            previous = people[-1]
            features["area"] = previous.features["area"]
            address, postcode = previous.address, previous.postcode
        else:
            sector = rng.choice(darwen if features["area"].startswith("Darwen") else rest)
            postcode = (
                f"{sector}{rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            )
            address = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
        people.append(
            DemoVolunteer(
                f"V{i + 1:04d}",
                features,
                f"{address} {postcode}".casefold(),
                f"{first} {last}",
                f"{first}.{last}.{i + 1}@demo.example".lower(),
                address,
                postcode,
            )
        )
    return people


def _core_pool(volunteers: list[DemoVolunteer], panel_size: int) -> CorePool:
    quotas = demo_quotas()
    names = tuple(dict.fromkeys(q.feature for q in quotas))
    people = tuple(CorePerson(v.public_id, tuple(v.features[n] for n in names)) for v in volunteers)
    return CorePool(panel_size, names, tuple(quotas), people, name="demo")


@lru_cache(maxsize=4)
def demo_selection(size: int, panel_size: int, seed: int, draw: int):
    """LEXIMIN on the demo pool, rounded to the lottery, drawn with `draw` (cached: it is deterministic)."""
    pool = _core_pool(demo_volunteers(size), panel_size)
    dist = leximin(pool, seed=seed)
    lottery = round_lottery(dist, services.LOTTERY_PANELS)
    return pool, dist, lottery, tuple(sorted(lottery.draw(draw)))


@lru_cache(maxsize=4)
def demo_reserves(size: int, panel_size: int, seed: int, draw: int, confirmed: tuple, pending: tuple):
    """Reserves for the seats not yet confirmed, keeping every quota (core `replace`)."""
    pool = _core_pool(demo_volunteers(size), panel_size)
    return replace(pool, confirmed, pending, seed=seed + 1, draw=draw)


def _reserves_for_two_pending(panel: tuple[str, ...], panel_size: int):
    """Pick two panel members still to reply, the first pair (from the end) whose seats reserves can fill."""
    pairs = [(panel[i], panel[j]) for i in range(len(panel) - 1, -1, -1) for j in range(i - 1, -1, -1)]
    for pending in pairs[:40]:
        confirmed = tuple(p for p in panel if p not in pending)
        try:
            return (
                confirmed,
                pending,
                demo_reserves(DEMO_POOL_SIZE, panel_size, DEMO_SEED, DEMO_DRAW % 1000, confirmed, pending),
            )
        except InfeasibleError:
            continue
    return panel, (), None


def _store_pool(session: Session, pool: Pool, volunteers: list[DemoVolunteer]) -> dict[str, int]:
    features: dict[str, Feature] = {}
    for position, q in enumerate(demo_quotas()):
        if q.feature not in features:
            features[q.feature] = Feature(pool_id=pool.id, name=q.feature, position=len(features))
            session.add(features[q.feature])
            session.flush()
        session.add(
            FeatureValue(feature_id=features[q.feature].id, value=q.value, position=position, min=q.min, max=q.max)
        )
    # Core inserts: building hundreds of ORM objects would slow every test that seeds the demo.
    now = utcnow()
    created = session.execute(
        insert(Person).returning(Person.id, Person.public_id, sort_by_parameter_order=True),
        [
            {
                "pool_id": pool.id,
                "public_id": v.public_id,
                "features": json.dumps(v.features, sort_keys=True),
                "household": household_id(pool.household_salt, v.household_key),
                "source": SEEDED,
                "created_at": now,
            }
            for v in volunteers
        ],
    ).all()
    ids = {public_id: person_id for person_id, public_id in created}
    session.execute(
        insert(PersonContact),
        [
            {
                "person_id": ids[v.public_id],
                "name": v.name,
                "email": v.email,
                "phone": "",
                "address": v.address,
                "postcode": v.postcode,
            }
            for v in volunteers
        ],
    )
    return ids


def _run_record(
    session: Session,
    pool: Pool,
    core: CorePool,
    dist,
    lottery,
    panel,
    *,
    purpose: str,
    seed: int,
    draw: int,
    include=(),
    exclude=(),
    parent_id=None,
) -> SelectionRun:
    panels = [list(p) for p in lottery.panels]
    facts = {
        "input_hash": input_hash(core, include, exclude),
        "algorithm": dist.algorithm,
        "version": dist.version,
        "seed": seed,
        "panels": panels,
    }
    snapshot = {
        "name": pool.name,
        "panel_size": core.panel_size,
        "features": list(core.features),
        "quotas": [[q.feature, q.value, q.min, q.max] for q in core.quotas],
        "people": [[p.id, list(p.values), ""] for p in core.people],
        "include": sorted(include),
        "exclude": sorted(exclude),
    }
    report = {
        "min_probability": round(dist.min_probability, 6),
        "gini": round(gini(dist.probabilities), 6),
        "lottery_max_change": round(lottery.max_change, 6),
        "pool_size": core.size,
        "quota_report": quota_report(core, panel),
        "draw": draw,
    }
    now = utcnow()
    run = SelectionRun(
        pool_id=pool.id,
        council_id=pool.council_id,
        purpose=purpose,
        parent_id=parent_id,
        algorithm=LEXIMIN,
        version=dist.version,
        status=COMPLETE,
        panel_size=core.panel_size,
        seed=seed,
        input_hash=facts["input_hash"],
        commitment=services.commitment_of(facts),
        lottery_size=len(panels),
        draw_number=draw,
        pool_input=json.dumps(snapshot, sort_keys=True),
        lottery=json.dumps({"panels": panels}),
        probabilities=json.dumps(
            {i: round(p, 6) for i, p in zip(core.ids, dist.probabilities, strict=True)}, sort_keys=True
        ),
        panel=json.dumps(sorted(panel)),
        report=json.dumps(report, sort_keys=True),
        committed_at=now,
        drawn_at=now,
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        "selection.drawn",
        "selection_run",
        run.id,
        council_id=pool.council_id,
        draw=draw,
        commitment=run.commitment,
        input_hash=run.input_hash,
        panel_size=len(panel),
        purpose=purpose,
    )
    return run


def seed_demo_pool(session: Session, pool: Pool, panel_size: int):
    """Fill a pool with the demo volunteers and record a drawn LEXIMIN selection and a reserve run.

    Returns (person id by public id, panel ids, ids still to reply, reserve ids, selection run, reserve run).
    """
    volunteers = demo_volunteers()
    ids = _store_pool(session, pool, volunteers)
    core, dist, lottery, panel = demo_selection(DEMO_POOL_SIZE, panel_size, DEMO_SEED, DEMO_DRAW)
    run = _run_record(session, pool, core, dist, lottery, panel, purpose="selection", seed=DEMO_SEED, draw=DEMO_DRAW)
    confirmed, pending, result = _reserves_for_two_pending(panel, panel_size)
    if result is None:  # no pair of seats can be covered: seed the panel without reserves
        return ids, panel, pending, (), run, None
    sel = result.selection
    reserve_run = _run_record(
        session,
        pool,
        core,
        sel.distribution,
        sel.lottery,
        sel.panel,
        purpose="reserve",
        seed=DEMO_SEED + 1,
        draw=DEMO_DRAW % 1000,
        include=confirmed,
        exclude=pending,
        parent_id=run.id,
    )
    return ids, panel, pending, result.replacements, run, reserve_run
