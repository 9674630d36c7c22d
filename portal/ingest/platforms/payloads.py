"""Reading platform payloads: JSON with exact decimals, and field helpers that clip, normalise or
refuse a value by field name, shared by the Shopify, BigCommerce and WooCommerce translators."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

from portal import inputs, money, timestamps
from portal import tags as tag_rules
from portal.i18n import normalise_locale
from portal.i18n.labels import N_
from portal.i18n.messages import Message
from portal.ingest.platform_orders import Rejected, field_problem
from portal.schemas import is_email
from portal.statuses import closest, status_key

log = logging.getLogger(__name__)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# One decoder for every delivery: json.loads(raw, parse_float=...) builds a new one on each call.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)


def parse_json(raw: bytes) -> Any:
    """Integers stay exact (ids above 2**53) and decimals stay Decimal, never float. Bytes in
    UTF-8, -16 or -32 as json.loads reads them."""
    try:
        return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except (ValueError, RecursionError) as exc:
        raise Rejected(Message(N_("malformed JSON: %(error)s"), {"error": str(exc)}), 400) from None


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


def timestamp(value: Any, field_name: str, *, ahead: bool = False) -> datetime | None:
    """ISO 8601 (Shopify, WooCommerce; naive means UTC), RFC 2822 (BigCommerce) or Unix seconds, in
    UTC; None when absent. A time outside the accepted range (portal.timestamps; `ahead`: a version
    time, at most a day past now) is left out and logged: the rest of the delivery is still worth
    keeping. A value that is no time at all refuses the delivery, naming `field_name`: standing in
    "now" for it would put a wrong date in front of the shopper."""
    if value is None or value == "":
        return None
    text = inputs.one_line(str(value)).strip()
    try:
        if re.fullmatch(r"\d{9,11}", text):
            parsed = datetime.fromtimestamp(int(text), timezone.utc)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise Rejected(Message(N_("%(field)s: %(value)s is not a date and time"),
                                   {"field": field_name, "value": repr(text[:40])})) from None
    try:
        return timestamps.check(parsed, ahead=ahead).astimezone(timezone.utc)
    except ValueError as exc:
        log.warning("platform time %r left out: %s", text[:40], exc)
        return None


def first_time(payload: dict[str, Any], *names: str, ahead: bool = False) -> datetime | None:
    """The first of the payload's times `names` that is there and in range. Each is read, so one
    that is no time refuses the delivery even when an earlier one would do."""
    times = [timestamp(payload.get(name), name, ahead=ahead) for name in names]
    return next((moment for moment in times if moment is not None), None)


def absent(payload: dict[str, Any], key: str) -> bool:
    """The payload does not say `key`: no such key, null or "" (an amount then is "not given")."""
    return payload.get(key) in (None, "")


def amount(value: Any, currency: str, field_name: str) -> str:
    """A platform amount rounded to the currency's decimals; missing means zero. `field_name`: the
    payload's field, named when the amount is refused."""
    if value is None or value == "":
        return "0"
    try:
        rounded = money.round_amount(value, currency)
    except money.MoneyError as exc:
        raise Rejected(field_problem(field_name, exc)) from None
    return rounded.lstrip("-") if money.parse_amount(rounded) == 0 else rounded


def quantity(value: Any) -> int:
    try:
        return min(max(int(Decimal(str(value))), 0), 1_000_000)
    except (ArithmeticError, ValueError):
        return 0


def _tag_parts(value: Any) -> list[str]:
    parts = value if isinstance(value, list) else str(value or "").split(",")
    return [" ".join(inputs.without_nul(str(part)).split()) for part in parts]


def tags(value: Any) -> list[str]:
    """ "gift, vip ,  " -> ["gift", "vip"]; tags longer than we keep are cut, not refused (the
    platform's order is kept; long_tags() names them for the staff timeline)."""
    return tag_rules.cut(_tag_parts(value))


def long_tags(value: Any) -> list[str]:
    """The platform's tags that tags() cuts, as they came."""
    return tag_rules.too_long(_tag_parts(value))


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
