"""Alembic, driven from the app: the schema of every database comes from the migrations."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from flask import Flask

from pbapp.config import PACKAGE_ROOT
from pbapp.db import get_engine, import_all_models


def alembic_config(app: Flask) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(PACKAGE_ROOT / "alembic"))
    config.attributes["engine"] = get_engine(app)
    return config


def upgrade(app: Flask, revision: str = "heads") -> None:
    """Bring the app's database up to the newest migration of every branch."""
    command.upgrade(alembic_config(app), revision)


def downgrade(app: Flask, revision: str) -> None:
    command.downgrade(alembic_config(app), revision)


def revision(app: Flask, message: str, autogenerate: bool = True) -> None:
    command.revision(alembic_config(app), message=message, autogenerate=autogenerate)


def schema_differences(app: Flask) -> list:
    """What differs between the migrated database and the models (empty when they agree)."""
    metadata = import_all_models().metadata
    with get_engine(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, metadata) if not _ignorable(d)]


def _ignorable(diff) -> bool:
    return isinstance(diff, tuple) and diff and diff[0] == "remove_table" and diff[1].name == "alembic_version"
