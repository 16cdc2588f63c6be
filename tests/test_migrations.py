"""Migrations build exactly the schema of the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from pbapp import migrations
from pbapp.db import get_engine, import_all_models


def test_migrated_schema_matches_the_models(app):
    assert migrations.schema_differences(app) == []


def test_migrations_go_down_and_up_again(app):
    migrations.downgrade(app, "base")
    assert set(inspect(get_engine(app)).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(app)
    tables = set(inspect(get_engine(app)).get_table_names())
    assert {t.name for t in import_all_models().metadata.sorted_tables} <= tables
    assert migrations.schema_differences(app) == []
