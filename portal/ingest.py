"""Orders from shop platforms: one path for Shopify, BigCommerce and WooCommerce deliveries.

A delivery is checked against the receipts (idempotency), applied, recorded and logged in one
transaction; the receiver answers the platform only after that commit. The platform modules
(portal/platforms/) only translate payloads into our OrderIn/ShipmentIn shapes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal import inputs, money, timestamps
from portal.i18n import normalise_locale
from portal.orders import (
    STATUS_FIELDS,
    NewOrder,
    OrderInputError,
    StoredOrder,
    lock_orders,
    number_key,
    plan_new_order,
    remove_shipments,
    stored_order,
    upsert_order,
    upsert_shipment,
)
from portal.schemas import OrderIn, ShipmentIn, error_list, is_email
from portal.statuses import closest, status_key
from portal.store import queries
from portal.store.db import begin_writing, insert_row, insert_rows, session_scope
from portal.store.models import Merchant, Order, WebhookDelivery, WebhookReceipt, utcnow

log = logging.getLogger("portal.ingest")

# Rows of the delivery log kept per merchant; older ones are pruned as new ones arrive.
DELIVERY_LOG_KEEP = 1000
# Platforms retry for hours (Shopify: 48 hours); receipts are kept well beyond that.
RECEIPT_RETENTION = timedelta(days=30)


class Rejected(Exception):
    """A delivery we refuse, with the reason the merchant reads in the delivery log."""

    def __init__(self, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class Delivery:
    platform: str
    topic: str
    delivery_id: str
    body_hash: str


@dataclass
class Outcome:
    result: str  # stored | duplicate | ignored | rejected
    reason: str = ""
    order_number: str | None = None
    http_status: int = 200
    # What the body turned out to be, for platforms that do not name it in a header.
    topic: str | None = None


@dataclass
class PlatformOrder:
    """A platform order translated to OrderIn fields. Status fields left out keep their stored value."""

    data: dict[str, Any]
    raw_statuses: dict[str, str] = field(default_factory=dict)
    updated_at: datetime | None = None
    # External ids of shipments the platform cancelled since it sent them.
    removed_shipments: list[str] = field(default_factory=list)


# -- parsing helpers shared by the platform modules ----------------------------------------------

def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# One decoder for every delivery: json.loads(raw, parse_float=...) builds a new one each call, a
# third of the time it takes to read a Shopify order.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)


def parse_json(raw: bytes) -> Any:
    """Integers stay exact (ids above 2**53) and decimals stay Decimal, never float. Bytes in
    UTF-8, -16 or -32 as json.loads reads them."""
    try:
        return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except (ValueError, RecursionError) as exc:
        raise Rejected(f"malformed JSON: {exc}", 400) from None


def body_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def obj(payload: Any, key: str) -> dict[str, Any]:
    """payload[key] when it is a JSON object, else {}: platforms send null, "" or [] for "none"."""
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if isinstance(value, dict) else {}


def platform_id(value: Any) -> str | None:
    """An id as an exact string: 820982911946154508, "820982911946154508" or "gid://shopify/Order/8209"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    text = inputs.without_nul(str(value)).strip()
    match = re.search(r"(\d+)$", text) if text.startswith("gid://") else None
    text = match.group(1) if match else text
    return text[:64] or None


def clip(value: Any, limit: int) -> str | None:
    """Free text from a platform, made one line without NUL and trimmed to our column size, instead
    of refusing the order (the platform would retry, then switch the webhook off)."""
    if value is None:
        return None
    text = " ".join(inputs.without_nul(str(value)).split())
    return text[:limit] or None


