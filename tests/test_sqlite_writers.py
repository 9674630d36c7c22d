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


def test_the_log_is_checkpointed_after_the_queue_is_freed(engine, monkeypatch):
    """SQLite would copy the write-ahead log into the database inside the commit that takes it past
    its limit, with the write queue still held: every other writer waited for the copy. The
    committing writer frees the queue first, then checkpoints, and the log does not pile up."""
    import fcntl
    import os
    from pathlib import Path

    monkeypatch.setattr(db, "CHECKPOINT_PAGES", 10)
    queue_free: list[bool] = []
    checkpoint = db.QueuedWrites._checkpoint

    def probing(self):
        probe = os.open(self.lock_path, os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(probe, fcntl.LOCK_UN)
            queue_free.append(True)
        except BlockingIOError:
            queue_free.append(False)
        finally:
            os.close(probe)
        checkpoint(self)

    monkeypatch.setattr(db.QueuedWrites, "_checkpoint", probing)
    wal = Path(engine.url.database + "-wal")
    sizes = []
    for batch in range(6):  # about 18 pages each
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:n)"), [{"n": batch * 10_000 + i} for i in range(6000)])
        sizes.append(wal.stat().st_size)
    assert queue_free and all(queue_free)
    assert max(sizes) < 2 * sizes[0]  # without checkpoints it would hold all six transactions
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 36_000
