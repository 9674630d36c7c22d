"""Merchant administration: create, change settings (`key=value`), users and API keys."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from zoneinfo import available_timezones

from sqlmodel import Session

from portal import exchange, inputs, storefront
from portal.embed import OriginError, parse_origins
from portal.i18n import gettext, normalise_locale
from portal.analytics.delays import STALE_DAYS_RANGE
from portal.live.panels import MAX_POLL_SECONDS, MIN_POLL_SECONDS
from portal.orders.return_rules import MAX_WINDOW_DAYS
from portal.schemas import is_email
from portal.security import hash_api_key, hash_password, new_api_key
from portal.store import logins, queries
from portal.store.models import ApiKey, Merchant, MerchantUser
from portal.theming.themes import ThemeRegistry

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# A merchant's own host for the portal (served besides PORTAL_BASE_URL's, portal/hosts.py).
HOST_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
# Paths under these names belong to the portal itself, not to a shop.
RESERVED_SLUGS = frozenset({"admin", "api", "static", "healthz", "embed", "webhooks", "theme-assets", "media"})


class MerchantError(ValueError):
    """A merchant setting that cannot be applied, with the reason. Reasons are in the active locale:
    the console's language in the console, English in the CLI (which activates none).
    `errors` maps each refused setting to its reason (apply_settings)."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


def _slug(value: str) -> str:
    if not SLUG_RE.fullmatch(value) or value in RESERVED_SLUGS:
        raise MerchantError(f"slug {value!r}: use lower-case letters, digits and dashes (not a reserved name)")
    return value


def _locale(value: str) -> str:
    code = normalise_locale(value)
    if code is None:
        raise MerchantError(gettext("locale %(value)s is not a known locale code") % {"value": repr(value)})
    return code


def _locales(value: str) -> str:
    return ",".join(_locale(part.strip()) for part in value.split(",") if part.strip())


def _currency(value: str) -> str:
    try:
        return exchange.currency_code(value)
    except exchange.RateError as exc:
        raise MerchantError(str(exc)) from None


def _timezone(value: str) -> str:
    if value not in available_timezones():
        raise MerchantError(gettext("timezone %(value)s is not an IANA time zone such as Europe/Oslo") % {
            "value": repr(value)})
    return value


def _email(value: str) -> str | None:
    # The same rule as an order's e-mail: it goes into the Reply-To of every e-mail to shoppers.
    if value and not is_email(value):
        raise MerchantError(gettext("%(value)s is not an e-mail address") % {"value": repr(value)})
    return value or None


def _text(limit: int):
    def check(value: str) -> str | None:
        if len(value) > limit:
            raise MerchantError(gettext("at most %(num)d characters") % {"num": limit})
        return value or None
    return check


def _url(value: str) -> str | None:
    if value and not re.match(r"^https?://", value):
        raise MerchantError(gettext("%(value)s must start with https:// or http://") % {"value": repr(value)})
    return value or None


def _host(value: str) -> str | None:
    host = value.lower()
    if host and (len(host) > 253 or not HOST_RE.match(host)):
        raise MerchantError(gettext("%(value)s: a host name such as track.example.com (no scheme, port, path or *)")
                            % {"value": repr(value)})
    return host or None


MAX_ORIGINS_LENGTH = 2000


def _origins(value: str) -> str:
    try:
        joined = ",".join(parse_origins(value))
    except OriginError as exc:
        raise MerchantError(str(exc)) from None
    if len(joined) > MAX_ORIGINS_LENGTH:
        raise MerchantError(gettext("the list is longer than %(num)d characters") % {"num": MAX_ORIGINS_LENGTH})
    return joined


def _approx_currencies(value: str) -> list[str]:
    try:
        return exchange.parse_currencies(value)
    except exchange.RateError as exc:
        raise MerchantError(str(exc)) from None


def _approx_rates(value: str) -> dict[str, Any] | None:
    try:
        return exchange.parse_rates(value, datetime.now(timezone.utc).date())
    except exchange.RateError as exc:
        raise MerchantError(str(exc)) from None


def _whole(low: int, high: int, days: bool = False):
    def check(value: str) -> int | None:
        if not value:
            return None  # back to the default
        if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
            if days:
                message = gettext("%(value)s: a whole number of days from %(low)d to %(high)d")
            else:
                message = gettext("%(value)s: a whole number of seconds from %(low)d to %(high)d")
            raise MerchantError(message % {"value": repr(value), "low": low, "high": high})
        return int(value)
    return check


