"""The staff timeline: every change to an order, with who or what made it, and staff notes.

Written by the services where the change happens, in the change's transaction (a change and its
entry are committed together or not at all); the caller says who acts with an Actor. Shoppers
never read it: their timeline is the shopper timeline (changes.add_timeline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from portal.store import staff
from portal.store.models import StaffEntry, utcnow


@dataclass(frozen=True)
class Actor:
    """Who or what changes an order: a kind (webhook, api, console, csv, carrier, cli, portal) and
    a name within it (the platform, the API key's name, the console user's e-mail)."""

    kind: str
    name: str = ""


PORTAL = Actor("portal")  # the portal itself: demo data, a change no person or system asked for
CSV_IMPORT = Actor("csv")
CLI = Actor("cli")
SHOPPER = Actor("shopper")  # the shopper, on their order's pages (a return request)


def webhook(platform: str) -> Actor:
    return Actor("webhook", platform)


def api_key(name: str) -> Actor:
    return Actor("api", name)


def carrier_feed(key_name: str) -> Actor:
    return Actor("carrier", key_name)


def console(email: str) -> Actor:
    return Actor("console", email)


# Order columns that say nothing to staff (keys derived from other columns, the link's secrets,
# bookkeeping): left out of the changes an entry lists.
_UNLISTED = frozenset({"id", "merchant_id", "number_key", "email_key", "phone_key", "postal_key", "public_id",
                       "link_nonce", "created_at", "updated_at", "version", "source_updated_at", "raw_statuses"})
# A listed value longer than this is cut: the entry says what changed, the order holds the rest.
_VALUE_LIMIT = 300


def plain(value: Any) -> Any:
    """A column value as JSON (dates as ISO text, long text cut)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str) and len(value) > _VALUE_LIMIT:
        return value[:_VALUE_LIMIT] + "…"
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{column: [before, after]} for every listed column whose value differs."""
    return {name: [plain(before.get(name)), plain(value)] for name, value in after.items()
            if name not in _UNLISTED and before.get(name) != value}


def entry(order: Any, actor: Actor, kind: str, changes: dict[str, Any] | None = None,
          note: str | None = None, at: datetime | None = None) -> dict[str, Any]:
    """A staff entry row for record()."""
    return {"merchant_id": order.merchant_id, "order_id": order.id, "at": at or utcnow(),
            "actor_kind": actor.kind[:16], "actor_name": actor.name[:255], "kind": kind,
            "changes": changes or {}, "note": note}


def record(session: Session, order: Any, actor: Actor, kind: str, changes: dict[str, Any] | None = None,
           note: str | None = None, at: datetime | None = None) -> None:
    """One staff entry, in the caller's transaction."""
    staff.add(session, [entry(order, actor, kind, changes, note, at)])


def record_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Several entries (entry()), one statement."""
    staff.add(session, rows)


def entries(session: Session, merchant_id: int, order_id: int) -> list[StaffEntry]:
    """The order's staff timeline, newest first."""
    return list(staff.entries(session, merchant_id, order_id))
