"""Texts a merchant writes themselves (support message, lookup introduction), one per language.

Stored in `merchant.settings["texts"][key][locale]`; a shopper reads the one for their locale,
else the one for its language, else the shop's default language (see `i18n.localized`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from portal import i18n, inputs
from portal.i18n.labels import N_
from portal.store.models import Merchant

# key -> what the console calls it (translated when shown: see labels())
KEYS: dict[str, str] = {
    "support_message": N_("Support message (under “Questions about your order?” on every page)"),
    "lookup_intro": N_("Introduction above the order lookup form"),
}
MAX_LENGTH = 1000


class MerchantTextError(ValueError):
    """A text that cannot be stored, with the reason (in the active locale)."""


def labels() -> dict[str, str]:
    """Each text's name in the active locale."""
    return {key: i18n.gettext(label) for key, label in KEYS.items()}


def text(merchant: Merchant | None, key: str) -> str:
    """The merchant's text for the active locale, with fallback to their default language."""
    if merchant is None:
        return ""
    texts: dict[str, Any] = (merchant.settings or {}).get("texts", {})
    return i18n.localized(texts.get(key), merchant.default_locale)


def save(session: Session, merchant: Merchant, locale: str, values: dict[str, str]) -> None:
    """Set the texts of one language; an empty value removes that language's text."""
    for key, value in values.items():
        if key not in KEYS:
            raise MerchantTextError(f"{key}: unknown text (known: {', '.join(KEYS)})")
        label = i18n.gettext(KEYS[key])
        if len(value) > MAX_LENGTH:
            raise MerchantTextError(i18n.gettext("%(field)s: at most %(num)d characters.") % {
                "field": label, "num": MAX_LENGTH})
        if inputs.NUL in value:
            raise MerchantTextError(i18n.gettext("%(field)s: must not contain a NUL character.") % {"field": label})
    settings = dict(merchant.settings or {})
    texts = {key: dict(per_locale) for key, per_locale in settings.get("texts", {}).items()}
    for key, value in values.items():
        value = value.strip()
        if value:
            texts.setdefault(key, {})[locale] = value
        else:
            texts.get(key, {}).pop(locale, None)
    settings["texts"] = {key: per_locale for key, per_locale in texts.items() if per_locale}
    merchant.settings = settings  # a new dict: the JSON column notices assignment, not mutation
    merchant.version += 1
    session.add(merchant)
    session.flush()


def enable_locale(session: Session, merchant: Merchant, locale: str) -> None:
    """Make a language the merchant supplied translations for selectable, when they list languages."""
    enabled = [code for code in merchant.enabled_locales.split(",") if code.strip()]
    if enabled and locale not in enabled:
        merchant.enabled_locales = ",".join([*enabled, locale])
        merchant.version += 1
        session.add(merchant)
        session.flush()
