"""Engine, sessions and migrations. SQLite by default; PostgreSQL is a URL change away."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from typing import Any, TypeVar

from sqlalchemy import Table, event
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

M = TypeVar("M")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error: never half an order."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]], skip_duplicates_of: list[str] | None = None):
    """INSERT rows in the session's transaction as one Core statement (executemany for several):
    for rows nothing reads back as objects, without the unit of work's per-object cost.

    `skip_duplicates_of`: columns of a unique constraint; rows that would repeat a value are skipped
    (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike), and losing a race to a concurrent
    transaction undoes nothing around it. Returns the result (its rowcount: how many were new).
    """
    statement = table.insert()
    if skip_duplicates_of:
        dialect = {"sqlite": sqlite, "postgresql": postgresql}[session.get_bind().dialect.name]
        statement = dialect.insert(table).on_conflict_do_nothing(index_elements=skip_duplicates_of)
    return session.connection().execute(statement, rows if len(rows) > 1 else rows[0])


_column_defaults: dict[type, tuple[dict[str, Any], dict[str, Callable[[], Any]]]] = {}


def _defaults(model: type) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """(constant defaults, default factories) of every column but the primary key, as the model
    and its table declare them."""
    if model not in _column_defaults:
        constants: dict[str, Any] = {}
        factories: dict[str, Callable[[], Any]] = {}
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            if column.primary_key:
                continue
            field = model.model_fields.get(column.key)  # type: ignore[attr-defined]
            default = column.default
            if default is not None and default.is_callable:
                factories[column.key] = functools.partial(default.arg, None)
            elif default is not None and default.is_scalar:
                constants[column.key] = default.arg
            elif field is not None and field.default_factory is not None:
                factories[column.key] = field.default_factory
            else:
                constants[column.key] = None
        _column_defaults[model] = (constants, factories)
    return _column_defaults[model]


def insert_object(session: Session, model: type[M], values: dict[str, Any]) -> M:
    """INSERT one row with Core and hand back its ORM object, persistent in `session` as if loaded.

    What `session.add(model(**values))` and a flush do, at a quarter of the cost: SQLModel runs
    every field through pydantic on construction and the unit of work fires an event per attribute
    (webhooks create an order each). Columns left out get the model's defaults.
    """
    constants, factories = _defaults(model)
    row = {**constants, **{key: factory() for key, factory in factories.items() if key not in values}, **values}
    primary_key = model.__table__.primary_key.columns.values()[0].key  # type: ignore[attr-defined]
    row[primary_key] = session.connection().execute(model.__table__.insert(), row).inserted_primary_key[0]  # type: ignore[attr-defined]
    instance = class_mapper(model).class_manager.new_instance()
    instance.__dict__.update(row)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "heads") -> None:
    # "heads": features add migrations on their own branches; every branch is applied.
    command.upgrade(alembic_config(engine), revision)


def pending_migrations(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(script.get_heads())
