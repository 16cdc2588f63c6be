"""Alembic environment: the engine comes from the app (see pbapp.migrations)."""

from alembic import context

from pbapp.db import import_all_models

target_metadata = import_all_models().metadata
engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
