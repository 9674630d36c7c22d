"""Embedding in storefronts: allowed origins, the framing policy, cookie-free form tokens, the snippet.

No HTTP here: routes/embed.py and the console call these.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from html import escape
from urllib.parse import urlsplit

from itsdangerous import BadData, URLSafeTimedSerializer

from portal.i18n import gettext

# A lookup form in an iframe cannot rely on the session cookie (browsers do not send SameSite=Lax
# cookies to third-party frames), so its CSRF token is signed and bound to the shop instead.
FORM_TOKEN_MAX_AGE = 2 * 3600
_FORM_SALT = "portal.embed-form"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAX_ORIGINS = 20


class OriginError(ValueError):
    """A storefront origin that cannot be allowed, with the reason (in the active locale)."""


def _valid_host(host: str) -> bool:
    if host.startswith("[") and host.endswith("]"):
        try:
            return ipaddress.ip_address(host[1:-1]).version == 6
        except ValueError:
            return False
    if len(host) > 253:
        return False
    return all(_HOST_LABEL.match(label) for label in host.split("."))


def parse_origin(value: str) -> str:
    """'HTTPS://Shop.Example:443/' -> 'https://shop.example'. Only scheme, host and port."""
    raw = value.strip()
    # A lone trailing slash is how browsers show an origin in the address bar; anything more is a path.
    candidate = raw[:-1] if raw.endswith("/") and raw.count("/") == 3 else raw
    if any(ch.isspace() or ch in ";,'\"*" for ch in candidate):
        raise OriginError(gettext("%(value)s is not an origin (no spaces, quotes, commas, semicolons or wildcards)")
                          % {"value": repr(raw)})
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        raise OriginError(gettext("%(value)s is not an origin (bad host or port)") % {"value": repr(raw)}) from None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not candidate.lower().startswith(parts.scheme.lower() + "://"):
        raise OriginError(gettext("%(value)s must start with https:// (or http:// for local testing)") % {
            "value": repr(raw)})
    if parts.path or parts.query or parts.fragment or "?" in candidate or "#" in candidate:
        raise OriginError(gettext("%(value)s has a path: give only scheme, host and port, like https://shop.example")
                          % {"value": repr(raw)})
    if parts.username is not None or parts.password is not None:
        raise OriginError(gettext("%(value)s must not contain a user name or password") % {"value": repr(raw)})
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    else:
        try:
            host = host.encode("idna").decode("ascii")  # a shop on an internationalised domain
        except UnicodeError:
            host = ""
    if not host or not _valid_host(host):
        raise OriginError(gettext("%(value)s does not name a valid host") % {"value": repr(raw)})
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def parse_origins(value: str) -> list[str]:
    """A comma- (or space-) separated list of origins, normalised and de-duplicated, in order."""
    origins: list[str] = []
    errors: list[str] = []
    for part in re.split(r"[,\s]+", value.strip()):
        if not part:
            continue
        try:
            origin = parse_origin(part)
        except OriginError as exc:
            errors.append(str(exc))
            continue
        if origin not in origins:
            origins.append(origin)
    if errors:
        raise OriginError("; ".join(errors))
    if len(origins) > _MAX_ORIGINS:
        raise OriginError(gettext("at most %(num)d origins") % {"num": _MAX_ORIGINS})
    return origins


def allowed_origins(stored: str) -> list[str]:
    """The merchant's stored list, re-checked: a value written around the setter is never trusted."""
    origins = []
    for part in (stored or "").split(","):
        try:
            origins.append(parse_origin(part))
        except OriginError:
            continue
    return origins


def frame_ancestors(stored: str) -> str | None:
    """The CSP frame-ancestors source list for a merchant; None when nobody may frame its pages."""
    origins = allowed_origins(stored)
    return " ".join(origins) or None


def origin_or_none(value: str | None) -> str | None:
    try:
        return parse_origin(value) if value else None
    except OriginError:
        return None


class FormTokens:
    """Short-lived signed tokens for the embedded lookup form, bound to one shop."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_FORM_SALT,
                                                  signer_kwargs={"digest_method": hashlib.sha256})

    def issue(self, shop: str) -> str:
        # The random part makes every token different, so one seen in a log is only good for its shop.
        return self._serializer.dumps([shop, secrets.token_urlsafe(6)])

    def valid(self, token: str, shop: str, max_age: int = FORM_TOKEN_MAX_AGE) -> bool:
        if not token or len(token) > 300:
            return False
        try:
            data = self._serializer.loads(token, max_age=max_age)
        except BadData:
            return False
        return isinstance(data, list) and len(data) == 2 and data[0] == shop


def snippet(script_url: str, shop: str, fallback_url: str, fallback_text: str) -> str:
    """What a merchant pastes into their storefront's "Track your order" page."""
    return (
        f'<script src="{escape(script_url)}" async></script>\n'
        f'<div data-order-tracking data-shop="{escape(shop)}">\n'
        f'  <noscript><a href="{escape(fallback_url)}">{escape(fallback_text)}</a></noscript>\n'
        f"</div>"
    )
