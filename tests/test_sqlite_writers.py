"""SQLite write transactions queue on a file lock beside the database (store.db.QueuedWrites):
a waiting writer gets in as soon as the holder commits, reads never wait, and a writer that
waits too long fails the way SQLite does."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from portal.store import db


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path}/queue.db")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


def hold_write(engine, seconds: float, started: threading.Event, rollback: bool = False) -> None:
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        started.set()
        time.sleep(seconds)
        connection.rollback() if rollback else connection.commit()


@pytest.mark.parametrize("rollback", [False, True])
def test_a_second_writer_gets_in_right_after_the_first_commits_or_rolls_back(engine, rollback):
    started = threading.Event()
    holder = threading.Thread(target=hold_write, args=(engine, 0.45, started, rollback))
    began = time.monotonic()
    holder.start()
    started.wait(5)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0  # reads do not wait
        assert time.monotonic() - began < 0.25
        connection.execute(text("INSERT INTO t VALUES (2)"))
        waited = time.monotonic() - began
        connection.commit()
    holder.join()
    # SQLite's own busy handler sleeps in steps of up to 100 ms (here it would wake at about 0.53 s);
    # the queue hands over at once.
    assert 0.44 < waited < 0.49
    with engine.connect() as connection:
        assert sorted(connection.execute(text("SELECT n FROM t")).scalars()) == ([2] if rollback else [1, 2])


def test_a_writer_that_waits_too_long_fails_as_sqlite_would(engine, monkeypatch):
    monkeypatch.setattr(db, "SQLITE_BUSY_SECONDS", 0.1)
    started = threading.Event()
    holder = threading.Thread(target=hold_write, args=(engine, 0.5, started))
    holder.start()
    started.wait(5)
    with engine.connect() as connection, pytest.raises(Exception, match="database is locked"):
        connection.execute(text("INSERT INTO t VALUES (2)"))
    holder.join()
    with engine.connect() as connection:  # the failed writer left no lock behind
        connection.execute(text("INSERT INTO t VALUES (3)"))
        connection.commit()
        assert sorted(connection.execute(text("SELECT n FROM t")).scalars()) == [1, 3]
