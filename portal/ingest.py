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
from datetime import datetime, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from portal import inputs, money, timestamps
from portal.i18n import normalise_locale
from portal.orders import (
    STATUS_FIELDS,
    OrderInputError,
    lock_orders,
    locked_targets,
    number_key,
    stored_order,
    upsert_order,
)
from portal.shipments import remove_shipments, upsert_shipment
from portal.schemas import OrderIn, ShipmentIn, error_list, is_email
from portal.statuses import closest, status_key
from portal.store import queries
from portal.store.models import Merchant, Order

log = logging.getLogger("portal.ingest")

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


def array(payload: Any, key: str) -> list[Any]:
    """payload[key] when it is a JSON array, else []: a list field sent as null, a number or text."""
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if isinstance(value, list) else []


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
    name = source.get("name") or " ".join(str(part) for part in (source.get("first_name"), source.get("last_name"))
                                          if part)
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
        if isinstance(value, (list, dict)):  # a status sent as an array or object names none of ours
            return None
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
    """A platform order to create or update: a delivery's Handler. A payload older than the
    stored order changes nothing."""

    def __init__(self, merchant: Merchant, platform: str, mapped: PlatformOrder, topic: str | None = None) -> None:
        self.merchant, self.platform, self.mapped, self.topic = merchant, platform, mapped, topic
        self.number_key = number_key(str(mapped.data.get("number") or ""))

    def __call__(self, session: Session) -> Outcome:
        outcome = self._apply(session)
        outcome.topic = outcome.topic or self.topic
        return outcome

    def _apply(self, session: Session) -> Outcome:
        data = dict(self.mapped.data)
        # Locked to the commit once read: another worker that created the order meanwhile makes
        # this one's INSERT fail on the order number, and the delivery is received again.
        found = locked_targets(session, self.merchant.id, self.platform, data.get("external_id"), self.number_key)
        existing = found[0]
        if existing is not None:
            stored_at = existing.source_updated_at
            # A version time past what we accept now (stored before the rule) makes nothing look older.
            if (self.mapped.updated_at and stored_at and stored_at > self.mapped.updated_at
                    and timestamps.counts(stored_at, timestamps.ceiling())):
                return Outcome("ignored", f"older than the version already stored ({stored_at.isoformat()})",
                               existing.number)
            for name in (*STATUS_FIELDS, "cancel_reason"):
                data.setdefault(name, getattr(existing, name))
        try:
            checked = OrderIn.model_validate(data)
        except ValidationError as exc:
            raise _invalid(exc) from None
        stored = stored_order(session, found[0] or found[1])
        columns = {"raw_statuses": self.mapped.raw_statuses,
                   "source_updated_at": self.mapped.updated_at or (existing.source_updated_at if existing else None)}
        try:
            result = upsert_order(session, self.merchant, checked, source=self.platform, found=found,
                                  stored=stored, columns=columns)
        except (ValidationError, OrderInputError) as exc:
            raise _invalid(exc) from None
        order = result.order
        if self.mapped.removed_shipments:
            # Only parcels stored before can belong to a fulfilment the platform cancelled since.
            remove_shipments(session, order, self.mapped.removed_shipments, stored.shipments if stored else [])
        return Outcome("stored", "order created" if result.created else "order updated", order.number)


def find_order(session: Session, merchant: Merchant, platform: str, external_id: str | None) -> Order | None:
    """The order a fulfilment, refund or return delivery changes, read where no other worker can
    change it before this transaction commits (they work out what to write from it)."""
    if not external_id:
        return None
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
