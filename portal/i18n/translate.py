"""gettext for the active locale, in Python and in Jinja.

Lookup order for a string: the merchant's override -> the shipped catalog -> the source text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from babel.support import NullTranslations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from portal.i18n.active import get_locale, get_overrides
from portal.i18n.catalogs import configured, plural_index
from portal.i18n.locales import SOURCE_LOCALE

log = logging.getLogger(__name__)

# An HTML tag inside a source string, e.g. the `<span dir="ltr">` around an order number.
TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


def override_key(msgid: str, context: str | None = None) -> str:
    """The key gettext itself uses for a message with a context."""
    return f"{context}\x04{msgid}" if context else msgid



def _override(key: str, n: int | None = None) -> str | None:
    value = get_overrides().get(key)
    if not value:
        return None
    if isinstance(value, str):
        return value
    return value[min(plural_index(get_locale(), n if n is not None else 1), len(value) - 1)]


def _catalog() -> NullTranslations | None:
    locale, catalogs = get_locale(), configured()
    if catalogs is None or locale == SOURCE_LOCALE:
        return None
    return catalogs.translations(locale)


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
# the environment's globals, which spares the two extra pass_context layers of Jinja's own
# newstyle wrappers on every call.

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
                        key, get_locale(), exc)
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
    locale = locale or get_locale()
    for candidate in (locale, locale.split("_")[0], default_locale, default_locale.split("_")[0]):
        if texts.get(candidate):
            return texts[candidate]
    return ""
