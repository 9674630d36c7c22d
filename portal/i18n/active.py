"""The active locale, the merchant's overrides and the shop's time zone for the current request.

They live in ContextVars, set once per request by `portal.pages.activate`; the gettext callables
and the formatters read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from portal.i18n.locales import SOURCE_LOCALE

_locale: ContextVar[str] = ContextVar("portal_locale", default=SOURCE_LOCALE)
_overrides: ContextVar[Mapping[str, Any]] = ContextVar("portal_overrides", default={})
_timezone: ContextVar[str] = ContextVar("portal_timezone", default="UTC")

# A merchant's overrides: msgid (or "context\x04msgid") -> text, or one text per plural form.
Overrides = Mapping[str, "str | tuple[str, ...]"]


def activate(locale: str, overrides: Overrides | None = None, tz: str | None = None) -> None:
    _locale.set(locale)
    _overrides.set(overrides or {})
    if tz:
        _timezone.set(tz)


def get_locale() -> str:
    return _locale.get()


def get_overrides() -> Mapping[str, Any]:
    return _overrides.get()


def get_timezone() -> str:
    return _timezone.get()