def address(source: Any, address1: str, address2: str, province: str, postal_code: str,
            country: str) -> dict[str, Any] | None:
    """A platform address as AddressIn fields; the key names are the platform's."""
    if not isinstance(source, dict) or not source:
        return None
    name = source.get("name") or " ".join(filter(None, (source.get("first_name"), source.get("last_name"))))
    code = str(source.get(country) or "").strip().upper()
    return {
        "name": clip(name, 255),
        "address1": clip(source.get(address1), 255),
        "address2": clip(source.get(address2), 255),
        "city": clip(source.get("city"), 255),
        "province": clip(source.get(province), 255),
        "postal_code": clip(source.get(postal_code), 32),
        "country_code": code if len(code) == 2 else None,
    }


def customer_id(value: Any) -> str | None:
    """Platforms send 0 (or nothing) for a guest checkout."""
    key = platform_id(value)
    return key if key and key != "0" else None


def http_url(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if re.match(r"^https?://", text) and len(text) <= 1000 and not inputs.text_problem(text) else None


def email(*candidates: Any) -> str | None:
    for candidate in candidates:
        text = str(candidate or "").strip()
        if is_email(text) and len(text) <= 255:
            return text
    return None


def locale(value: Any) -> str | None:
    return normalise_locale(str(value)) if value else None


def timestamp(value: Any, *, ahead: bool = False) -> datetime | None:
    """ISO 8601 (Shopify, WooCommerce; naive means UTC), RFC 2822 (BigCommerce) or Unix seconds, in
    UTC. A time outside the accepted range (portal.timestamps; `ahead`: a version time, at most a
    day past now) is left out and logged: the rest of the delivery is still worth keeping."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{9,11}", text):
            parsed = datetime.fromtimestamp(int(text), timezone.utc)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    try:
        return timestamps.check(parsed, ahead=ahead).astimezone(timezone.utc)
    except ValueError as exc:
        log.warning("platform time %r left out: %s", text[:40], exc)
        return None


def amount(value: Any, currency: str, field_name: str) -> str:
    """A platform amount rounded to the currency's decimals; missing means zero. `field_name`: the
    payload's field, named when the amount is refused."""
    if value is None or value == "":
        return "0"
    try:
        rounded = money.round_amount(value, currency)
    except money.MoneyError as exc:
        raise Rejected(f"{field_name}: {exc}") from None
    return rounded.lstrip("-") if money.parse_amount(rounded) == 0 else rounded


def quantity(value: Any) -> int:
    try:
        return min(max(int(Decimal(str(value))), 0), 1_000_000)
    except (ArithmeticError, ValueError):
        return 0


def tags(value: Any, limit: int = 40) -> list[str]:
    """ "gift, vip ,  " -> ["gift", "vip"]; tags longer than we keep are cut, not refused."""
    parts = value if isinstance(value, list) else str(value or "").split(",")
    result: list[str] = []
    for part in parts:
        tag = " ".join(inputs.without_nul(str(part)).split())[:limit].strip()
        if tag and tag not in result:
            result.append(tag)
    return result[:250]


class StatusMapper:
    """Looks platform values up in their table; a value not in it is guessed, kept raw and logged."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.raw: dict[str, str] = {}

    def lookup(self, table: Mapping[Any, Any], value: Any) -> Any | None:
        for key in (value, str(value if value is not None else "").strip().lower(), status_key(value)):
            if key in table:
                return table[key]
        return None

    def unknown(self, field_name: str, value: Any, guess: str) -> str:
        self.raw[field_name] = inputs.one_line(str(value))[:100]
        log.warning("%s %s %r is not in our table: mapped to %r", self.platform, field_name, value, guess)
        return guess

    def map(self, field_name: str, table: Mapping[Any, str], value: Any, kind: str, default: str) -> str:
        found = self.lookup(table, value)
        if found is not None:
            return found
        return self.unknown(field_name, value, closest(kind, value) or default)


# -- applying ------------------------------------------------------------------------------------

def _invalid(exc: ValidationError | OrderInputError) -> Rejected:
    errors = error_list(exc) if isinstance(exc, ValidationError) else exc.errors
    return Rejected("; ".join(f"{e['field']}: {e['message']}" for e in errors)[:500])


class OrderChange:
    """A platform order to create or update: a delivery's Handler, in two steps.

    read() makes every read the change needs (the order it updates, that order's line items and
    parcels) and checks the payload against it; calling it then writes. receive_many() reads ahead
    for every delivery of a group before the group's first write, which takes SQLite's write lock
    until the commit: while one process writes, the others read and check what they will write
    next. Called without read(), it reads first itself. A payload older than the stored order
    changes nothing.
    """

    def __init__(self, merchant: Merchant, platform: str, mapped: PlatformOrder, topic: str | None = None) -> None:
        self.merchant, self.platform, self.mapped, self.topic = merchant, platform, mapped, topic
        self.number_key = number_key(str(mapped.data.get("number") or ""))
        self._read: tuple[Session, _OrderReads] | None = None

    def read(self, session: Session) -> None:
        self._read = (session, self._reads(session))

    def forget(self) -> None:
        self._read = None

    def keys(self) -> set[tuple[Any, ...]]:
        """What the change reads (after read()): a change that shares one with another that
        writes before it must read after that write."""
        reads = self._read[1] if self._read else None
        data, merchant_id = self.mapped.data, self.merchant.id
        keys = {("number", merchant_id, self.number_key)}
        if data.get("external_id"):
            keys.add(("external_id", merchant_id, self.platform, data["external_id"]))
        keys.update(("order", order.id) for order in (reads.found if reads else ()) if order is not None)
        return keys

    def __call__(self, session: Session) -> Outcome:
        read, self._read = self._read, None
        reads = read[1] if read is not None and read[0] is session else self._reads(session)
        reads = self._current(session, reads)
        outcome = reads.outcome or self._write(session, reads)
        outcome.topic = outcome.topic or self.topic
        return outcome

    def _current(self, session: Session, reads: _OrderReads) -> _OrderReads:
        """The reads, checked once nothing can change them any more (the write transaction begun,
        the order's row locked): an order another process changed since it was read (its version
        moved) is read again. A new order needs no check: another process that created it
        meanwhile makes this one's INSERT fail on the order number, and the delivery is retried."""
        if not any(reads.found) or reads.outcome is not None:  # nothing read, or an older version
            return reads
        begin_writing(session)
        return self._reads(session) if lock_orders(session, reads.found) else reads

    def _reads(self, session: Session) -> _OrderReads:
        data = dict(self.mapped.data)
        found = queries.upsert_targets(session, self.merchant.id, self.platform, data.get("external_id"),
                                       self.number_key)
        existing = found[0]
        if existing is not None:
            stored_at = existing.source_updated_at
            # A version time past what we accept now (stored before the rule) makes nothing look older.
            if (self.mapped.updated_at and stored_at and stored_at > self.mapped.updated_at
                    and timestamps.counts(stored_at, timestamps.ceiling())):
                return _OrderReads(found, outcome=Outcome(
                    "ignored", f"older than the version already stored ({stored_at.isoformat()})", existing.number))
            for name in (*STATUS_FIELDS, "cancel_reason"):
                data.setdefault(name, getattr(existing, name))
        try:
            checked = OrderIn.model_validate(data)
            # A new order is worked out here too: while reading ahead, before the group's first write.
            new = None if any(found) else plan_new_order(session, self.merchant, checked, self.platform,
                                                         self._columns(None))
        except (ValidationError, OrderInputError) as exc:
            return _OrderReads(found, rejected=_invalid(exc))
        return _OrderReads(found, checked, stored_order(session, found[0] or found[1]), new=new)

    def _columns(self, existing: Order | None) -> dict[str, Any]:
        """The platform's raw statuses and version time, written with the order."""
        return {"raw_statuses": self.mapped.raw_statuses,
                "source_updated_at": self.mapped.updated_at or (existing.source_updated_at if existing else None)}

    def _write(self, session: Session, reads: _OrderReads) -> Outcome:
        if reads.rejected is not None:
            raise reads.rejected
        existing = reads.found[0]
        try:
            result = upsert_order(session, self.merchant, reads.checked, source=self.platform, found=reads.found,
                                  stored=reads.stored, columns=self._columns(existing), new=reads.new)
        except (ValidationError, OrderInputError) as exc:
            raise _invalid(exc) from None
        order = result.order
        if self.mapped.removed_shipments:
            # Only parcels stored before can belong to a fulfilment the platform cancelled since.
            remove_shipments(session, order, self.mapped.removed_shipments,
                             reads.stored.shipments if reads.stored else [])
        return Outcome("stored", "order created" if result.created else "order updated", order.number)


@dataclass
class _OrderReads:
    found: tuple[Order | None, Order | None]
    checked: OrderIn | None = None
    stored: StoredOrder | None = None
    outcome: Outcome | None = None  # decided by the reads alone (an older version)
    rejected: Rejected | None = None
    new: NewOrder | None = None  # when nothing was found: the order to create, worked out


def find_order(session: Session, merchant: Merchant, platform: str, external_id: str | None) -> Order | None:
    """The order a fulfilment, refund or return delivery changes, read where no other worker can
    change it before this transaction commits (they work out what to write from it)."""
    if not external_id:
        return None
    begin_writing(session)
    order = queries.order_by_external_id(session, merchant.id, platform, external_id)
    lock_orders(session, [order])
    return order


def apply_shipments(session: Session, merchant: Merchant, order: Order, shipments: list[dict[str, Any]],
                    raw_statuses: dict[str, str]) -> Outcome:
    """Shipments for an order we already have (a fulfilment or shipment delivery)."""
    try:
        checked = [ShipmentIn.model_validate(shipment) for shipment in shipments]
    except ValidationError as exc:
        raise _invalid(exc) from None
    for shipment in checked:
        upsert_shipment(session, merchant, order, shipment)
    if raw_statuses:
        order.raw_statuses = {**order.raw_statuses, **raw_statuses}
        session.add(order)
    return Outcome("stored", f"{len(checked)} shipment(s) updated", order.number)


def not_received_yet(external_id: str | None) -> Outcome:
    # Acknowledged rather than refused: the order's own deliveries carry the same data, and a
    # platform that sees repeated failures disables the whole subscription.
    return Outcome("ignored", f"order {external_id} has not been received yet")


# -- the delivery transaction --------------------------------------------------------------------

Handler = Callable[[Session], Outcome]
# A platform's translation of a delivery into what it does to the database (made before the
# delivery waits for the writer; see prepare()).
Plan = Callable[[Merchant, str, Any], Handler]


def prepare(plan: Plan, merchant: Merchant, topic: str, payload: Any) -> Handler:
    """The delivery's Handler from its platform's plan. A plan that fails (a payload we refuse)
    fails when the handler runs instead, in the delivery's transaction: after its receipt is
    checked, as if it had failed there."""
    try:
        return plan(merchant, topic, payload)
    except Exception as exc:  # noqa: BLE001 (raised again, in receive())
        failure = exc

        def failed(_session: Session) -> Outcome:
            raise failure
        return failed


def answer(result: str, reason: str) -> Handler:
    """A Handler whose outcome does not depend on the database."""
    return lambda _session: Outcome(result, reason)


def receive(engine: Engine, merchant: Merchant, delivery: Delivery, handler: Handler) -> Outcome:
    """Apply a verified, parsed delivery exactly once; the outcome is committed when this returns."""
    for attempt in range(2):
        try:
            with session_scope(engine) as session:
                return _receive_in(session, merchant, delivery, handler)
        except Rejected as exc:
            outcome = Outcome("rejected", exc.reason, http_status=exc.status)
            break
        except IntegrityError:
            # A concurrent delivery (the same one, or another creating the same order) committed
            # first: run again, which now finds its receipt or its order.
            if attempt:
                raise
        except Exception as exc:
            # Nothing was stored; the platform retries on our 500. The merchant sees it in the log.
            log_outcome(engine, merchant, delivery, Outcome("rejected", f"internal error ({type(exc).__name__}), "
                                                                        "the platform will retry", http_status=500))
            raise
    log_outcome(engine, merchant, delivery, outcome)
    return outcome


def receive_many(engine: Engine, deliveries: list[tuple[Merchant, Delivery, Handler]]) -> list[Outcome]:
    """receive() for deliveries that arrived together, in one transaction: all of them are
    committed, or none (an error is raised, and each should then be received alone)."""
    with session_scope(engine) as session:
        receipts = _read_ahead(session, deliveries)
        return [_receive_in(session, *delivery, received=received) for delivery, received in zip(deliveries, receipts)]


_UNREAD: Any = object()


def _read_ahead(session: Session, deliveries: list[tuple[Merchant, Delivery, Handler]]) -> list[str | None]:
    """Each delivery's receipt and, for an OrderChange, its reads, before the group's first write
    (which holds SQLite's write lock to the commit). The first delivery that shares its delivery
    id or an order with one before it, or whose handler reads only as it writes, and every one
    after it, read at their turn instead, after the writes before them. Returns each delivery's
    receipt (its body hash, or None), or _UNREAD for those that read at their turn."""
    receipts: list[str | None] = []
    seen: set[tuple[Any, ...]] = set()
    for merchant, delivery, handler in deliveries:
        receipt = ("receipt", merchant.id, delivery.platform, delivery.delivery_id)
        if not isinstance(handler, OrderChange) or receipt in seen:
            break
        received = queries.receipt_body_hash(session, merchant.id, delivery.platform, delivery.delivery_id)
        if received is None:
            handler.read(session)
            keys = handler.keys()
            if keys & seen:
                handler.forget()  # it reads again at its turn
                break
            seen |= keys
        seen.add(receipt)
        receipts.append(received)
    return receipts + [_UNREAD] * (len(deliveries) - len(receipts))


def _receive_in(session: Session, merchant: Merchant, delivery: Delivery, handler: Handler,
                received: str | None = _UNREAD) -> Outcome:
    """`received`: the delivery's receipt (its body hash), if read already."""
    if received is _UNREAD:
        received = queries.receipt_body_hash(session, merchant.id, delivery.platform, delivery.delivery_id)
    if received is not None:
        same = received == delivery.body_hash
        outcome = Outcome("duplicate", "already received" if same else
                          "delivery id already received with a different body: not applied")
    else:
        outcome = handler(session)
        insert_rows(session, WebhookReceipt.__table__, [{
            "merchant_id": merchant.id, "platform": delivery.platform,
            "delivery_id": delivery.delivery_id, "body_hash": delivery.body_hash}])
    _log(session, merchant, delivery, outcome)
    return outcome


def log_outcome(engine: Engine, merchant: Merchant, delivery: Delivery, outcome: Outcome) -> None:
    with session_scope(engine) as session:
        _log(session, merchant, delivery, outcome)


def _log(session: Session, merchant: Merchant, delivery: Delivery, outcome: Outcome) -> None:
    entry_id = insert_row(session, WebhookDelivery.__table__, {
        "merchant_id": merchant.id, "platform": delivery.platform, "topic": (outcome.topic or delivery.topic)[:64],
        "delivery_id": delivery.delivery_id[:128], "result": outcome.result, "reason": outcome.reason[:500],
        "order_number": outcome.order_number, "http_status": outcome.http_status,
    })
    if entry_id and entry_id % 100 == 0:
        queries.prune_webhook_deliveries(session, merchant.id, DELIVERY_LOG_KEEP)
    if entry_id and entry_id % 1000 == 0:
        queries.prune_webhook_receipts(session, merchant.id, utcnow() - RECEIPT_RETENTION)
