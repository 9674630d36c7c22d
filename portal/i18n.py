"""Locale chain, catalogs, merchant overrides, and Babel formatting for the active locale.

The active locale and the merchant's overrides live in ContextVars; the gettext callables
installed once on every Jinja environment read them, so templates just write `{{ _("…") }}`.
Lookup order for a string: merchant override -> catalog -> source text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from datetime import date, datetime, time, timezone
from functools import lru_cache
from gettext import c2py
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_datetime,
    format_time,
    format_timedelta,
    get_datetime_format,
    get_time_format,
    get_timezone_name,
    tokenize_pattern,
)
from babel.numbers import format_decimal
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from portal import timestamps
from portal.money import format_money

log = logging.getLogger(__name__)

SOURCE_LOCALE = "en"
# An HTML tag inside a source string, e.g. the `<span dir="ltr">` around an order number.
TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")

_locale: ContextVar[str] = ContextVar("portal_locale", default=SOURCE_LOCALE)
_overrides: ContextVar[Mapping[str, Any]] = ContextVar("portal_overrides", default={})
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


# A merchant's overrides: msgid (or "context\x04msgid") -> text, or one text per plural form.
Overrides = Mapping[str, "str | tuple[str, ...]"]


def activate(locale: str, overrides: Overrides | None = None, tz: str | None = None) -> None:
    _locale.set(locale)
    _overrides.set(overrides or {})
    if tz:
        _timezone.set(tz)


def override_key(msgid: str, context: str | None = None) -> str:
    """The key gettext itself uses for a message with a context."""
    return f"{context}\x04{msgid}" if context else msgid


@lru_cache(maxsize=64)
def _plural_rule(locale: str):
    try:
        return c2py(get_plural(locale).plural_expr)
    except (UnknownLocaleError, ValueError):
        return c2py("(n != 1)")


def plural_index(locale: str, n: int) -> int:
    return int(_plural_rule(locale)(n))


def _override(key: str, n: int | None = None) -> str | None:
    value = _overrides.get().get(key)
    if not value:
        return None
    if isinstance(value, str):
        return value
    return value[min(plural_index(_locale.get(), n if n is not None else 1), len(value) - 1)]


def _catalog() -> NullTranslations | None:
    locale = _locale.get()
    if _catalogs is None or locale == SOURCE_LOCALE:
        return None
    return _catalogs.translations(locale)


def _shipped(source: str, method: str, *args: Any) -> str:
    """The catalog's text (or the source's, in English and without a catalog)."""
    catalog = _catalog()
    return getattr(catalog, method)(*args) if catalog else source


def _resolve(key: str, n: int | None, source: str, method: str, *args: Any) -> str:
    """Lookup order: the merchant's override -> catalog -> source."""
    override = _override(key, n)
    return override if override is not None else _shipped(source, method, *args)


