"""The Alembic migrations: one line of history, and a schema that is exactly the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from portal.store import models  # noqa: F401  (registers the tables)
from portal.store.db import alembic_config, make_engine, migrate, pending_migrations


def test_one_head_and_the_migrated_schema_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert ScriptDirectory.from_config(alembic_config(engine)).get_heads() == ["0008_session_version"]
    assert pending_migrations(engine)
    migrate(engine)
    assert not pending_migrations(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_a_database_left_at_the_feature_branches_moves_on_past_the_merge(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'branches.db'}")
    migrate(engine, "0002_i18n")
    migrate(engine, "0002_themes")
    assert pending_migrations(engine)
    migrate(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == ("0008_session_version",)
    engine.dispose()
