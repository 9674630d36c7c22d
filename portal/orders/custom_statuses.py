"""Merchants' own order statuses: validation, labels per language, tag mapping, applying to an order.

A custom status sits on top of the canonical statuses; it never replaces them. Its colour is
served from a generated stylesheet (`stylesheet()`), because the CSP forbids inline styles.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal import i18n
from portal.i18n import gettext
from portal.statuses import PROGRESS_STEPS
from portal.store import queries
from portal.store.models import CustomStatus, Merchant, Order, TimelineEntry, utcnow

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_LABEL = 80
MAX_TAG = 40

# CSS named colours (CSS Color Module Level 4), plus the two keywords that are colours too.
NAMED_COLOURS = frozenset("""
aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan
darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred
darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink
deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold
goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush
lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey
lightpink lightsalmon lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime
limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen
mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin
navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise
palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue
saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray slategrey snow
springgreen steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen
transparent currentcolor
""".split())
_HEX_RE = re.compile(r"^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$")
_NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:%|deg|turn|rad|grad)?"
# Functional notations with numeric arguments only: nothing that could end the declaration.
_FUNCTION_RE = re.compile(
    rf"^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(\s*(?:{_NUMBER}|none)"
    rf"(?:\s*[,\s]\s*(?:{_NUMBER}|none)){{2}}(?:\s*[,/]\s*(?:{_NUMBER}|none))?\s*\)$"
)


class CustomStatusError(ValueError):
    """Bad custom-status input; `errors` maps each form field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def css_colour(value: str) -> str | None:
    """The colour, normalised to lower case, if it is a valid CSS colour; else None."""
    value = " ".join((value or "").strip().lower().split())
    if value in NAMED_COLOURS or _HEX_RE.match(value) or _FUNCTION_RE.match(value):
        return value
    return None


@dataclass
class StatusInput:
    key: str
    labels: dict[str, str]
    color: str
    progress_step: int | None = None
    visible_to_shopper: bool = True
    send_email: bool = False
    tags: Sequence[str] = ()


