"""The staff timeline's rows (staff_entries): written with the change they describe, read only by
the console."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from portal.store.models import StaffEntry
from portal.store.writes import insert_rows


def add(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Staff entries in the caller's transaction, one statement for all of them."""
    insert_rows(session, StaffEntry, rows)


def entries(session: Session, merchant_id: int, order_id: int) -> Sequence[StaffEntry]:
    """The order's staff timeline, newest first."""
    return session.exec(
        select(StaffEntry).where(StaffEntry.merchant_id == merchant_id, StaffEntry.order_id == order_id)
        .order_by(col(StaffEntry.at).desc(), col(StaffEntry.id).desc())
    ).all()