MAX_DAYS = 60


def _days() -> Any:
    """`1-2` (a range of working days), `3` (exactly), or empty (no estimate): stored as [low, high]."""
    def check(value: str) -> list[int] | None:
        if not value:
            return None
        match = re.fullmatch(r"(\d{1,3})(?:\s*-\s*(\d{1,3}))?", value)
        low, high = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (-1, -1)
        if not 0 <= low <= high <= MAX_DAYS:
            raise MerchantError(gettext("%(value)s: working days as N or LOW-HIGH (e.g. 1-2), from 0 to %(max)d") % {
                "value": repr(value), "max": MAX_DAYS})
        return [low, high]
    return check


def _switch(value: str) -> bool | None:
    word = value.lower()
    if word in {"on", "true", "yes", "1"}:
        return True
    if word in {"off", "false", "no", "0", ""}:
        return None  # off is the default
    raise MerchantError(on_or_off(value))


def on_or_off(value: str) -> str:
    """The reason a switch's value is refused."""
    return gettext("%(value)s: on or off") % {"value": repr(value)}


def _storefront(check):
    def checked(value: str) -> Any:
        try:
            return check(value)
        except storefront.StorefrontError as exc:
            raise MerchantError(str(exc)) from None
    return checked


def _on_off(value: str) -> str:
    if value.lower() not in ("on", "off"):
        raise MerchantError(on_or_off(value))
    return value.lower()


# Settings `portal merchant set SLUG key=value` understands; features add theirs here.
SETTERS: dict[str, Any] = {
    "name": lambda v: _required(_text(200)(v)),
    "currency": _currency,
    "locale": _locale,
    "default_locale": _locale,
    "locales": _locales,
    "timezone": _timezone,
    "support_email": _email,
    "support_phone": _text(64),
    "support_url": _url,
    "host": _host,
    "embed_origins": _origins,
    "shopify_webhook_secret": _text(255),
    "shopify_previous_webhook_secret": _text(255),
    "woocommerce_webhook_secret": _text(255),
    "bigcommerce_webhook_secret": _text(255),
    "approx_currencies": _approx_currencies,
    "approx_rates": _approx_rates,
    "poll_interval": _whole(MIN_POLL_SECONDS, MAX_POLL_SECONDS),
    # The shop's usual times, for an arrival estimate before a carrier gives one (orders/headline.py).
    "processing_days": _days(),
    "transit_days": _days(),
    "stale_after_days": _whole(*STALE_DAYS_RANGE, days=True),
    "delay_digest": _switch,
    "storefront_url": _storefront(storefront.storefront_url),
    "storefront_platform": _storefront(storefront.platform),
    "buy_again": _storefront(storefront.on_off),
    "returns": _on_off,
    "return_window_days": _whole(1, MAX_WINDOW_DAYS, days=True),
}
# Settings kept in the merchant's JSON `settings` rather than a column of their own.
IN_SETTINGS_JSON = {"approx_currencies", "approx_rates", "poll_interval", "processing_days", "transit_days",
                    "stale_after_days", "delay_digest", "storefront_url", "storefront_platform", "buy_again",
                    "returns", "return_window_days"}
# Settings that may span lines (a list, one entry a line); every other one is a single line.
MULTILINE_SETTINGS = {"embed_origins"}
# Setting names that are stored under another column name.
COLUMN_OF = {"locale": "default_locale", "locales": "enabled_locales"}


def text_problem(problem: str) -> str:
    """An inputs.text_problem() reason in the active locale."""
    if problem == inputs.NUL_PROBLEM:
        return gettext("must not contain a NUL character")
    return gettext("must be a single line (no line breaks)")


def _required(value: str | None) -> str:
    if not value:
        raise MerchantError(gettext("must not be empty"))
    return value


def create_merchant(session: Session, slug: str, name: str, currency: str = "USD", locale: str = "en",
                    timezone: str = "UTC", **extra: str) -> Merchant:
    slug = _slug(slug)
    problem = inputs.text_problem(name)
    if problem:
        raise MerchantError(f"name: {problem}")
    if queries.merchant_by_slug(session, slug):
        raise MerchantError(f"a merchant with slug {slug!r} already exists")
    merchant = Merchant(slug=slug, name=name, currency=_currency(currency), default_locale=_locale(locale),
                        timezone=_timezone(timezone))
    session.add(merchant)
    session.flush()
    if extra:
        apply_settings(session, merchant, extra)
    return merchant


