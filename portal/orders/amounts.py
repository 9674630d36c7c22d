"""Order amounts: the given ones in minor units, and the figures an order leaves out worked out from
the ones it gives, so the totals never contradict the items (API, CSV and platforms alike)."""

from __future__ import annotations

from typing import Any

from portal import money
from portal.problems import N_, Problem
from portal.schemas import OrderIn, Totals

ORDER_TOTAL_FIELDS = ("subtotal", "shipping", "tax", "discounts", "total")
SUM_TOO_LARGE = N_("is not given, and the amounts it is worked out from add up to more than can be stored")
PRESENTMENT_REQUIRED = N_("required when presentment_currency differs from currency")
PRESENTMENT_DISCOUNT_REQUIRED = N_("required with a discount when presentment_currency differs from currency")


class OrderInputError(ValueError):
    """Input that passed the shape checks but not the business rules; `errors` names each field in
    English (the API's answer), `problems` keeps each message as given: a Problem can be translated."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.problems = errors
        self.errors = [{"field": e["field"], "message": str(e["message"])} for e in errors]
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in self.errors))


def order_amounts(data: OrderIn) -> dict[str, int]:
    """Every amount in minor units (totals by name, `presentment_` ones, and per line item), with
    every precision error collected at once; a subtotal or total not given is worked out."""
    errors: list[dict[str, Any]] = []
    values: dict[str, int] = {}
    presentment = data.presentment_currency or data.currency
    presentment_totals = data.presentment_totals or (data.totals if presentment == data.currency else None)
    if presentment_totals is None:
        errors.append({"field": "presentment_totals", "message": Problem(PRESENTMENT_REQUIRED)})

    def convert(field: str, amount: str, currency: str) -> int:
        try:
            return money.to_minor(amount, currency)
        except money.MoneyError as exc:
            errors.append({"field": field, "message": exc})
            return 0

    for name in ORDER_TOTAL_FIELDS:
        values[name] = convert(f"totals.{name}", getattr(data.totals, name), data.currency)
        if presentment_totals is data.totals:  # the same amounts: one error each is enough
            values[f"presentment_{name}"] = values[name]
        elif presentment_totals is not None:
            values[f"presentment_{name}"] = convert(
                f"presentment_totals.{name}", getattr(presentment_totals, name), presentment
            )
    for index, item in enumerate(data.line_items):
        values[f"item{index}"] = convert(f"line_items.{index}.unit_price", item.unit_price, data.currency)
        if item.presentment_unit_price is None and presentment != data.currency:
            errors.append({
                "field": f"line_items.{index}.presentment_unit_price",
                "message": Problem(PRESENTMENT_REQUIRED),
            })
        elif item.presentment_unit_price is not None:
            values[f"pitem{index}"] = convert(
                f"line_items.{index}.presentment_unit_price", item.presentment_unit_price, presentment
            )
        else:
            values[f"pitem{index}"] = values[f"item{index}"]
        values[f"discount{index}"] = convert(f"line_items.{index}.discount", item.discount, data.currency)
        if values[f"discount{index}"] > values[f"item{index}"] * item.quantity:
            errors.append({"field": f"line_items.{index}.discount",
                           "message": Problem(N_("is more than unit_price × quantity"))})
        if item.presentment_discount is not None:
            values[f"pdiscount{index}"] = convert(
                f"line_items.{index}.presentment_discount", item.presentment_discount, presentment)
        elif presentment == data.currency or values[f"discount{index}"] == 0:
            values[f"pdiscount{index}"] = values[f"discount{index}"]
        else:
            errors.append({"field": f"line_items.{index}.presentment_discount",
                           "message": Problem(PRESENTMENT_DISCOUNT_REQUIRED)})
    if errors:
        raise OrderInputError(errors)
    _fill_in(values, data, data.totals, "", "totals")
    if presentment_totals is not None:
        _fill_in(values, data, presentment_totals, "presentment_", "presentment_totals")
    return values


def _fill_in(values: dict[str, int], data: OrderIn, given: Totals, prefix: str, field: str) -> None:
    """A subtotal not given is the sum of the line totals (unit price × quantity − the line's
    discount); a total not given is subtotal + shipping + tax (unless the prices include it) −
    discounts. "Not given" is a field left out: a "0" that is sent is kept."""
    item, discount = ("pitem", "pdiscount") if prefix else ("item", "discount")
    if "subtotal" not in given.model_fields_set:
        values[f"{prefix}subtotal"] = _storable(max(sum(
            values[f"{item}{index}"] * line.quantity - values[f"{discount}{index}"]
            for index, line in enumerate(data.line_items)), 0), f"{field}.subtotal")
    if "total" not in given.model_fields_set:
        tax = 0 if data.taxes_included else values[f"{prefix}tax"]
        total = values[f"{prefix}subtotal"] + values[f"{prefix}shipping"] + tax - values[f"{prefix}discounts"]
        values[f"{prefix}total"] = _storable(max(total, 0), f"{field}.total")


def _storable(minor: int, field: str) -> int:
    if minor > money.MAX_MINOR:
        raise OrderInputError([{"field": field, "message": Problem(SUM_TOO_LARGE)}])
    return minor
