"""Engine, sessions and migrations. SQLite by default; PostgreSQL is a URL change away."""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Table, event
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, create_engine

M = TypeVar("M")
P = TypeVar("P", bound="_Prepared")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
        if database and database != ":memory:":
            path = str(Path(database).resolve())
            connect_args["factory"] = type("QueuedWritesConnection", (QueuedWrites,),
                                           {"lock_path": path + "-writer.lock", "wal_path": path + "-wal"})
        engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


SQLITE_BUSY_SECONDS = 30
# Pages in the write-ahead log past which a committing writer copies them into the database
# (SQLite's own default), once it has freed the write queue (QueuedWrites.commit).
CHECKPOINT_PAGES = 1000
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


@functools.cache
def _lock_waiters() -> ThreadPoolExecutor:
    """Threads that wait in flock() for this process's queued writers (one per waiting connection)."""
    return ThreadPoolExecutor(32, thread_name_prefix="sqlite-write-queue")


class QueuedWrites(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on an OS file lock beside the database.

    SQLite lets one writer in at a time; one that finds the database busy sleeps in SQLite's busy
    handler (1, 2, 5, … up to 100 ms) and wakes late, long after the lock was freed, or a batch of
    carrier events starves every webhook behind it. Here a connection takes the file lock just
    before its first write (where SQLite takes its own) and frees it at commit or rollback; a
    waiter, in any process, sleeps in the kernel and is woken the moment the lock is freed (no
    polling: under load, polling waiters cost the holder CPU). Reads take no lock. After
    SQLITE_BUSY_SECONDS of waiting it fails as SQLite would: "database is locked".

    SQLite would checkpoint the write-ahead log (copy it into the database) inside the commit
    that takes it past 1,000 pages, while this connection still held the queue, so every writer
    waited for the copy. Its automatic checkpoints are off here: the writer that took the log past
    CHECKPOINT_PAGES checkpoints it right after freeing the queue (PASSIVE: writers go on
    meanwhile). The log is emptied when it is reset (journal_size_limit 0), so its size on disk
    says how many pages are waiting.
    """

    lock_path = ""
    wal_path = ""
    frame_bytes = 4096 + 24  # a page and its frame header; set from the page size on connect

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock_fd: int | None = None
        self._locked = False

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or _QueuedCursor)

    def before(self, sql: str) -> None:
        if not self._locked and not self.in_transaction and sql.lstrip()[:6].upper() in _WRITES:
            self._acquire()

    def _acquire(self) -> None:
        if self._lock_fd is None:
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fd = self._lock_fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # flock() has no timeout: a helper thread blocks in it (the GIL released) and we wait
            # for that with one.
            waiting = _lock_waiters().submit(fcntl.flock, fd, fcntl.LOCK_EX)
            try:
                waiting.result(timeout=SQLITE_BUSY_SECONDS)
            except TimeoutError:
                # The abandoned wait keeps this descriptor: it frees the lock as soon as it is
                # granted and closes it. This connection opens a new one next time.
                self._lock_fd = None
                if waiting.cancel():
                    os.close(fd)
                else:
                    waiting.add_done_callback(lambda _: (fcntl.flock(fd, fcntl.LOCK_UN), os.close(fd)))
                raise sqlite3.OperationalError("database is locked") from None
        self._locked = True

    def begin_writing(self) -> None:
        """Start the write transaction now (BEGIN IMMEDIATE, after taking the queue), not at the
        first write: what the transaction reads from here on stays as it is until its commit."""
        if self.in_transaction:
            return
        self._acquire()
        try:
            self.execute("BEGIN IMMEDIATE").close()
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._locked and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._locked = False

    def commit(self) -> None:
        wrote = self._locked
        try:
            super().commit()
        finally:
            self._release()
        if wrote and self._log_pages() >= CHECKPOINT_PAGES:
            self._checkpoint()

    def _log_pages(self) -> int:
        try:
            return os.stat(self.wal_path).st_size // self.frame_bytes
        except OSError:
            return 0

    def _checkpoint(self) -> None:
        try:
            self.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
        except sqlite3.Error as exc:  # the transaction is committed: the next writer tries again
            logging.getLogger(__name__).warning("WAL checkpoint failed: %s", exc)

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        self._release()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        super().close()


class _QueuedCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        self.connection.before(sql)  # type: ignore[attr-defined]
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        self.connection.before(sql)  # type: ignore[attr-defined]
        return super().executemany(sql, parameters)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    if isinstance(dbapi_connection, QueuedWrites):
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute("PRAGMA journal_size_limit=0")
        dbapi_connection.frame_bytes = cursor.execute("PRAGMA page_size").fetchone()[0] + 24
    cursor.close()


def begin_writing(session: Session) -> None:
    """From here on, what the session reads stays as it is until its commit. On SQLite, its write
    transaction starts now (QueuedWrites.begin_writing: the write queue, then SQLite's write lock),
    as it otherwise would at its first write; reads before that may have seen the database before
    another process's commit. PostgreSQL has no such lock: read the rows with FOR UPDATE."""
    connection = session.connection().connection.dbapi_connection
    if isinstance(connection, QueuedWrites):
        connection.begin_writing()
    elif isinstance(connection, sqlite3.Connection) and not connection.in_transaction:
        connection.execute("BEGIN IMMEDIATE").close()


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


class _Prepared:
    """A Core statement compiled once for a dialect and run on the driver's cursor (_run): each
    value goes through its bind's own type processor (JSON, datetimes), as Core would, without
    Core's per-statement work (a webhook makes five inserts, all while holding SQLite's single
    write lock: this cut the hold by a third). A bind with a value in the statement keeps it."""

    def __init__(self, statement: Any, dialect: Any, column_keys: list[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        expanding = sorted(name for name, bind in binds.items() if bind.expanding)
        if expanding:  # their SQL is only known with the list: Core renders it per execution
            raise TypeError(f"a prepared statement cannot bind a list ({', '.join(expanding)}): run it with Core")
        self.sql = str(compiled)
        self.positional = bool(compiled.positiontup)
        names = compiled.positiontup or list(dict.fromkeys(compiled.bind_names.values()))
        self.binds = [(name, binds[name].type.dialect_impl(dialect).bind_processor(dialect),
                       _REQUIRED if binds[name].required else binds[name].effective_value) for name in names]
        selected = getattr(statement, "selected_columns", None) if getattr(statement, "is_select", False) else None
        self.results = None if selected is None else [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in selected]
        # A SELECT's rows by attribute too (fetch_records), as Core's rows are read.
        self.record = None if selected is None else namedtuple("Record", [column.key for column in selected])

    def params(self, row: dict[str, Any], binds: list[tuple[str, Any, Any]] | None = None) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters for one row of values by bind name."""
        binds = binds or self.binds
        values = [row[name] if default is _REQUIRED or name in row else default for name, _, default in binds]
        values = [process(value) if process else value for (_, process, _), value in zip(binds, values)]
        return tuple(values) if self.positional else dict(zip((name for name, _, _ in binds), values))

    def rows(self, cursor: Any) -> list[tuple[Any, ...]]:
        """A SELECT's rows, each value through its column's result processor, as Core would."""
        if self.results is None:
            raise TypeError(f"not a SELECT: {self.sql}")
        if not any(self.results):
            return cursor.fetchall()
        return [tuple(process(value) if process else value for process, value in zip(self.results, row))
                for row in cursor.fetchall()]

    def many(self, rows: list[dict[str, Any]], shared: dict[str, Any]) -> list[Any]:
        """params() for each row; `shared` values (by bind name), the same in every row, are
        processed once (a bulk stamps hundreds of rows with one time)."""
        binds = [(name, None, process(shared[name]) if process else shared[name]) if name in shared
                 else (name, process, default) for name, process, default in self.binds]
        return [self.params(row, binds) for row in rows]


_REQUIRED = object()


def _run(connection: Connection, sql: str, params: Any, many: bool = False) -> Any:
    """Run a prepared statement on the driver's own cursor and return the cursor.

    Core's execution (an execution context, its events, a result object) cost 38 µs a statement
    against 7 µs on the cursor, for the small indexed statements of the write path (a webhook
    runs seven). The statement still runs in the connection's transaction (and, on
    SQLite, takes the write queue: QueuedWrites); listeners of the engine's cursor events (a
    test's statement log, tracing) are still told, with no execution context; and a driver's
    error is raised as Core raises it (IntegrityError on a unique key, so a lost race is retried).
    """
    dispatch = connection.dispatch
    cursor = connection.connection.cursor()
    if dispatch.before_cursor_execute:
        dispatch.before_cursor_execute(connection, cursor, sql, params, None, many)
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
    except connection.dialect.loaded_dbapi.Error as exc:
        cursor.close()
        raise DBAPIError.instance(sql, params, exc, connection.dialect.loaded_dbapi.Error,
                                  dialect=connection.dialect, ismulti=many) from exc
    if dispatch.after_cursor_execute:
        dispatch.after_cursor_execute(connection, cursor, sql, params, None, many)
    return cursor


def fetch(source: Session | Connection, statement: Any, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of a Core SELECT built once at module level (prepared once per statement object),
    run in the session's transaction (or on the connection) on the driver's cursor (_run): for the
    small indexed reads of the webhook path and the order page, where Core's execution cost more
    than the query (about 55 µs a statement)."""
    return _fetch(source, statement, values)[1]


def fetch_records(source: Session | Connection, statement: Any, values: dict[str, Any]) -> list[Any]:
    """fetch(), each row read by attribute (column key) or position, as Core's rows are."""
    prepared, rows = _fetch(source, statement, values)
    return [prepared.record._make(row) for row in rows]


def _fetch(source: Session | Connection, statement: Any, values: dict[str, Any]) -> tuple[_Prepared, list[tuple[Any, ...]]]:
    connection = source if isinstance(source, Connection) else source.connection()
    prepared = _prepared_in(connection.dialect, (statement,), lambda dialect: _Prepared(statement, dialect))
    cursor = _run(connection, prepared.sql, prepared.params(values))
    try:
        return prepared, prepared.rows(cursor)
    finally:
        cursor.close()


class _PreparedInsert(_Prepared):
    """An INSERT of every column of a table but its primary key (see _Prepared)."""

    def __init__(self, table: Table, dialect: Any, skip_duplicates_of: tuple[str, ...], returning: bool) -> None:
        self.model = _model_of(table)
        columns = [column.key for column in table.columns if not column.primary_key]
        statement: Any = table.insert()
        if skip_duplicates_of:
            statement = {"sqlite": sqlite, "postgresql": postgresql}[dialect.name].insert(table)
            statement = statement.on_conflict_do_nothing(index_elements=list(skip_duplicates_of))
        self.returning = returning and dialect.name != "sqlite"  # SQLite hands the new key over as lastrowid
        if self.returning:
            statement = statement.returning(table.primary_key.columns.values()[0])
        super().__init__(statement, dialect, columns)
        if sorted(name for name, _, _ in self.binds) != sorted(columns):
            raise RuntimeError(f"INSERT INTO {table.name}: unexpected bind parameters {[b[0] for b in self.binds]}")

    def complete(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row with every column: those left out get the model's defaults."""
        constants, factories = _defaults(self.model)
        return {**constants, **{key: make() for key, make in factories.items() if key not in row}, **row}


_prepared: dict[tuple[Any, ...], _Prepared] = {}


def _prepared_for(session: Session, key: tuple[Any, ...], make: Callable[[Any], P]) -> P:
    """What `make(dialect)` prepares, made once per key and dialect (the session's engine's: asking
    the session for its connection costs more, and adding a statement to a batch needs none)."""
    return _prepared_in(session.get_bind().dialect, key, make)


def _prepared_in(dialect: Any, key: tuple[Any, ...], make: Callable[[Any], P]) -> P:
    full = (*key, dialect.name)
    if full not in _prepared:
        _prepared[full] = make(dialect)
    return _prepared[full]  # type: ignore[return-value]


def _prepare(session: Session, table: Table, skip_duplicates_of: tuple[str, ...] = (),
             returning: bool = False) -> _PreparedInsert:
    return _prepared_for(session, (table, skip_duplicates_of, returning),
                         lambda dialect: _PreparedInsert(table, dialect, skip_duplicates_of, returning))


# A value a Writes batch learns only when it runs (a new parent row's key): see Writes.run.
LATER = type("Later", (), {"__repr__": lambda self: "LATER"})()


class Writes:
    """Write statements made ready as a transaction works out what to write, run back to back by
    run(), each one an executemany.

    SQLite lets one writer in at a time, from a transaction's first write to its commit. A bulk of
    carrier events that wrote as it went held that lock while it worked out its next rows and
    processed their values, over half of its time, and every other writer waited. Here the values
    go through their types' bind processors when they are added, and the lock is held only while
    SQLite writes. The unit of work is not flushed: a caller whose statements touch rows with
    pending changes flushes first.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._steps: list[tuple[str, list[Any], list[tuple[int, str, Any]]]] = []

    def insert(self, table: Table, rows: list[dict[str, Any]], skip_duplicates_of: list[str] | None = None) -> None:
        """INSERT rows (see insert_rows). A column whose value is LATER in every row gets the value
        given to run() under its name (a new order's id, for its timeline and line items)."""
        if rows:
            insert = _prepare(self.session, table, tuple(skip_duplicates_of or ()))
            later = [name for name, value in rows[0].items() if value is LATER]
            if later:
                if any(row[name] is not LATER for row in rows for name in later):
                    raise ValueError(f"INSERT INTO {table.name}: LATER must be in every row for {later}")
                rows = [{**row, **dict.fromkeys(later)} for row in rows]
            params = [insert.params(insert.complete(row)) for row in rows]
            self._steps.append((insert.sql, params, [(i, name, process) for i, (name, process, _)
                                                     in enumerate(insert.binds) if name in later]))

    def execute(self, statement: Any, rows: list[dict[str, Any]], **shared: Any) -> None:
        """A Core statement (an UPDATE by bind parameters) once per row of values; `shared`:
        values the same in every row, by bind name. The statement is prepared once per statement
        object: build it once, at module level, not per call."""
        if rows:
            prepared = _prepared_for(self.session, (statement,), lambda dialect: _Prepared(statement, dialect))
            self._steps.append((prepared.sql, prepared.many(rows, shared), []))

    def run(self, **later: Any) -> list[int]:
        """Run what was added, in order, with the LATER values named here; the rows each statement wrote."""
        if not self._steps:
            return []
        connection = self.session.connection()
        steps, self._steps = self._steps, []
        counts = []
        for sql, params, late in steps:
            if late:
                params = [_fill(row, late, later) for row in params]
            cursor = _run(connection, sql, params if len(params) > 1 else params[0], many=len(params) > 1)
            counts.append(cursor.rowcount)
            cursor.close()
        return counts


def _fill(row: Any, late: list[tuple[int, str, Any]], values: dict[str, Any]) -> Any:
    """A row's driver parameters with the LATER ones given their values (through their processors)."""
    if isinstance(row, dict):
        return {**row, **{name: process(values[name]) if process else values[name] for _, name, process in late}}
    filled = list(row)
    for index, name, process in late:
        filled[index] = process(values[name]) if process else values[name]
    return tuple(filled)


@contextmanager
def writes(session: Session, batch: Writes | None = None) -> Iterator[Writes]:
    """`batch`, to add to, or a Writes of its own that runs when the block ends."""
    if batch is not None:
        yield batch
        return
    own = Writes(session)
    yield own
    own.run()


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]],
                skip_duplicates_of: list[str] | None = None) -> int:
    """INSERT rows in the session's transaction as one statement (executemany for several): for
    rows nothing reads back as objects, without the unit of work's per-object cost. Columns left
    out get the model's defaults. Returns how many rows were written.

    `skip_duplicates_of`: columns of a unique constraint; rows that would repeat a value are skipped
    (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike), and losing a race to a concurrent
    transaction undoes nothing around it.
    """
    batch = Writes(session)
    batch.insert(table, rows, skip_duplicates_of)
    return sum(batch.run())


def insert_row(session: Session, table: Table, row: dict[str, Any]) -> int:
    """INSERT one row (columns left out get the model's defaults); returns its new primary key."""
    return _insert_one(session, table, row)[0]


class ReadyRow(NamedTuple):
    """One row made ready to INSERT (ready_row): every column (defaults included) and the driver's
    parameters, through the columns' bind processors. Making it ready needs no database."""
    full: dict[str, Any]
    sql: str
    params: Any
    returning: bool


def ready_row(session: Session, table: Table, row: dict[str, Any]) -> ReadyRow:
    insert = _prepare(session, table, returning=True)
    full = insert.complete(row)
    return ReadyRow(full, insert.sql, insert.params(full), insert.returning)


def _insert_one(session: Session, table: Table, row: dict[str, Any] | ReadyRow) -> tuple[int, dict[str, Any]]:
    """(the new primary key, the row as written, defaults included)."""
    ready = row if isinstance(row, ReadyRow) else ready_row(session, table, row)
    cursor = _run(session.connection(), ready.sql, ready.params)
    key = cursor.fetchone()[0] if ready.returning else cursor.lastrowid
    cursor.close()
    return key, ready.full


def _model_of(table: Table) -> type:
    for mapper in SQLModel._sa_registry.mappers:  # type: ignore[attr-defined]
        if mapper.local_table is table:
            return mapper.class_
    raise LookupError(f"no model maps table {table.name}")


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


def insert_object(session: Session, model: type[M], values: dict[str, Any] | ReadyRow) -> M:
    """INSERT one row (its values, or ready_row() of them) and hand back its ORM object,
    persistent in `session` as if loaded.

    What `session.add(model(**values))` and a flush do, at a small part of the cost: SQLModel runs
    every field through pydantic on construction and the unit of work fires an event per attribute
    (webhooks create an order each). Columns left out get the model's defaults.
    """
    table = model.__table__  # type: ignore[attr-defined]
    key, row = _insert_one(session, table, values)
    row = {**row, table.primary_key.columns.values()[0].key: key}
    return as_loaded(session, model, row)


def load(session: Session, model: type[M], statement: Any, values: dict[str, Any]) -> list[M]:
    """What `session.exec(statement)` returns for a SELECT of every column of the model's table
    (built once at module level), without the ORM's execution: pending changes are flushed
    first, as the ORM's autoflush would, then the rows are read on the driver's cursor (fetch)
    and made objects (as_loaded)."""
    session.flush()
    return [as_loaded(session, model, row) for row in fetch_dicts(session, statement, values)]


def fetch_dicts(session: Session, statement: Any, values: dict[str, Any]) -> list[dict[str, Any]]:
    """fetch(), each row a dict by column key."""
    prepared, rows = _fetch(session, statement, values)
    keys = prepared.record._fields  # the column keys, worked out once per statement
    return [dict(zip(keys, row)) for row in rows]


def as_loaded(session: Session, model: type[M], row: dict[str, Any]) -> M:
    """A row with every column of the model's table (by column key) as its ORM object, persistent
    in `session` as if a query had loaded it: the object the session already holds for that
    primary key, if any, as a query would return it. Loading through the ORM (session.get) cost
    an update delivery about a sixth of its CPU."""
    mapper = class_mapper(model)
    held = session.identity_map.get(mapper.identity_key_from_primary_key([row[c.key] for c in mapper.primary_key]))
    if held is not None:
        return held  # type: ignore[return-value]
    instance = mapper.class_manager.new_instance()
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
