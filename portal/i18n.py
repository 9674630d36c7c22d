"""Locale chain, catalogs, merchant overrides, and Babel formatting for the active locale.

The active locale and the merchant's overrides live in ContextVars; the gettext callables
installed once on every Jinja environment read them, so templates just write `{{ _("…") }}`.
Lookup order for a string: merchant override -> catalog -> source text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_timedelta
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from portal.money import format_money

SOURCE_LOCALE = "en"

_locale: ContextVar[str] = ContextVar("portal_locale", default=SOURCE_LOCALE)
_overrides: ContextVar[Mapping[str, str]] = ContextVar("portal_overrides", default={})
_timezone: ContextVar[str] = ContextVar("portal_timezone", default="UTC")


# -- catalogs -----------------------------------------------------------------------------

class Catalogs:
    """The shipped catalogs under `locales/`, loaded once per process."""

    def __init__(self, locales_dir: Path) -> None:
        self.locales_dir = Path(locales_dir)
        self._translations: dict[str, NullTranslations] = {}

    @lru_cache(maxsize=1)
    def available(self) -> tuple[str, ...]:
        found = {SOURCE_LOCALE}
        if self.locales_dir.is_dir():
            for entry in self.locales_dir.iterdir():
                if (entry / "LC_MESSAGES" / "messages.po").exists() and normalise_locale(entry.name):
                    found.add(entry.name)
        return tuple(sorted(found))

    def translations(self, locale: str) -> NullTranslations:
        cached = self._translations.get(locale)
        if cached is None:
            cached = self._translations[locale] = self._load(locale)
        return cached

    def _load(self, locale: str) -> NullTranslations:
        folder = self.locales_dir / locale / "LC_MESSAGES"
        mo = folder / "messages.mo"
        po = folder / "messages.po"
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as handle:
                return Translations(handle)
        if po.exists():
            # No compiled catalog (a fresh checkout before `make i18n`): read the source directly.
            return _translations_from_po(po, locale)
        return NullTranslations()


def _translations_from_po(path: Path, locale: str) -> Translations:
    import io

    from babel.messages.mofile import write_mo

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


_catalogs: Catalogs | None = None


def configure(locales_dir: Path) -> Catalogs:
    global _catalogs
    _catalogs = Catalogs(locales_dir)
    return _catalogs


def catalogs() -> Catalogs:
    if _catalogs is None:
        raise RuntimeError("portal.i18n.configure() has not been called")
    return _catalogs


# -- the active locale ---------------------------------------------------------------------

def get_locale() -> str:
    return _locale.get()


def activate(locale: str, overrides: Mapping[str, str] | None = None, tz: str | None = None) -> None:
    _locale.set(locale)
    _overrides.set(overrides or {})
    if tz:
        _timezone.set(tz)


def gettext(message: str) -> str:
    override = _overrides.get().get(message)
    if override:
        return override
    locale = _locale.get()
    if locale == SOURCE_LOCALE or _catalogs is None:
        return message
    return _catalogs.translations(locale).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    override = _overrides.get().get(singular if n == 1 else plural)
    if override:
        return override
    locale = _locale.get()
    if _catalogs is None:
        return singular if n == 1 else plural
    return _catalogs.translations(locale).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    override = _overrides.get().get(message)
    if override:
        return override
    if _catalogs is None:
        return message
    return _catalogs.translations(_locale.get()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    if _catalogs is None:
        return singular if n == 1 else plural
    return _catalogs.translations(_locale.get()).npgettext(context, singular, plural, n)


# -- resolution ----------------------------------------------------------------------------

@lru_cache(maxsize=256)
def normalise_locale(value: str | None) -> str | None:
    """'pt-br' -> 'pt_BR', 'NB' -> 'nb'; None when Babel does not know it."""
    if not value:
        return None
    value = value.strip().replace("-", "_")
    if not value or len(value) > 16:
        return None
    try:
        parsed = Locale.parse(value)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return str(parsed)


# Browsers send a macrolanguage where we ship one written standard of it.
LANGUAGE_ALIASES = {"no": "nb"}


@lru_cache(maxsize=512)
def _language_and_script(code: str) -> tuple[str, str | None]:
    parsed = Locale.parse(code)
    return LANGUAGE_ALIASES.get(parsed.language, parsed.language), parsed.script


def negotiate(candidates: Iterable[str | None], enabled: Iterable[str]) -> str | None:
    """The first candidate the merchant enables, matching a region to its language when needed.

    A script must agree when both name one: `zh-TW` (Traditional) never lands on `zh_Hans`.
    """
    enabled = list(enabled)
    for raw in candidates:
        code = normalise_locale(raw)
        if code is None:
            continue
        if code in enabled:
            return code
        language, script = _language_and_script(code)
        for option in enabled:
            option_language, option_script = _language_and_script(option)
            if option_language == language and (script is None or option_script in (None, script)):
                return option
    return None


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags from an Accept-Language header, best first. Never raises."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def text_direction(locale: str) -> str:
    try:
        return "rtl" if Locale.parse(locale).text_direction == "rtl" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def html_lang(locale: str) -> str:
    return locale.replace("_", "-")


@lru_cache(maxsize=256)
def locale_display_name(locale: str) -> str:
    try:
        name = Locale.parse(locale).get_display_name(locale) or locale
    except (UnknownLocaleError, ValueError):
        return locale
    return name[:1].upper() + name[1:]


# -- formatting for the active locale ------------------------------------------------------

def _zone() -> ZoneInfo | timezone:
    try:
        return ZoneInfo(_timezone.get())
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def money(minor: int | None, currency: str) -> str:
    if minor is None:
        return ""
    return format_money(minor, currency, _locale.get())


def date_(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone()).date()
    return format_date(value, format=format, locale=_locale.get())


def datetime_(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value, format=format, tzinfo=_zone(), locale=_locale.get())


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """'2 days ago' / 'in 3 hours', in the active locale."""
    if value is None:
        return ""
    now = now or datetime.now(timezone.utc)
    return format_timedelta(value - now, add_direction=True, locale=_locale.get())


def date_range(start: date | None, end: date | None) -> str:
    from babel.dates import format_interval

    if start is None:
        return date_(end)
    if end is None or end == start:
        return date_(start)
    return format_interval(start, end, skeleton="yMMMd", locale=_locale.get())