def gettext(message: str) -> str:
    return _resolve(message, None, message, "gettext", message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _resolve(singular, n, singular if n == 1 else plural, "ngettext", singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _resolve(override_key(message, context), None, message, "pgettext", context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    key, source = override_key(singular, context), singular if n == 1 else plural
    return _resolve(key, n, source, "npgettext", context, singular, plural, n)


# -- the same callables for Jinja: merchant text is escaped -------------------------------------
# Jinja marks whatever gettext returns as safe markup in HTML templates (catalog strings may carry
# the source's tags). A merchant's override is not trusted: it is escaped, and only the exact tags
# of the source string are put back.
#
# These are Jinja's "newstyle" callables themselves (the text is a %-format string filled with the
# call's keyword arguments; ngettext adds `num`, the p- forms `context`), installed straight into
# the environment's globals. Jinja's own newstyle wrappers would put two more pass_context layers
# around each call; a page makes about twenty of them.

def safe_override(source: str, text: str) -> Markup:
    html = str(escape(text))
    for tag in set(TAG_RE.findall(source)):
        html = html.replace(str(escape(tag)), tag)
    return Markup(html)


def _newstyle(context: Context, key: str, n: int | None, source: str, variables: dict[str, Any],
              method: str, *args: Any) -> str:
    autoescape = context.eval_ctx.autoescape
    override = _override(key, n)
    if override is not None:
        try:
            return (safe_override(source, override) if autoescape else override) % variables
        except (KeyError, ValueError, TypeError) as exc:
            # Overrides are checked when stored and loaded; should one still not fit its source's
            # values, the page shows the catalog's text rather than failing.
            log.warning("translation override %r (%s) cannot be applied, showing the catalog text: %r",
                        key, _locale.get(), exc)
    text = _shipped(source, method, *args)
    return (Markup(text) if autoescape else text) % variables


@pass_context
def jinja_gettext(context: Context, message: str, /, **variables: Any) -> str:
    return _newstyle(context, message, None, message, variables, "gettext", message)


@pass_context
def jinja_ngettext(context: Context, singular: str, plural: str, n: int, /, **variables: Any) -> str:
    variables.setdefault("num", n)
    source = singular if n == 1 else plural
    return _newstyle(context, singular, n, source, variables, "ngettext", singular, plural, n)


@pass_context
def jinja_pgettext(context: Context, ctx: str, message: str, /, **variables: Any) -> str:
    variables.setdefault("context", ctx)
    return _newstyle(context, override_key(message, ctx), None, message, variables, "pgettext", ctx, message)


@pass_context
def jinja_npgettext(context: Context, ctx: str, singular: str, plural: str, n: int, /,
                    **variables: Any) -> str:
    variables.setdefault("context", ctx)
    variables.setdefault("num", n)
    source = singular if n == 1 else plural
    return _newstyle(context, override_key(singular, ctx), n, source, variables, "npgettext", ctx, singular,
                     plural, n)


def install(env: Environment) -> None:
    """Put the callables above into a Jinja environment that has the `jinja2.ext.i18n` extension."""
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # how `{% trans %}` compiles
    env.globals.update(_=jinja_gettext, gettext=jinja_gettext, ngettext=jinja_ngettext,
                       pgettext=jinja_pgettext, npgettext=jinja_npgettext)


def localized(texts: Mapping[str, str] | None, default_locale: str, locale: str | None = None) -> str:
    """A merchant-authored text in the active locale: exact -> its language -> the shop's default."""
    if not texts:
        return ""
    locale = locale or _locale.get()
    for candidate in (locale, locale.split("_")[0], default_locale, default_locale.split("_")[0]):
        if texts.get(candidate):
            return texts[candidate]
    return ""


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
        return "rtl" if babel_locale(locale).text_direction == "rtl" else "ltr"
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

@lru_cache(maxsize=256)
def babel_locale(code: str) -> Locale:
    """One parsed Babel Locale per code. Babel's format functions parse a locale string on every
    call (and again in each helper they call): a page's dozens of dates and amounts paid that each
    time."""
    return Locale.parse(code)


def _babel() -> Locale:
    return babel_locale(_locale.get())

def _zone() -> ZoneInfo | timezone:
    try:
        return ZoneInfo(_timezone.get())
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def money(minor: int | None, currency: str) -> str:
    if minor is None:
        return ""
    return format_money(minor, currency, _babel())


def date_(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(*timestamps.shown(value, _zone())).date()
    return _date_text(value, format, _babel())


def datetime_(value: datetime | None, format: str = "medium") -> str:
    """A moment in the shop's time zone and the shopper's locale, as Babel's `format_datetime`
    writes it. A named format is Babel's own composition (the locale's pattern joining its date and
    its time) of two cached parts: an order page shows one moment per tracking event, nearly all
    different, but they fall on a few days and (to the displayed precision) on at most one of the
    day's 1,440 minutes, so each part is formatted once and reused (25 µs a moment before, about
    3 µs now). Tested against `format_datetime` for every shipped locale and format."""
    if value is None:
        return ""
    value, zone = timestamps.shown(value, _zone())  # a stored time any zone can hold
    locale = _babel()
    if format not in _NAMED_FORMATS:
        return _datetime_text(value, format, zone, locale)
    local = _local(value, zone)
    time_key = _time_key(format, locale)(local)
    return (_datetime_pattern(format, locale)
            .replace("{0}", _time_text(time_key, format, zone, locale))
            .replace("{1}", _date_text(local.date(), format, locale)))


_NAMED_FORMATS = frozenset(("full", "long", "medium", "short"))


def _local(value: datetime, zone: ZoneInfo | timezone) -> datetime:
    """`value` in `zone`; a naive value is UTC, as Babel reads it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone)


@lru_cache(maxsize=256)
def _datetime_pattern(format: str, locale: Locale) -> str:
    return get_datetime_format(format, locale=locale).replace("'", "")


@lru_cache(maxsize=256)
def _time_key(format: str, locale: Locale) -> Callable[[datetime], time | datetime]:
    """What the locale's time pattern reads of a local moment: its time of day to the precision
    shown (no seconds in most "short" patterns), or the whole moment when it names the zone, whose
    name or offset depends on the date (as a UTC instant: moments in one zone compare by their wall
    time, so the two 02:30s of an autumn night would share a key)."""
    fields = {token[1][0] for token in tokenize_pattern(get_time_format(format, locale=locale).pattern)
              if token[0] == "field"}
    if fields & set("zZvVOXx"):
        return lambda local: local.astimezone(timezone.utc)
    if fields & set("SA"):
        return lambda local: local.time()
    if "s" in fields:
        return lambda local: local.time().replace(microsecond=0)
    return lambda local: local.time().replace(second=0, microsecond=0)


# Babel takes 15 to 35 µs a date or a time (its pattern, the zone's conversion), and an order page
# shows one per tracking event and timeline entry, all formatted again whenever a live panel
# refreshes. Texts are kept as amounts are (money.format_money), about 200 bytes an entry: dates
# and times of day per value, format (zone) and locale; a moment in a pattern of a theme's own
# (not a named format) whole, per moment, pattern, zone and locale.
@lru_cache(maxsize=8192)
def _datetime_text(value: datetime, format: str, zone: ZoneInfo | timezone, locale: Locale) -> str:
    return format_datetime(value, format=format, tzinfo=zone, locale=locale)


@lru_cache(maxsize=8192)
def _time_text(value: time | datetime, format: str, zone: ZoneInfo | timezone, locale: Locale) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(zone)
    return format_time(value, format=format, locale=locale)


@lru_cache(maxsize=8192)
def _date_text(value: date, format: str, locale: Locale) -> str:
    return format_date(value, format=format, locale=locale)


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """'2 days ago' / 'in 3 hours', in the active locale."""
    if value is None:
        return ""
    now = now or datetime.now(timezone.utc)
    return format_timedelta(value - now, add_direction=True, locale=_babel())


def date_range(start: date | None, end: date | None) -> str:
    from babel.dates import format_interval

    if start is None:
        return date_(end)
    if end is None or end == start:
        return date_(start)
    return format_interval(start, end, skeleton="yMMMd", locale=_babel())


def number(value: Any, pattern: str = "#,##0.######") -> str:
    """A plain number (an exchange rate) with the active locale's digits and separators."""
    return format_decimal(value, format=pattern, locale=_babel())


def timezone_name() -> str:
    """The active time zone's name in the active locale ("Mitteleuropäische Zeit")."""
    zone = _zone()
    if not isinstance(zone, ZoneInfo) or zone.key in ("UTC", "Etc/UTC", "Etc/GMT", "GMT"):
        # CLDR has no region for UTC ("Unknown Region (UTC) Time"): name the offset's standard.
        return get_timezone_name(datetime.now(timezone.utc), width="long", locale=_babel())
    return get_timezone_name(zone, width="long", zone_variant="generic", locale=_babel())
