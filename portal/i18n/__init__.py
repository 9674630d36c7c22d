"""Translation and locale: the locale chain, catalogs, merchant overrides, Babel formatting.

The active locale and the merchant's overrides live in ContextVars (`active`); the gettext
callables installed once on every Jinja environment read them, so templates just write
`{{ _("…") }}`. Lookup order for a string: merchant override -> catalog -> source text.

This package's API is re-exported here; `tooling` (catalog maintenance), `overrides`,
`merchant_texts` and `labels` are imported by their own names.
"""

from portal.i18n.active import Overrides, activate, get_locale
from portal.i18n.catalogs import Catalogs, catalogs, configure, plural_index
from portal.i18n.formatting import (
    country_name,
    date_,
    date_range,
    datetime_,
    money,
    number,
    relative,
    timezone_name,
)
from portal.i18n.locales import (
    LANGUAGE_ALIASES,
    SOURCE_LOCALE,
    babel_locale,
    html_lang,
    locale_display_name,
    negotiate,
    normalise_locale,
    parse_accept_language,
    text_direction,
)
from portal.i18n.translate import (
    TAG_RE,
    gettext,
    install,
    localized,
    ngettext,
    npgettext,
    override_key,
    pgettext,
    safe_override,
)

__all__ = [
    "LANGUAGE_ALIASES", "SOURCE_LOCALE", "TAG_RE", "Catalogs", "Overrides", "activate", "babel_locale",
    "catalogs", "configure", "country_name", "date_", "date_range", "datetime_", "gettext", "get_locale", "html_lang",
    "install", "locale_display_name", "localized", "money", "negotiate", "ngettext", "normalise_locale",
    "npgettext", "number", "override_key", "parse_accept_language", "pgettext", "plural_index",
    "relative", "safe_override", "text_direction", "timezone_name",
]
