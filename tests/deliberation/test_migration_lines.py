"""The migration that gives recommendations many budget lines keeps the one line each version had."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from pbapp import migrations
from pbapp.db import get_engine
from pbapp.deliberation.models import RecommendationLine, RecommendationVersion
from tests import factories
from tests.deliberation import factories as make


def test_single_line_recommendations_survive_the_move_to_many_lines(app, db):
    council = factories.council(db)
    libraries, parks, _roads = make.budget_lines(db, council)
    rec = make.recommendation(db, make.jury(db, council))
    version_id = db.exec(
        select(RecommendationVersion.id).where(RecommendationVersion.recommendation_id == rec.id)
    ).one()
    db.add_all(
        [
            RecommendationLine(version_id=version_id, position=0, budget_line_id=libraries.id, change_pence=-5),
            RecommendationLine(version_id=version_id, position=1, budget_line_id=parks.id, change_pence=7),
        ]
    )
    db.commit()
    db.close()
    migrations.downgrade(app, "0003_juries_deliberation")
    with get_engine(app).begin() as connection:
        row = connection.execute(
            text("SELECT budget_line_id, change_pence FROM jury_recommendation_version WHERE id = :id"),
            {"id": version_id},
        ).one()
        assert tuple(row) == (libraries.id, -5), "going back keeps the first line"
        connection.execute(
            text(
                "UPDATE jury_recommendation_version SET budget_line_id = :line, change_pence = 1800000 WHERE id = :id"
            ),
            {"line": parks.id, "id": version_id},
        )
    migrations.upgrade(app)
    with Session(get_engine(app)) as session:
        lines = session.exec(select(RecommendationLine).where(RecommendationLine.version_id == version_id)).all()
        assert [(line.budget_line_id, line.change_pence, line.position) for line in lines] == [(parks.id, 1_800_000, 0)]
    assert migrations.schema_differences(app) == []
