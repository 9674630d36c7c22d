"""The order API's JSON shapes. Amounts are decimal strings; statuses use the canonical values."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from babel.localedata import locale_identifiers
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from portal import inputs, timestamps
from portal import tags as tag_rules
from portal.i18n import normalise_locale
from portal.money import MoneyError, known_currencies, validate_currency
from portal.problems import N_, Problem
from portal.statuses import (
    CancelReason,
    FulfillmentStatus,
    OrderStatus,
    PaymentStatus,
    ReturnStatus,
    SHIPMENT_STATUSES,
    ShipmentStatus,
    shipment_status,
    shipment_status_aliases,
)

MAX_TAG_LENGTH = tag_rules.MAX_TAG_LENGTH
# Written so that Python's re and the ECMA 262 engines of OpenAPI tools read them alike: \s differs
# between them on U+001C-U+001F and U+0085, so those are named.
_EMAIL_PATTERN = (r"^[^@\s\x00\x1c-\x1f\u0085]{1,64}@[^@\s\x00\x1c-\x1f\u0085]+"
                  r"\.[^@\s\x00\x1c-\x1f\u0085]+$")
_EMAIL_RE = re.compile(_EMAIL_PATTERN)
# An amount as the document describes it: 14 digits before the point fit the store's 64-bit minor
# units in any currency (at most 4 decimals); money.to_minor refuses past the exact limit.
_AMOUNT_PATTERN = r"^[0-9]{1,14}(\.[0-9]{1,4})?$"
# The pattern's shape without its digit limits, which money.to_minor checks with a clearer message
# (too large, too many decimals): no sign, no exponent, no point without digits on both sides.
_AMOUNT_SHAPE = re.compile(r"[0-9]+(\.[0-9]+)?")


def is_email(value: str | None) -> bool:
    return bool(value and _EMAIL_RE.match(value))


def _decimal_string(value: Any) -> str:
    # A JSON string, as the document says: a JSON number is a float on the way, never money.
    if not isinstance(value, str):
        raise ValueError('must be a decimal string such as "19.90"')
    text = value.strip()
    if text.startswith("-") and _AMOUNT_SHAPE.fullmatch(text[1:]):
        raise Problem(N_("must not be negative"))
    if not _AMOUNT_SHAPE.fullmatch(text):
        raise Problem(N_('%(amount)s is not a decimal amount such as "19.90" (digits and a point, no exponent)'),
                      amount=repr(text))
    return text


def _whole_number(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer; the API's strict parsing would not.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _currency(value: Any) -> str:
    try:
        return validate_currency(str(value))
    except MoneyError as exc:
        raise Problem(exc.message, **exc.values) from None


def _event_moment(value: datetime) -> datetime:
    return timestamps.check(value, ahead=True)


def _shipment_status(value: Any) -> Any:
    # Aggregator spellings become canonical; anything unknown is left for the Literal to reject.
    return (shipment_status(value) or value) if isinstance(value, str) else value


class _Documented:
    """A field's schema in the OpenAPI document, worked out when the document is built (the
    currency list is Babel data, read on first use)."""

    def __init__(self, schema: Callable[[], dict[str, Any]]) -> None:
        self.schema = schema

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return self.schema()


def _currency_schema() -> dict[str, Any]:
    return {"type": "string", "enum": sorted(known_currencies()),
            "description": "An ISO 4217 code (the codes Babel knows); lower case is accepted too."}


def _locale_schema() -> dict[str, Any]:
    codes = sorted(locale_identifiers())
    return {"type": "string", "enum": codes + sorted({code.replace("_", "-") for code in codes} - set(codes)),
            "description": "A locale Babel knows, with - or _ (en, de, pt-BR, zh-Hant-TW)."}


def _shipment_status_schema() -> dict[str, Any]:
    return {
        "type": "string",
        "enum": list(SHIPMENT_STATUSES) + sorted(set(shipment_status_aliases()) - set(SHIPMENT_STATUSES)),
        "examples": list(SHIPMENT_STATUSES) + ["InfoReceived", "InTransit", "OutForDelivery", "AttemptFail"],
        "description": "A canonical shipment status (" + ", ".join(SHIPMENT_STATUSES) + ") or a carrier's or "
                       "aggregator's spelling of one (AfterShip, 17TRACK, EasyPost, Shippo, TrackingMore, Ship24, "
                       "Shopify). Each is listed once; the same letters in any case, with spaces, dashes or "
                       "underscores anywhere, are accepted too (InTransit, IN-TRANSIT, pre_transit).",
    }


Amount = Annotated[str, BeforeValidator(_decimal_string), WithJsonSchema({
    "type": "string", "pattern": _AMOUNT_PATTERN, "examples": ["19.90", "0", "1500"],
    "description": "A decimal amount with a point and no more decimals than the currency has (JPY 0, USD 2, "
                   "KWD 3). Up to 14 digits before the point fit any currency; larger amounts are taken up to "
                   "9223372036854775807 minor units (92233720368547758.07 in USD).",
})]
Currency = Annotated[str, BeforeValidator(_currency), _Documented(_currency_schema)]
# The accepted range as patterns the document can carry. A time's pattern takes the local years
# 1971-2099, which are in 1970-2100 once in UTC whatever the offset; the edge years depend on it.
_MONTH_DAY = r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_MOMENT_PATTERN = (rf"^(197[1-9]|19[89][0-9]|20[0-9][0-9]){_MONTH_DAY}"
                   r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
_DAY_PATTERN = rf"^(19[7-9][0-9]|20[0-9][0-9]|2100){_MONTH_DAY}$"
# Times from outside (timestamps: one range for every integration); a naive time is UTC.
Moment = Annotated[datetime, AfterValidator(timestamps.check), Field(
    description="ISO 8601; between 1970-01-01 and 2100-12-31 once in UTC; without an offset it is UTC.",
    json_schema_extra={"pattern": _MOMENT_PATTERN})]
EventMoment = Annotated[datetime, AfterValidator(_event_moment), Field(
    description="ISO 8601; between 1970-01-01 and 2100-12-31 once in UTC and at most 24 hours after now; "
                "without an offset it is UTC.", json_schema_extra={"pattern": _MOMENT_PATTERN})]
Day = Annotated[date, AfterValidator(timestamps.check_day), Field(description="A date between 1970 and 2100.",
                                                                  json_schema_extra={"pattern": _DAY_PATTERN})]
ShortText = Annotated[str, Field(max_length=255)]
# Text the store can hold (portal.inputs): Line for single-line fields, Text for free text.
Line = Annotated[str, StringConstraints(pattern=inputs.LINE_PATTERN)]
Text = Annotated[str, StringConstraints(pattern=inputs.TEXT_PATTERN)]
WebUrl = Annotated[str, StringConstraints(pattern=inputs.URL_PATTERN)]
# A required line, as the document says it: no NUL or line break, and a character that trimming
# the surrounding white space leaves.
_UNSTORABLE = "".join(f"\\u{ord(char):04x}" for char in inputs.NUL + inputs.LINE_BREAKS)
_NOT_BLANK_LINE = {"pattern": rf"^[^{_UNSTORABLE}]*[^{_UNSTORABLE}\s][^{_UNSTORABLE}]*$"}
ShipmentStatusIn = Annotated[ShipmentStatus, BeforeValidator(_shipment_status), _Documented(_shipment_status_schema)]
Email = Annotated[str, StringConstraints(pattern=inputs.LINE_PATTERN),
                  WithJsonSchema({"type": "string", "maxLength": 255, "pattern": f"^$|{_EMAIL_PATTERN}"})]
LocaleCode = Annotated[str, _Documented(_locale_schema)]


RANGE_MESSAGE = "is before estimated_delivery"
URL_PROBLEM = N_("must start with http:// or https://")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Totals(_Strict):
    """An amount left out is worked out: subtotal as the sum of the line totals (unit price ×
    quantity − discount), total as subtotal + shipping + tax (unless taxes_included) − discounts,
    the others as 0. An amount sent is kept as sent."""

    subtotal: Amount = "0"
    shipping: Amount = "0"
    tax: Amount = "0"
    discounts: Amount = "0"
    total: Amount = "0"


class LineItemIn(_Strict):
    title: Line = Field(min_length=1, max_length=500, json_schema_extra=_NOT_BLANK_LINE)
    variant: Line | None = Field(default=None, max_length=255)
    sku: Line | None = Field(default=None, max_length=128)
    quantity: Annotated[int, BeforeValidator(_whole_number)] = Field(default=1, ge=0, le=1_000_000)
    unit_price: Amount = "0"
    presentment_unit_price: Amount | None = Field(
        default=None, description="Required when the order's presentment_currency differs from its currency.")
    discount: Amount = Field(default="0", description="The discount on the whole line (all its units), at most "
                                                     "unit_price × quantity.")
    presentment_discount: Amount | None = Field(
        default=None, description="Required with a discount when the order's presentment_currency differs.")
    image_url: WebUrl | None = Field(default=None, max_length=1000)
    product_url: WebUrl | None = Field(default=None, max_length=1000,
                                       description="The product's page in the shop: the item's title links to it.")
    product_id: Line | None = Field(default=None, max_length=64, description="The platform's product id.")
    variant_id: Line | None = Field(default=None, max_length=64,
                                    description="The platform's variant id (WooCommerce: the variation id).")


class EventIn(_Strict):
    at: EventMoment
    status: ShipmentStatusIn
    substatus: Line | None = Field(default=None, max_length=64)
    message: Text | None = Field(default=None, max_length=1000)
    location: Line | None = Field(default=None, max_length=255)


class ShipmentIn(_Strict):
    external_id: Line | None = Field(default=None, max_length=64)
    carrier: Line | None = Field(default=None, max_length=64)
    tracking_number: Line | None = Field(default=None, max_length=64)
    tracking_url: WebUrl | None = Field(default=None, max_length=1000)
    status: ShipmentStatusIn | None = None
    shipped_at: Moment | None = None
    estimated_delivery: Day | None = None
    estimated_delivery_end: Day | None = Field(
        default=None, description="The last day of the expected range: not before estimated_delivery.")
    events: list[EventIn] = Field(default_factory=list, max_length=1000)

    @field_validator("estimated_delivery_end")
    @classmethod
    def _range_in_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("estimated_delivery")
        if value is not None and start is not None and value < start:
            raise ValueError(RANGE_MESSAGE)
        return value


class AddressIn(_Strict):
    name: Line | None = Field(default=None, max_length=255)
    address1: Line | None = Field(default=None, max_length=255)
    address2: Line | None = Field(default=None, max_length=255)
    city: Line | None = Field(default=None, max_length=255)
    province: Line | None = Field(default=None, max_length=255)
    postal_code: Line | None = Field(default=None, max_length=32)
    country_code: Line | None = Field(default=None, max_length=2)


class OrderIn(_Strict):
    number: Line = Field(min_length=1, max_length=64, json_schema_extra=_NOT_BLANK_LINE)
    external_id: Line | None = Field(default=None, max_length=64)
    email: Email | None = Field(default=None, max_length=255)
    phone: Line | None = Field(default=None, max_length=64)
    postal_code: Line | None = Field(default=None, max_length=32)
    placed_at: Moment | None = None
    locale: LocaleCode | None = Field(default=None, max_length=16)
    status: OrderStatus = "open"
    payment_status: PaymentStatus = "pending"
    fulfillment_status: FulfillmentStatus = "unfulfilled"
    return_status: ReturnStatus = "none"
    # A key of one of the merchant's custom statuses; null clears it, leaving it out keeps it.
    custom_status: Line | None = Field(default=None, max_length=64,
                                       description="The key of one of the shop's own custom statuses.")
    cancel_reason: CancelReason | None = Field(default=None, description="Only when status is cancelled.")
    currency: Currency
    presentment_currency: Currency | None = None
    totals: Totals = Field(default_factory=Totals)
    taxes_included: bool = Field(default=False, description="The prices and totals include tax (VAT, GST).")
    presentment_totals: Totals | None = Field(
        default=None, description="Required when presentment_currency differs from currency.")
    line_items: list[LineItemIn] = Field(default_factory=list, max_length=500)
    shipments: list[ShipmentIn] = Field(default_factory=list, max_length=100)
    shipping_address: AddressIn | None = None
    tags: list[Line] = Field(default_factory=list, max_length=250, json_schema_extra={
        "items": {"type": "string", "maxLength": MAX_TAG_LENGTH, "pattern": inputs.LINE_PATTERN}})
    note: Text | None = Field(default=None, max_length=5000)
    customer_id: Line | None = Field(default=None, max_length=64)
    guest_id: Line | None = Field(default=None, max_length=64)
    order_status_url: WebUrl | None = Field(default=None, max_length=1000)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not is_email(value):
            raise Problem(N_("is not an e-mail address"))
        return value or None

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        if value and normalise_locale(value) is None:
            raise Problem(N_("unknown locale %(locale)s: use a code such as en, de or pt-BR"), locale=repr(value))
        return normalise_locale(value) if value else None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return tag_rules.clean(value)  # a TagError is a ValueError: a 422 naming the field

    @model_validator(mode="after")
    def _cancel_reason_only_when_cancelled(self) -> OrderIn:
        if self.cancel_reason and self.status != "cancelled":
            raise Problem(N_("cancel_reason is only allowed when status is 'cancelled'"))
        return self


MAX_EVENTS_PER_REQUEST = 5000


class EventsIn(_Strict):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)


class TrackingUpdateIn(EventIn):
    """One carrier event addressed by tracking number rather than by shipment id."""

    tracking_number: Line = Field(min_length=1, max_length=64, json_schema_extra=_NOT_BLANK_LINE)
    # Only used to choose between shipments that share a tracking number.
    carrier: Line | None = Field(default=None, max_length=64)


class TrackingUpdatesIn(_Strict):
    """The bulk envelope. Its events are validated one by one, so one bad event does not sink the rest."""

    events: list[Any] = Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)


_TEXT_PATTERNS = {inputs.LINE_PATTERN, inputs.TEXT_PATTERN, inputs.URL_PATTERN}


def error_list(exc: ValidationError) -> list[dict[str, str]]:
    """Every bad field, named by its dotted path: `line_items.0.quantity`."""
    errors = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "body"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "string_pattern_mismatch" and error["ctx"]["pattern"] in _TEXT_PATTERNS:
            message = inputs.text_problem(error["input"]) or URL_PROBLEM
        errors.append({"field": field, "message": message})
    return errors