def _tags(values: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for tag in values:
        tag = tag.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def validate(data: StatusInput, default_locale: str) -> dict[str, Any]:
    """Check every field at once; return the column values or raise CustomStatusError."""
    errors: dict[str, str] = {}
    key = data.key.strip().lower()
    if not KEY_RE.match(key):
        errors["key"] = gettext("Use 1-64 lower-case letters, digits, dashes or underscores, starting with a letter or digit.")
    labels: dict[str, str] = {}
    for locale, label in data.labels.items():
        code = i18n.normalise_locale(locale)
        label = " ".join((label or "").split())
        if code is None:
            errors[f"label_{locale}"] = gettext("%(code)s is not a known language code.") % {"code": repr(locale)}
        elif len(label) > MAX_LABEL:
            errors[f"label_{locale}"] = gettext("At most %(count)s characters.") % {"count": MAX_LABEL}
        elif label:
            labels[code] = label
    if default_locale not in labels:
        errors[f"label_{default_locale}"] = gettext("A label in the shop's default language is required.")
    color = css_colour(data.color)
    if color is None:
        errors["color"] = gettext("Use a CSS colour such as %(examples)s.") % {"examples": "#1f7a4d, rgb(31 122 77), teal"}
    if data.progress_step is not None and not 0 <= data.progress_step < len(PROGRESS_STEPS):
        errors["progress_step"] = gettext("Pick one of the progress bar's steps.")
    tags = _tags(data.tags)
    if any(len(tag) > MAX_TAG for tag in tags):
        errors["tags"] = gettext("Each tag has at most %(count)s characters.") % {"count": MAX_TAG}
    if errors:
        raise CustomStatusError(errors)
    return {
        "key": key, "labels": labels, "color": color, "progress_step": data.progress_step,
        "visible_to_shopper": data.visible_to_shopper, "send_email": data.send_email, "tags": tags,
    }


def save(session: Session, merchant: Merchant, data: StatusInput, status: CustomStatus | None = None) -> CustomStatus:
    """Create a status, or update `status`; keys and tags stay unique within the merchant."""
    values = validate(data, merchant.default_locale)
    others = [s for s in queries.custom_statuses(session, merchant.id) if status is None or s.id != status.id]
    errors: dict[str, str] = {}
    if any(s.key == values["key"] for s in others):
        errors["key"] = gettext("The shop already has a status %(key)s.") % {"key": repr(values["key"])}
    taken = {tag.lower(): s.key for s in others for tag in s.tags}
    clashes = [gettext("%(tag)s (already sets %(key)s)") % {"tag": repr(tag), "key": repr(taken[tag.lower()])}
               for tag in values["tags"] if tag.lower() in taken]
    if clashes:
        errors["tags"] = gettext("Each tag can set only one status: %(tags)s.") % {"tags": ", ".join(clashes)}
    if errors:
        raise CustomStatusError(errors)
    if status is None:
        status = CustomStatus(merchant_id=merchant.id, position=len(others))
    elif status.key != values["key"]:
        _rename_on_orders(session, merchant, status.key, values["key"])
    for name, value in values.items():
        setattr(status, name, value)
    status.updated_at = utcnow()
    session.add(status)
    queries.bump_merchant_version(session, merchant.id)  # labels and colours show on every order page
    session.flush()
    return status


def _rename_on_orders(session: Session, merchant: Merchant, old: str, new: str) -> None:
    for order in queries.orders_with_custom_status(session, merchant.id, old):
        order.custom_status = new
        session.add(order)


def delete(session: Session, merchant: Merchant, status: CustomStatus) -> None:
    """Remove a status; orders that carried it simply no longer show one."""
    for order in queries.orders_with_custom_status(session, merchant.id, status.key):
        order.custom_status = None
        session.add(order)
    session.delete(status)
    queries.bump_merchant_version(session, merchant.id)
    session.flush()


def label(status: CustomStatus | None, default_locale: str) -> str:
    """The label in the active locale: exact locale -> its language -> the shop's default -> any -> key."""
    if status is None:
        return ""
    locale = i18n.get_locale()
    labels = status.labels
    for candidate in (locale, locale.split("_")[0], default_locale, i18n.SOURCE_LOCALE):
        if labels.get(candidate):
            return labels[candidate]
    return next(iter(labels.values()), status.key)


# engine -> merchant id -> ((merchant version, created), statuses): read-only copies per process.
_shop_statuses: weakref.WeakKeyDictionary[Engine, dict[int, tuple[tuple[int | None, Any], tuple[CustomStatus, ...]]]] = (
    weakref.WeakKeyDictionary())


def of_shop(session: Session, merchant: Merchant) -> tuple[CustomStatus, ...]:
    """The shop's statuses for reading (order pages, webhooks mapping tags), kept per process.

    Every change of them bumps the shop's version (save, delete), so they are read again at the
    shop's next version: a change made in this process shows at once, one made in another within
    the shop cache's few seconds (web.MERCHANT_CACHE_SECONDS). They are read committed, with the
    version they belong to, in a session of their own: nothing uncommitted is kept, and nothing
    of the caller's session is touched. Change statuses through queries.custom_statuses, never these.
    """
    shops = _shop_statuses.setdefault(session.get_bind(), {})
    cached = shops.get(merchant.id)
    if cached is not None and cached[0] == (merchant.version, merchant.created_at):
        return cached[1]
    with Session(session.get_bind()) as own:
        version, read = queries.shop_statuses(own, merchant.id)
    statuses = tuple(read)
    shops[merchant.id] = ((version, merchant.created_at), statuses)
    return statuses


def from_tags(statuses: Sequence[CustomStatus], tags: Iterable[str]) -> CustomStatus | None:
    """The status the first mapped tag asks for (in the order's tag order), if any."""
    by_tag = {tag.lower(): status for status in statuses for tag in status.tags}
    for tag in tags:
        status = by_tag.get(tag.strip().lower())
        if status is not None:
            return status
    return None


def resolve(statuses: Sequence[CustomStatus], key: str | None) -> CustomStatus | None:
    """The status named `key`; raises CustomStatusError when the shop has no such status."""
    if not key:
        return None
    for status in statuses:
        if status.key == key.strip().lower():
            return status
    known = ", ".join(s.key for s in statuses) or gettext("none defined yet")
    raise CustomStatusError({"custom_status": gettext("unknown custom status %(key)s (this shop has: %(known)s)") % {
        "key": repr(key), "known": known}})


def apply(session: Session, merchant: Merchant, order: Order, status: CustomStatus | None) -> bool:
    """Set (or clear) the order's custom status; a change gets a timeline entry. Returns whether it changed."""
    new_key = status.key if status else None
    if order.custom_status == new_key:
        return False
    order.custom_status = new_key
    session.add(order)
    if status is not None:
        session.add(TimelineEntry(
            order_id=order.id, at=utcnow(), kind="custom_status",
            # The label kept here is only a fallback for a status deleted later.
            params={"key": status.key, "label": status.labels.get(merchant.default_locale, status.key)},
            visible_to_shopper=status.visible_to_shopper,
        ))
    return True


def stylesheet(statuses: Sequence[CustomStatus]) -> str:
    """One rule per status; keys and colours are validated, so nothing here can break out of a rule."""
    rules = [f".custom-status--{s.key} {{ --custom-status-color: {s.color}; }}" for s in statuses
             if KEY_RE.match(s.key) and css_colour(s.color)]
    return "\n".join(rules) + "\n"


def css_version(statuses: Sequence[CustomStatus]) -> str:
    """Part of the stylesheet's URL: it changes whenever a colour does, so browsers never keep a stale one."""
    return hashlib.sha256(stylesheet(statuses).encode()).hexdigest()[:12] if statuses else ""


def by_key(statuses: Sequence[CustomStatus]) -> Mapping[str, CustomStatus]:
    return {status.key: status for status in statuses}


def of_merchant(session: Session, merchant_id: int) -> list[CustomStatus]:
    """The shop's custom statuses as its session reads them (to change them: not of_shop's)."""
    return list(queries.custom_statuses(session, merchant_id))


def by_id(session: Session, merchant_id: int, status_id: int) -> CustomStatus | None:
    return queries.custom_status_by_id(session, merchant_id, status_id)
