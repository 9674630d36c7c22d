"""The prepared INSERTs of the write path (store.db.insert_rows / insert_row / insert_object) store
exactly what the ORM would: JSON, timezone-aware datetimes, the models' defaults."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from portal.store.db import insert_object, insert_row, insert_rows, session_scope
from portal.store.models import Order, TimelineEntry, WebhookReceipt
from tests.conftest import order_data


def test_rows_read_back_as_the_orm_writes_them(factory, merchant):
    order = factory.order(merchant, **order_data(number="5001"))
    at = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
    with session_scope(factory.portal.engine) as session:
        entry_id = insert_row(session, TimelineEntry.__table__, {
            "order_id": order.id, "at": at, "kind": "message", "params": {"text": "Pakken er på vei ✓", "n": [1, 2]}})
        session.add(TimelineEntry(order_id=order.id, at=at, kind="message", params={"text": "Pakken er på vei ✓", "n": [1, 2]}))
    with session_scope(factory.portal.engine) as session:
        ours, orms = session.exec(select(TimelineEntry).where(TimelineEntry.kind == "message")
                                  .order_by(TimelineEntry.id)).all()
    assert ours.id == entry_id
    assert (ours.at, ours.params, ours.visible_to_shopper) == (orms.at, orms.params, orms.visible_to_shopper)
    assert ours.at == at  # the same instant


def test_duplicates_are_skipped_and_counted(factory, merchant):
    receipt = {"merchant_id": merchant.id, "platform": "shopify", "delivery_id": "d-1", "body_hash": "a" * 64}
    with session_scope(factory.portal.engine) as session:
        assert insert_rows(session, WebhookReceipt.__table__, [receipt, {**receipt, "delivery_id": "d-2"}],
                           skip_duplicates_of=["merchant_id", "platform", "delivery_id"]) == 2
        assert insert_rows(session, WebhookReceipt.__table__, [receipt, {**receipt, "delivery_id": "d-3"}],
                           skip_duplicates_of=["merchant_id", "platform", "delivery_id"]) == 1
    with session_scope(factory.portal.engine) as session:
        stored = session.exec(select(WebhookReceipt).order_by(WebhookReceipt.delivery_id)).all()
    assert [r.delivery_id for r in stored] == ["d-1", "d-2", "d-3"]
    assert all(r.received_at is not None for r in stored)  # the model's default was written


def test_an_inserted_object_is_the_row_as_loaded(factory, merchant):
    with session_scope(factory.portal.engine) as session:
        order = insert_object(session, Order, {
            "merchant_id": merchant.id, "public_id": "p" * 22, "link_nonce": "n" * 16, "number": "#7", "number_key": "7",
            "currency": "NOK", "presentment_currency": "NOK", "shipping_address": {"city": "Bodø"}, "tags": ["vip"],
            "placed_at": datetime(2026, 11, 1, tzinfo=timezone.utc)})
        order.note = "changed after insert"
    with session_scope(factory.portal.engine) as session:
        loaded = session.get(Order, order.id)
        assert (loaded.number, loaded.shipping_address, loaded.tags, loaded.raw_statuses) == ("#7", {"city": "Bodø"}, ["vip"], {})
        assert loaded.note == "changed after insert"  # the object is tracked like a loaded one
        assert loaded.placed_at == datetime(2026, 11, 1, tzinfo=timezone.utc) and loaded.version == order.version == 1


def test_prepared_updates_write_what_core_writes(factory, merchant):
    """Writes.execute: a value every row shares (processed once), per-row values and a value fixed
    in the statement are stored exactly as SQLAlchemy Core stores them (SQLite compares times as
    text, so the stored form matters, not only what reads back)."""
    from sqlalchemy import bindparam, text, update

    from portal.store.db import Writes

    moves = update(Order.__table__).where(Order.__table__.c.id == bindparam("order_id")).values(
        fulfillment_status="fulfilled", payment_status=bindparam("paid"), updated_at=bindparam("now"))
    ours, also_ours, cores = (factory.order(merchant, **order_data(number=n)) for n in ("6001", "6002", "6003"))
    now = datetime(2026, 11, 27, 10, 0, 0, 250000, tzinfo=timezone(timedelta(hours=-5)))
    with session_scope(factory.portal.engine) as session:
        batch = Writes(session)
        batch.execute(moves, [{"order_id": ours.id, "paid": "paid"}, {"order_id": also_ours.id, "paid": "paid"}], now=now)
        assert batch.run() == [2]
        session.connection().execute(moves, {"order_id": cores.id, "paid": "paid", "now": now})
    with session_scope(factory.portal.engine) as session:
        stored = session.connection().execute(text(
            "SELECT fulfillment_status, payment_status, updated_at FROM orders WHERE id IN (:a, :b, :c) ORDER BY id"),
            {"a": ours.id, "b": also_ours.id, "c": cores.id}).all()
        assert session.get(Order, ours.id).updated_at == now
    assert stored[0] == stored[1] == stored[2] and stored[0][:2] == ("fulfilled", "paid")


def test_prepared_statements_read_tell_and_fail_as_core_does(factory, merchant):
    """Prepared statements run on the driver's cursor (store.db._run): a SELECT's values come back
    through their types as Core's do (times with their zone), listeners of the engine's cursor
    events still see every statement, and a broken unique key raises SQLAlchemy's IntegrityError
    (which the webhook path retries on), leaving the transaction to roll back whole."""
    import pytest
    from sqlalchemy import bindparam, event
    from sqlalchemy.exc import IntegrityError

    from portal.store.db import fetch

    order = factory.order(merchant, **order_data(number="7001"))
    placed = select(Order.number, Order.placed_at, Order.shipping_address).where(Order.id == bindparam("order_id"))
    engine = factory.portal.engine
    seen: list[str] = []

    def told(_connection, _cursor, statement, _params, _context, _many):
        seen.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", told)
    try:
        with session_scope(engine) as session:
            ours = fetch(session, placed, {"order_id": order.id})
            cores = session.connection().execute(placed, {"order_id": order.id}).all()
            assert ours == [tuple(row) for row in cores] and ours[0][1].tzinfo is not None
            assert fetch(session, placed, {"order_id": -1}) == []
        receipt = {"merchant_id": merchant.id, "platform": "shopify", "delivery_id": "same", "body_hash": "b" * 64}
        with pytest.raises(IntegrityError), session_scope(engine) as session:
            insert_row(session, TimelineEntry.__table__, {"order_id": order.id, "at": order.placed_at, "kind": "message"})
            insert_row(session, WebhookReceipt.__table__, receipt)
            insert_row(session, WebhookReceipt.__table__, receipt)
    finally:
        event.remove(engine, "before_cursor_execute", told)
    assert seen.count("SELECT") == 3 and seen.count("INSERT") == 3
    with session_scope(engine) as session:  # nothing of the failed transaction was kept
        assert session.exec(select(WebhookReceipt)).all() == []
        assert session.exec(select(TimelineEntry).where(TimelineEntry.kind == "message")).all() == []


def test_a_batch_fills_in_a_value_it_learns_when_it_runs(factory, merchant):
    """Writes.insert with LATER: a new order's timeline and line items are worked out before the
    order's INSERT (which takes SQLite's write lock) and get its id when the batch runs."""
    import pytest

    from portal.store.db import LATER, Writes

    order = factory.order(merchant, **order_data(number="8001"))
    at = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    with session_scope(factory.portal.engine) as session:
        batch = Writes(session)
        batch.insert(TimelineEntry.__table__, [{"order_id": LATER, "at": at, "kind": "message", "params": {"n": n}}
                                               for n in (1, 2)])
        with pytest.raises(ValueError):
            batch.insert(TimelineEntry.__table__, [{"order_id": LATER, "at": at, "kind": "message"},
                                                   {"order_id": order.id, "at": at, "kind": "message"}])
        assert batch.run(order_id=order.id) == [2]
    with session_scope(factory.portal.engine) as session:
        entries = session.exec(select(TimelineEntry).where(TimelineEntry.kind == "message")
                               .order_by(TimelineEntry.id)).all()
    assert [(e.order_id, e.at, e.params) for e in entries] == [(order.id, at, {"n": 1}), (order.id, at, {"n": 2})]


def test_a_statement_binding_a_list_is_refused_before_it_runs(factory, merchant):
    """An IN list's SQL depends on the list's length, so it cannot be prepared once: fetch() says
    so instead of sending SQLite a placeholder it cannot read."""
    import pytest
    from sqlalchemy import bindparam
    from sqlmodel import col

    from portal.store.db import fetch

    order = factory.order(merchant, **order_data(number="9001"))
    listed = select(Order.number).where(col(Order.id).in_(bindparam("ids", expanding=True)))
    with session_scope(factory.portal.engine) as session:
        with pytest.raises(TypeError, match="cannot bind a list"):
            fetch(session, listed, {"ids": [order.id]})
