"""Property tests for the parsers every outside byte goes through: whatever arrives, the only
exception that escapes is the parser's documented validation error (the Hypothesis profile in
tests/conftest.py bounds the examples and, in CI, fixes them)."""

from __future__ import annotations

import re
from datetime import timezone

from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from portal import carriers, money, timestamps
from portal.ingest.platform_orders import Rejected
from portal.ingest.platforms import payloads
from portal.schemas import OrderIn, Totals
from portal.theming.custom_css import CustomCssError, filter_css

CURRENCIES = st.sampled_from(sorted(money.known_currencies()))
# Amount-like text: digits, points, signs, exponents and spaces, mixed with anything at all.
AMOUNT_TEXT = st.one_of(st.from_regex(r"\A[-+ ]?[0-9]{0,25}(\.[0-9]{0,8})?([eE][-+]?[0-9]{1,4})?\s?\Z"), st.text())
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40))


@given(AMOUNT_TEXT, CURRENCIES)
def test_money_parsing_raises_only_money_errors(text, currency):
    for parse in (money.parse_amount, lambda t: money.to_minor(t, currency), lambda t: money.round_amount(t, currency)):
        try:
            parse(text)
        except money.MoneyError:
            pass


@given(AMOUNT_TEXT, CURRENCIES)
def test_an_accepted_amount_fits_the_store(text, currency):
    try:
        totals = Totals.model_validate({"total": text})
        minor = money.to_minor(totals.total, currency)
    except (ValidationError, money.MoneyError):
        return
    assert 0 <= minor < 2**63


@given(st.text(max_size=8))
def test_currency_codes_raise_only_money_errors(value):
    try:
        assert money.validate_currency(value) in money.known_currencies()
    except money.MoneyError:
        pass


@given(st.one_of(JSON_SCALARS, st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}[T ][0-9:.]{1,15}([+-][0-9:]{1,6}|Z)?\Z")))
def test_platform_timestamps_parse_are_none_or_refuse_the_delivery(value):
    for ahead in (False, True):
        try:
            parsed = payloads.timestamp(value, "created_at", ahead=ahead)
        except Rejected as exc:
            assert exc.reason.startswith("created_at: ") and exc.status == 422
            continue
        assert parsed is None or timestamps.EARLIEST <= parsed.astimezone(timezone.utc) <= timestamps.LATEST


@given(st.datetimes(timezones=st.timezones()))
def test_any_time_is_checked_or_refused_and_always_showable(moment):
    try:
        timestamps.check(moment, ahead=True)
    except ValueError:
        pass
    shown, zone = timestamps.shown(moment, moment.tzinfo)
    assert shown.astimezone(zone).year >= 1


@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=30)), st.one_of(st.none(), st.text(max_size=80)))
def test_tracking_numbers_never_break_detection(number, carrier, url):
    match = carriers.detect(number, carrier, url)
    link = carriers.tracking_url(carrier, number)
    assert link is None or link.startswith(("https://", "http://"))
    assert match is not None
    carriers.normalise_number(number)


LOADS_OVER_HTTP = re.compile(r"(url|src|image-set|cross-fade|image)\(\s*['\"]?\s*http:", re.IGNORECASE)
CSS_PIECES = st.sampled_from([
    "a{color:red}", "@import url(x);", "url(", "image-set(", "cross-fade(", "src(", "\\3c /style\\3e", "</style>",
    "@media screen{", "}", "{", ";", ":", "'", '"', "/*", "*/", "\\", "http://x", "https://x", "@font-face{",
    "expression(", "-moz-binding:", "@keyframes k{from{}to{}}", "\x00", "\n", "\u202e",
])


@given(st.lists(st.one_of(CSS_PIECES, st.text(max_size=10)), max_size=30).map("".join))
def test_custom_css_is_filtered_or_refused(text):
    try:
        served = filter_css(text)
    except CustomCssError:
        return
    # What is served inside the page's stylesheet can neither close it nor load over plain http.
    assert "<" not in served and "-->" not in served
    assert not LOADS_OVER_HTTP.search(served), served


@given(st.dictionaries(st.sampled_from(sorted(OrderIn.model_fields)), JSON_SCALARS, max_size=8))
def test_order_shapes_raise_only_validation_errors(data):
    try:
        OrderIn.model_validate(data)
    except ValidationError:
        pass
