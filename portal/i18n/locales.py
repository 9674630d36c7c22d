"""Which locale a request gets: normalising codes, negotiating against a shop's enabled locales,
Accept-Language, and what a locale implies for the page (direction, `lang`, display name)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from babel import Locale, UnknownLocaleError

SOURCE_LOCALE = "en"


@lru_cache(maxsize=256)
def babel_locale(code: str) -> Locale:
    """One parsed Babel Locale per code: Babel's format functions would parse the string on every
    call."""
    return Locale.parse(code)


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
