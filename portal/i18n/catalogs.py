"""The shipped catalogs under `locales/`, loaded once per process, and plural rules."""

from __future__ import annotations

from functools import lru_cache
from gettext import c2py
from pathlib import Path

from babel import UnknownLocaleError
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from portal.i18n.locales import SOURCE_LOCALE, normalise_locale


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


@lru_cache(maxsize=64)
def _plural_rule(locale: str):
    try:
        return c2py(get_plural(locale).plural_expr)
    except (UnknownLocaleError, ValueError):
        return c2py("(n != 1)")


def plural_index(locale: str, n: int) -> int:
    return int(_plural_rule(locale)(n))


def configured() -> Catalogs | None:
    """The process's catalogs, or None before `configure` (then the source text is shown)."""
    return _catalogs
