"""The writer threads' queue (portal.writers): jobs in order, grouped writes run together, and a
group that fails is run again one by one."""

from __future__ import annotations

import threading

import pytest

from portal.writers import Writers


@pytest.fixture
def writers():
    writers = Writers(1)
    yield writers
    writers.shutdown()


def blocked(writers: Writers) -> threading.Event:
    """Keep the writer busy until the returned event is set, so that the next jobs wait together."""
    gate, started = threading.Event(), threading.Event()
    writers.submit(lambda: started.set() or gate.wait(10))
    assert started.wait(10)
    return gate


def recorder(calls: list):
    def together(tag, items):
        if any(value == "bad" for value, in items):
            calls.append(("failed", [value for value, in items]))
            raise ValueError("one of them is bad")
        calls.append(("together", [value for value, in items]))
        return [f"{tag}:{value}" for value, in items]

    def alone(tag, value):
        calls.append(("alone", value))
        if value == "bad":
            raise KeyError(value)
        return f"{tag}:{value}"

    return together, alone


def test_grouped_jobs_that_wait_together_run_as_one_group_in_order(writers):
    calls: list = []
    together, alone = recorder(calls)
    gate = blocked(writers)
    first = [writers.submit_grouped(together, alone, (n,), "t") for n in range(3)]
    plain = writers.submit(lambda: calls.append(("plain", None)) or "plain")
    other_args = writers.submit_grouped(together, alone, (7,), "u")
    last = [writers.submit_grouped(together, alone, (n,), "t") for n in (8, 9)]
    assert writers.waiting() == 7
    gate.set()
    assert [f.result(5) for f in first] == ["t:0", "t:1", "t:2"]
    assert plain.result(5) == "plain" and other_args.result(5) == "u:7"
    assert [f.result(5) for f in last] == ["t:8", "t:9"]
    # A job in between ends a group; arguments that differ start a new one; one alone runs alone.
    assert calls == [("together", [0, 1, 2]), ("plain", None), ("alone", 7), ("together", [8, 9])]


def test_a_failed_group_runs_each_alone_with_its_own_result_or_error(writers):
    calls: list = []
    together, alone = recorder(calls)
    gate = blocked(writers)
    futures = [writers.submit_grouped(together, alone, (value,), "t") for value in ("a", "bad", "b")]
    gate.set()
    assert futures[0].result(5) == "t:a" and futures[2].result(5) == "t:b"
    with pytest.raises(KeyError):
        futures[1].result(5)
    assert calls == [("failed", ["a", "bad", "b"]), ("alone", "a"), ("alone", "bad"), ("alone", "b")]


def test_groups_are_bounded_and_a_cancelled_job_is_left_out():
    writers = Writers(1, group_max=2)
    calls: list = []
    together, alone = recorder(calls)
    gate = blocked(writers)
    futures = [writers.submit_grouped(together, alone, (n,), "t") for n in range(5)]
    assert futures[1].cancel()
    gate.set()
    assert [futures[n].result(5) for n in (0, 2, 3, 4)] == ["t:0", "t:2", "t:3", "t:4"]
    assert calls == [("alone", 0), ("together", [2, 3]), ("alone", 4)]
    writers.shutdown()


def test_shutdown_finishes_what_is_queued_and_refuses_new_work():
    writers = Writers(2)
    gate = blocked(writers)
    queued = [writers.submit(lambda n=n: n * 2) for n in range(4)]
    gate.set()
    writers.shutdown(wait=True)
    assert [f.result(0) for f in queued] == [0, 2, 4, 6]
    with pytest.raises(RuntimeError):
        writers.submit(print)


def test_a_group_that_answers_for_too_few_runs_each_alone(writers):
    """The writer thread never dies on a group's mistake: every job still gets an answer."""
    ran: list = []
    gate = blocked(writers)
    futures = [writers.submit_grouped(lambda tag, items: [], lambda tag, value: ran.append(value) or value, (n,), "t")
               for n in range(3)]
    gate.set()
    assert [f.result(5) for f in futures] == [0, 1, 2] and ran == [0, 1, 2]
    assert writers.submit(lambda: "still here").result(5) == "still here"


def test_a_grouped_job_sees_its_submitters_context_and_leaves_the_thread_clean(writers):
    import contextvars

    where: contextvars.ContextVar[str] = contextvars.ContextVar("where", default="thread")

    def together(_tag, items):
        seen = [where.get()]
        where.set("changed by a group")
        return seen * len(items)

    def alone(_tag, value):
        seen = where.get()
        where.set("changed by a job")
        return seen

    gate = blocked(writers)
    token = where.set("request A")
    first = [writers.submit_grouped(together, alone, (n,), "t") for n in range(2)]
    where.reset(token)
    alone_job = writers.submit_grouped(together, alone, (9,), "u")
    gate.set()
    assert [f.result(5) for f in first] == ["request A", "request A"] and alone_job.result(5) == "thread"
    assert writers.submit(where.get).result(5) == "thread"
