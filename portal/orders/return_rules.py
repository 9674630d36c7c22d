"""The rules of return requests, without I/O: the shop's settings, its reasons, the steps a request
may take, and what the order's own return status becomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import i18n
from portal.i18n import gettext
from portal.i18n.labels import N_
from portal.store.models import Merchant

SWITCH_KEY = "returns"
WINDOW_KEY = "return_window_days"
REASONS_KEY = "return_reasons"
DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 3650
MAX_COMMENT = 1000
MAX_REASON = 200
MAX_OWN_REASONS = 20


# The reasons every shop starts with: catalog strings, so each language has them, and a shop
# rewords one through its translation overrides like any other text.
DEFAULT_REASONS: dict[str, str] = {
    "damaged": N_("Arrived damaged or faulty"),
    "wrong_item": N_("Wrong item sent"),
    "not_as_described": N_("Not as described"),
    "fit": N_("Wrong size or fit"),
    "unwanted": N_("No longer wanted"),
    "other": N_("Another reason"),
}

STATUSES: tuple[str, ...] = ("requested", "approved", "declined", "received", "refunded")
# Requests that hold their quantities: a declined one gives them back.
HOLDING = frozenset({"requested", "approved", "received", "refunded"})
# action -> (the statuses it may start from, the status it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({"requested"}), "approved"),
    "decline": (frozenset({"requested", "approved"}), "declined"),
    "receive": (frozenset({"approved"}), "received"),
    "refund": (frozenset({"received"}), "refunded"),
}


def enabled(merchant: Merchant) -> bool:
    return (merchant.settings or {}).get(SWITCH_KEY) == "on"


def window_days(merchant: Merchant) -> int:
    return int((merchant.settings or {}).get(WINDOW_KEY) or DEFAULT_WINDOW_DAYS)


@dataclass(frozen=True)
class Reason:
    key: str
    # {locale: text} for the shop's own reasons; empty for a default one.
    labels: dict[str, str]

    @property
    def own(self) -> bool:
        return self.key not in DEFAULT_REASONS

    def label(self, default_locale: str) -> str:
        """The reason's words in the active locale."""
        if not self.own:
            return gettext(DEFAULT_REASONS[self.key])
        return i18n.localized(self.labels, default_locale) or self.key


def reasons(merchant: Merchant) -> list[Reason]:
    """The reasons the shop offers, in its order (every default one until the shop chooses)."""
    stored = (merchant.settings or {}).get(REASONS_KEY)
    if not isinstance(stored, list):
        return [Reason(key, {}) for key in DEFAULT_REASONS]
    found = []
    for entry in stored:
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            labels = entry.get("labels") if isinstance(entry.get("labels"), dict) else {}
            if entry["key"] in DEFAULT_REASONS or labels:
                found.append(Reason(entry["key"], dict(labels)))
    return found


def stored_reasons(offered: list[Reason]) -> list[dict[str, Any]]:
    """Reasons as the merchant's settings keep them."""
    return [{"key": r.key, **({"labels": r.labels} if r.own else {})} for r in offered]


def next_own_key(offered: list[Reason]) -> str:
    numbers = [int(r.key.removeprefix("own-")) for r in offered
               if r.key.startswith("own-") and r.key.removeprefix("own-").isdigit()]
    return f"own-{max(numbers, default=0) + 1}"


def step(status: str, action: str) -> str | None:
    """The status `action` leads to from `status`, or None when it cannot be taken from there."""
    allowed, target = ACTIONS[action]
    return target if status in allowed else None


def order_return_status(statuses: list[str], current: str) -> str:
    """The order's canonical return status from its requests' statuses: a request in flight wins
    over settled ones (an approved one first), then a received one, then a declined one."""
    if "approved" in statuses:
        return "in_progress"
    if "requested" in statuses:
        return "requested"
    if "received" in statuses or "refunded" in statuses:
        return "returned"
    if "declined" in statuses:
        return "declined"
    return current