THEME_KEY = "theme"
THEME_PREFIX = "theme."


def apply_settings(session: Session, merchant: Merchant, values: dict[str, str],
                   themes: ThemeRegistry | None = None) -> None:
    """Validate every value first; apply none of them if any is bad.

    `theme=NAME` and `theme.<setting>=VALUE` go through the theme's schema (portal.theming).
    """
    theme_changes = {k.removeprefix(THEME_PREFIX): v for k, v in values.items() if k.startswith(THEME_PREFIX)}
    theme_name = values[THEME_KEY].strip() if THEME_KEY in values else None
    checked: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in values.items():
        if key == THEME_KEY or key.startswith(THEME_PREFIX):
            continue
        setter = SETTERS.get(key)
        if setter is None:
            known = ", ".join(sorted([*SETTERS, THEME_KEY, THEME_PREFIX + "<setting>"]))
            errors[key] = gettext("unknown setting (known: %(known)s)") % {"known": known}
            continue
        problem = inputs.text_problem(value, single_line=key not in MULTILINE_SETTINGS)
        if problem:
            errors[key] = text_problem(problem)
            continue
        try:
            checked[COLUMN_OF.get(key, key)] = setter(value.strip())
        except MerchantError as exc:
            errors[key] = str(exc)
    if errors:
        raise MerchantError("; ".join(f"{key}: {reason}" for key, reason in errors.items()), errors)
    if theme_name is not None or theme_changes:
        from portal.settings import Settings
        from portal.theming.service import apply_from_cli

        registry = themes or ThemeRegistry(Settings().themes_dir)
        errors = apply_from_cli(session, registry, merchant, theme_name, theme_changes)
        if errors:
            raise MerchantError("; ".join(errors))
    json_settings = dict(merchant.settings or {})
    for column, value in checked.items():
        if column in IN_SETTINGS_JSON and value is None:
            json_settings.pop(column, None)  # back to the default
        elif column in IN_SETTINGS_JSON:
            json_settings[column] = value
        else:
            setattr(merchant, column, "" if value is None and column == "enabled_locales" else value)
    merchant.settings = json_settings  # a new dict: the JSON column notices assignment only
    merchant.version += 1
    session.add(merchant)
    session.flush()


def create_user(session: Session, merchant: Merchant, email: str, password: str) -> MerchantUser:
    email = email.strip().lower()
    if "@" not in email or inputs.text_problem(email):
        raise MerchantError(gettext("%(value)s is not an e-mail address") % {"value": repr(email)})
    _check_password(password)
    if queries.user_by_email(session, merchant.id, email):
        raise MerchantError(f"{email} already has a login for {merchant.slug}")
    user = MerchantUser(merchant_id=merchant.id, email=email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, merchant: Merchant, email: str, password: str) -> None:
    """A new password for a console login; every session of that login ends."""
    email = email.strip().lower()
    user = queries.user_by_email(session, merchant.id, email)
    if user is None:
        raise MerchantError(f"{email} has no login for {merchant.slug}")
    _check_password(password)
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    logins.bump_session_version(session, user.id)


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise MerchantError("the password must be at least 10 characters long")


def create_api_key(session: Session, merchant: Merchant, name: str = "") -> str:
    key, prefix, key_hash = new_api_key()
    session.add(ApiKey(merchant_id=merchant.id, name=name, prefix=prefix, key_hash=key_hash))
    session.flush()
    return key


def by_id(session: Session, merchant_id: int) -> Merchant | None:
    return queries.merchant_by_id(session, merchant_id)


def by_api_key(session: Session, key: str) -> Merchant | None:
    """The shop an API key belongs to, while the key is not revoked."""
    owner = api_key_owner(session, key)
    return owner[0] if owner else None


def api_key_owner(session: Session, key: str) -> tuple[Merchant, str] | None:
    """(the shop, the key's name) of an API key that is not revoked."""
    api_key = queries.api_key_by_hash(session, hash_api_key(key))
    merchant = queries.merchant_by_id(session, api_key.merchant_id) if api_key else None
    return (merchant, api_key.name) if merchant and api_key else None
