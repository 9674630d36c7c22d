"""Guest lookup: order number + contact, or a tracking number.

Every failure looks the same to the caller: this module answers a match or None, never why.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import phonenumbers
from sqlmodel import Session

from portal.orders.upsert import email_key, number_key, phone_key, postal_key
from portal.orders.shipments import tracking_key
from portal.store import queries
from portal.store.models import Order, Shipment

@dataclass(frozen=True)
class LookupInput:
    order_number: str = ""
    contact: str = ""
    tracking_number: str = ""

    @property
    def wants_tracking(self) -> bool:
        return bool(self.tracking_number.strip()) and not self.order_number.strip()


def _same(a: str | None, b: str | None) -> bool:
    # Constant-time compare; a missing value is compared against a dummy so the work is the same.
    return hmac.compare_digest((a or "\x00missing").encode(), (b or "\x00absent").encode()) and bool(a)


def _international(raw: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(raw, None)  # only a number written with its "+" country code parses
    except phonenumbers.NumberParseException:
        return None


def _e164(raw: str, region: str) -> str | None:
    try:
        return phonenumbers.format_number(phonenumbers.parse(raw, region), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return None


def _phone_matches(stored: str | None, given: str) -> bool:
    """The whole number, the country code optional on either side: "+47 912 34 567", "0047 91234567"
    and "912 34 567" are one phone, and no shorter part of it matches."""
    if not stored or not phone_key(stored) or not phone_key(given):
        _same(None, None)
        return False
    known = _international(stored) or _international(given)
    if known is None:  # neither side names its country: the digits must be the same
        return _same(phone_key(stored), phone_key(given))
    region = phonenumbers.region_code_for_country_code(known.country_code)
    return _same(_e164(stored, region), _e164(given, region))


def contact_matches(order: Order | None, contact: str) -> bool:
    """Whether `contact` is the order's e-mail, phone or postal code (each compared every time)."""
    email = _same(order.email_key if order else None, email_key(contact))
    phone = _phone_matches(order.phone if order else None, contact)
    postal = _same(order.postal_key if order else None, postal_key(contact))
    return email or phone or postal


def find_order(session: Session, merchant_id: int, order_number: str, contact: str) -> Order | None:
    key = number_key(order_number)
    order = queries.order_by_number_key(session, merchant_id, key) if key and len(key) <= 64 else None
    matched = contact_matches(order, contact or "")
    return order if order is not None and matched else None


def find_shipment(session: Session, merchant_id: int, tracking_number: str) -> Shipment | None:
    key = tracking_key(tracking_number)
    if not key or len(key) > 64:
        return None
    found = queries.shipments_by_tracking_key(session, merchant_id, key)
    return found[0] if found else None
