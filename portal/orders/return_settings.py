"""The console's return settings: on or off, the window, and the reasons offered (the default ones
chosen and ordered, the shop's own worded per language)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from portal import inputs
from portal.i18n import gettext
from portal.merchants import MerchantError, apply_settings
from portal.orders import return_rules
from portal.orders.return_rules import DEFAULT_REASONS, Reason
from portal.store import queries
from portal.store.models import Merchant


class ReturnSettingsError(ValueError):
    """Settings that cannot be saved: `errors` maps each field to its message; nothing is saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class ReasonRow:
    """One row of the console's reasons table."""

    reason: Reason
    offered: bool
    position: int


def rows(merchant: Merchant) -> list[ReasonRow]:
    """The offered reasons in their order, then the default ones not offered."""
    offered = return_rules.reasons(merchant)
    keys = {r.key for r in offered}
    rest = [Reason(key, {}) for key in DEFAULT_REASONS if key not in keys]
    return ([ReasonRow(r, True, index + 1) for index, r in enumerate(offered)]
            + [ReasonRow(r, False, len(offered) + index + 1) for index, r in enumerate(rest)])


def form_values(merchant: Merchant, locale: str) -> dict[str, str]:
    """The settings form as the shop's settings fill it, own reasons in `locale`."""
    values = {"return_window_days": str(return_rules.window_days(merchant))}
    if return_rules.enabled(merchant):
        values["returns"] = "on"
    for row in rows(merchant):
        key = row.reason.key
        values[f"position_{key}"] = str(row.position)
        if row.offered:
            values[f"offer_{key}"] = "on"
        if row.reason.own:
            values[f"label_{key}"] = row.reason.labels.get(locale, "")
    return values


def _position(raw: str | None, fallback: int) -> int:
    number = inputs.whole_number((raw or "").strip(), 4)
    return fallback if number is None else number


def _label(raw: str | None, field: str, errors: dict[str, str]) -> str:
    text = (raw or "").strip()
    problem = inputs.text_problem(text)
    if problem:
        errors[field] = problem
    elif len(text) > return_rules.MAX_REASON:
        errors[field] = gettext("At most %(num)d characters.") % {"num": return_rules.MAX_REASON}
    return text


def save(session: Session, merchant_id: int, locale: str, form: Mapping[str, str]) -> None:
    """Apply the settings form; own reasons' words are those of `locale`."""
    merchant = queries.merchant_by_id(session, merchant_id)
    if merchant is None:
        raise ReturnSettingsError({"form": gettext("This shop no longer exists.")})
    errors: dict[str, str] = {}
    chosen: list[tuple[int, int, Reason]] = []
    for index, row in enumerate(rows(merchant)):
        key = row.reason.key
        if form.get(f"offer_{key}") is None:
            continue  # a default reason left out; a shop's own reason removed
        labels = dict(row.reason.labels)
        if row.reason.own:
            text = _label(form.get(f"label_{key}"), f"label_{key}", errors)
            if text:
                labels[locale] = text
            else:
                labels.pop(locale, None)
            if not labels:
                errors[f"label_{key}"] = gettext("Give the reason its words, or untick it to remove it.")
        chosen.append((_position(form.get(f"position_{key}"), row.position), index, Reason(key, labels)))
    new = _label(form.get("new_reason"), "new_reason", errors)
    offered = [reason for _, _, reason in sorted(chosen, key=lambda c: (c[0], c[1]))]
    if new:
        if sum(1 for r in offered if r.own) >= return_rules.MAX_OWN_REASONS:
            errors["new_reason"] = gettext("At most %(num)d reasons of your own.") % {
                "num": return_rules.MAX_OWN_REASONS}
        offered.append(Reason(return_rules.next_own_key(offered), {locale: new}))
    if not offered:
        errors["reasons"] = gettext("Offer at least one reason.")
    values = {"returns": "on" if form.get("returns") is not None else "off",
              "return_window_days": (form.get("return_window_days") or "").strip()}
    if errors:
        raise ReturnSettingsError(errors)
    try:
        apply_settings(session, merchant, values)
    except MerchantError as exc:
        raise ReturnSettingsError(exc.errors or {"return_window_days": str(exc)}) from None
    merchant.settings = {**merchant.settings, return_rules.REASONS_KEY: return_rules.stored_reasons(offered)}
    session.add(merchant)
    session.flush()
