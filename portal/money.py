"""Money: integer minor units plus an ISO 4217 code, never a float."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.core import get_global
from babel.numbers import format_currency, get_currency_precision, get_territory_currencies

from portal.problems import N_, Problem


class MoneyError(Problem):
    """An amount or currency that cannot be represented (its message said in English to the API,
    in the merchant's language on the console)."""


# The money columns hold signed 64-bit integers of minor units.
MAX_MINOR = 2**63 - 1
# No amount of 10**19 or more fits in any currency (it would not even with no decimals); refused
# before any arithmetic, so "1e999999" costs nothing.
_MAX_ADJUSTED_EXPONENT = 18
NOT_AN_AMOUNT = N_('%(amount)s is not a decimal amount such as "19.90"')


# Orders are money a shop took: codes that were legal tender somewhere since this date. Not gold
# (XAU), the testing code (XTS), the "no currency" code or fund units (CHE, BOV), which Babel also lists.
TENDER_SINCE = date(2000, 1, 1)


@lru_cache(maxsize=1)
def known_currencies() -> frozenset[str]:
    territories = get_global("territory_currencies")
    return frozenset(code for territory in territories
                     for code in get_territory_currencies(territory, TENDER_SINCE, date.today(), tender=True))


def validate_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if code not in known_currencies():
        raise MoneyError(N_("unknown currency code %(code)s: use an ISO 4217 code such as USD, EUR or NOK"),
                         code=repr(code))
    return code


@lru_cache(maxsize=512)
def currency_digits(code: str) -> int:
    return get_currency_precision(code)


def parse_amount(amount: str | int | float | Decimal) -> Decimal:
    if isinstance(amount, bool):
        raise MoneyError("an amount must be a decimal string such as \"19.90\"")
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise MoneyError(NOT_AN_AMOUNT, amount=repr(amount)) from None
    if not value.is_finite():
        raise MoneyError(NOT_AN_AMOUNT, amount=repr(amount))
    if value and value.adjusted() > _MAX_ADJUSTED_EXPONENT:
        raise MoneyError(N_("%(amount)s is too large to store"), amount=repr(amount))
    return value


def to_minor(amount: str | int | float | Decimal, currency: str) -> int:
    """Parse a decimal amount ("19.90") into minor units of `currency` (1990)."""
    value = parse_amount(amount)
    digits = currency_digits(currency)
    scaled = value.scaleb(digits)
    if abs(scaled) > MAX_MINOR:
        raise MoneyError(N_("%(amount)s is too large to store: the largest amount in %(currency)s is %(largest)s"),
                         amount=repr(amount), currency=currency, largest=to_string(MAX_MINOR, currency))
    if scaled != scaled.to_integral_value():
        # Platforms send "12.3400" (BigCommerce) or "1500.00" for JPY: accept trailing zeros only.
        raise MoneyError(N_("%(amount)s has more decimals than %(currency)s allows (%(digits)s)"),
                         amount=repr(amount), currency=currency, digits=digits)
    return int(scaled)


def round_amount(amount: str | int | float | Decimal, currency: str) -> str:
    """Round a platform amount to the currency's decimals: BigCommerce sends "62.6793" for USD.

    Only for amounts a platform computed itself (tax-inclusive splits); our own API keeps refusing
    excess precision instead of guessing.
    """
    value = parse_amount(amount)
    digits = currency_digits(currency)
    return str(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-currency_digits(currency))


def to_string(minor: int, currency: str) -> str:
    """The API's decimal-string form, with the currency's own number of decimals."""
    digits = currency_digits(currency)
    return f"{to_decimal(minor, currency):.{digits}f}"


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def format(self, locale: str) -> str:
        return format_money(self.minor, self.currency, locale)


# Babel looks up the currency's name and plural rule on every call, and a shop's amounts repeat
# (prices, shipping fees, zero tax), so the formatted text is kept per amount, currency and locale.
@lru_cache(maxsize=4096)
def format_money(minor: int, currency: str, locale: str | Locale) -> str:
    return format_currency(to_decimal(minor, currency), currency, locale=locale)
