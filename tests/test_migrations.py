"""The Alembic migrations: one line of history, and a database migrated from empty has exactly the
models' schema (tables, columns and their types, nullability, server defaults, indexes, unique
and foreign keys) on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from portal.store import models, records  # noqa: F401  (registers the tables)
from portal.store.db import alembic_config, make_engine, migrate, pending_migrations
from tests import pg_server


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, SQLModel.metadata)


def _migrated_from_empty_matches_the_models(engine) -> None:
    assert pending_migrations(engine)
    migrate(engine)
    assert not pending_migrations(engine)
    assert _differences(engine) == []


def test_history_is_one_line_with_one_base_and_one_head(tmp_path):
    script = ScriptDirectory.from_config(alembic_config(make_engine(f"sqlite:///{tmp_path / 'unused.db'}")))
    assert len(script.get_bases()) == 1
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert not revision.is_merge_point
        assert not revision.is_branch_point


def test_sqlite_migrated_from_empty_has_the_models_schema(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        _migrated_from_empty_matches_the_models(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not pg_server.available(), reason="PostgreSQL is not installed (make test installs it)")
def test_postgresql_migrated_from_empty_has_the_models_schema():
    with pg_server.postgres_server() as base:
        admin = create_engine(base + "postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "portal_migrations"'))
        admin.dispose()
        engine = make_engine(base + "portal_migrations")
        try:
            _migrated_from_empty_matches_the_models(engine)
        finally:
            engine.dispose()
