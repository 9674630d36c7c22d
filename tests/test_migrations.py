"""The Alembic migrations: one line of history, a database migrated from empty has exactly the
models' schema (tables, columns and their types, nullability, server defaults, indexes, unique
and foreign keys) on SQLite and on PostgreSQL, and data stored before a revision is carried over."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, insert, text
from sqlmodel import Session, SQLModel, select

from portal.store import models, records, shopper_requests  # noqa: F401  (registers the tables)
from portal.store.db import alembic_config, make_engine, migrate, pending_migrations
from portal.store.models import LineItem, Merchant, Order, Shipment
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


DAY = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)


def _shipments_from_the_first_release(engine) -> dict[str, int]:
    """A database at the first revision holding an order, its line item, four parcels and their
    events, written into the tables as they were then (later revisions copy tables on SQLite)."""
    migrate(engine, "0001_baseline")
    tables = MetaData()
    tables.reflect(engine)

    def row(table: str, obj) -> dict:  # the model's values, for the columns the table had then
        return {key: value for key, value in obj.model_dump().items() if key in tables.tables[table].c and key != "id"}

    timelines = {
        "label only": [(0, "info_received")],
        "scanned late": [(0, "info_received"), (3, "delivered"), (1, "in_transit")],
        "exception": [(1, "in_transit"), (2, "exception"), (4, "delivered")],
        "no events": [],
    }
    ids = {}
    with engine.begin() as connection:
        merchant_id = connection.execute(insert(tables.tables["merchants"]).values(
            row("merchants", Merchant(slug="old", name="Old Shop")))).inserted_primary_key[0]
        order_id = connection.execute(insert(tables.tables["orders"]).values(row("orders", Order(
            merchant_id=merchant_id, public_id="p", link_nonce="n", number="#1", number_key="1", placed_at=DAY,
            currency="USD", presentment_currency="USD")))).inserted_primary_key[0]
        connection.execute(insert(tables.tables["line_items"]).values(row("line_items", LineItem(
            order_id=order_id, title="Tent"))))
        for name, timeline in timelines.items():
            ids[name] = connection.execute(insert(tables.tables["shipments"]).values(row("shipments", Shipment(
                order_id=order_id, merchant_id=merchant_id, carrier="ups", shipped_at=DAY)))).inserted_primary_key[0]
            for days, status in timeline:
                connection.execute(insert(tables.tables["tracking_events"]).values(
                    shipment_id=ids[name], at=DAY + timedelta(days=days), status=status, raw={}))
    return ids


def line_item_titles(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(LineItem.title)))


def _upgrading_keeps_the_data_and_fills_first_scans(engine) -> None:
    ids = _shipments_from_the_first_release(engine)
    migrate(engine)
    with Session(engine) as session:
        kept = {name: session.exec(select(Shipment.first_scan_at, Shipment.had_exception)
                                   .where(Shipment.id == shipment_id)).one() for name, shipment_id in ids.items()}
    assert line_item_titles(engine) == ["Tent"]
    assert kept == {
        "label only": (None, False),
        "scanned late": (DAY + timedelta(days=1), False),
        "exception": (DAY + timedelta(days=1), True),
        "no events": (None, False),
    }


def _upgrading_keeps_the_delivery_log_in_english(engine) -> None:
    """A delivery logged before reasons were kept as templates reads as it was stored."""
    from portal.ingest import deliveries

    migrate(engine, "0010_view_count_index")
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        merchant = {key: value for key, value in Merchant(slug="old", name="Old Shop").model_dump().items()
                    if key in tables.tables["merchants"].c and key != "id"}
        merchant_id = connection.execute(insert(tables.tables["merchants"]).values(merchant)).inserted_primary_key[0]
        connection.execute(insert(tables.tables["webhook_deliveries"]).values(
            merchant_id=merchant_id, platform="shopify", topic="orders/create", delivery_id="wh-1",
            result="stored", reason="order created", order_number="#1", http_status=200, received_at=DAY))
    migrate(engine)
    with Session(engine) as session:
        (entry,) = deliveries.log(session, merchant_id, 10)
    assert (entry.reason, entry.reason_template, entry.reason_values) == ("order created", None, None)
    assert deliveries.reason_text(entry) == ("order created", False)


def test_history_is_one_line_with_one_base_and_one_head(tmp_path):
    script = ScriptDirectory.from_config(alembic_config(make_engine(f"sqlite:///{tmp_path / 'unused.db'}")))
    assert len(script.get_bases()) == 1
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert not revision.is_merge_point
        assert not revision.is_branch_point


# A database migrated from empty has the models' schema; one upgraded keeps its rows.
CHECKS = pytest.mark.parametrize("check", [_migrated_from_empty_matches_the_models,
                                           _upgrading_keeps_the_data_and_fills_first_scans,
                                           _upgrading_keeps_the_delivery_log_in_english],
                                 ids=["from empty", "with data", "delivery log"])


@CHECKS
def test_sqlite_migrations(tmp_path, check):
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    try:
        check(engine)
    finally:
        engine.dispose()


def _on_a_new_postgresql_database(check) -> None:
    with pg_server.postgres_server() as base:
        admin = create_engine(base + "postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "portal_migrations"'))
        admin.dispose()
        engine = make_engine(base + "portal_migrations")
        try:
            check(engine)
        finally:
            engine.dispose()


@CHECKS
@pytest.mark.postgres
@pytest.mark.skipif(not pg_server.available(), reason="PostgreSQL is not installed (make test installs it)")
def test_postgresql_migrations(check):
    _on_a_new_postgresql_database(check)
