"""Guest lookup: success by e-mail/phone/postal code, tracking numbers, uniform failures, rate limit."""

from __future__ import annotations

import time

import pytest

from tests.conftest import html, text_of


def csrf(client, shop="acme") -> str:
    page = client.get(f"/{shop}/track")
    assert page.status_code == 200
    return html(page).find("input", {"name": "csrf_token"})["value"]


def submit(client, shop="acme", **fields):
    return client.post(f"/{shop}/track", data={"csrf_token": csrf(client, shop), **fields})


@pytest.fixture
def order(factory, merchant):
    return factory.order(merchant, shipments=[
        {"carrier": "UPS", "tracking_number": "1Z999AA10123456784",
         "events": [{"at": "2026-11-03T08:00:00Z", "status": "in_transit", "location": "Louisville, KY"}]},
    ])


def test_form_is_shown(client, merchant):
    page = html(client.get("/acme/track"))
    assert page.find("input", {"name": "order_number"}) is not None
    assert page.find("input", {"name": "contact"}) is not None
    assert page.find("input", {"name": "tracking_number"}) is not None


@pytest.mark.parametrize("number, contact", [
    ("#1001", "shopper@example.com"),
    ("1001", "  SHOPPER@example.COM "),
    (" # 1001", "+1 503 555 0142"),
    ("1001", "503-555-0142"),
    ("1001", "97205"),
])
def test_match_redirects_to_signed_link(client, order, number, contact):
    response = submit(client, order_number=number, contact=contact)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/acme/orders/")
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "#1001" in text_of(html(page).find("h1"))


def test_tracking_number_shows_shipment_only(client, order):
    response = submit(client, tracking_number="1z999 aa1 0123456784")
    assert response.status_code == 200
    page = html(response)
    assert "UPS" in text_of(page.find(class_="shipment__carrier"))
    assert "Louisville" in text_of(page.find(class_="events"))
    # No order details, no personal data.
    body = text_of(page)
    assert "#1001" not in body and "shopper@example.com" not in body.lower() and "Trail mug" not in body
    assert page.find(id="panel-items") is None


def _failure(client, **fields):
    started = time.monotonic()
    response = submit(client, **fields)
    elapsed = time.monotonic() - started
    return response.status_code, text_of(html(response).find(id="lookup-error")), elapsed


def test_every_failure_looks_the_same(client, order, settings):
    failures = [
        _failure(client, order_number="9999", contact="shopper@example.com"),   # no such order
        _failure(client, order_number="1001", contact="someone@else.com"),      # wrong contact
        _failure(client, order_number="1001", contact=""),                      # missing contact
        _failure(client, order_number="", contact="", tracking_number=""),      # nothing
        _failure(client, order_number="x" * 500, contact="\x00<script>"),       # malformed
        _failure(client, tracking_number="1Z999AA10123456785"),                 # unknown tracking number
    ]
    statuses = {status for status, _, _ in failures}
    messages = {message for _, message, _ in failures}
    assert statuses == {404}
    assert len(messages) == 1 and "could not find" in messages.pop()
    floor = settings.lookup_failure_floor_ms / 1000
    assert all(elapsed >= floor for _, _, elapsed in failures)


def test_lookup_is_scoped_to_the_shop(client, order, factory):
    factory.merchant("rival")
    response = submit(client, shop="rival", order_number="1001", contact="shopper@example.com")
    assert response.status_code == 404
    response = submit(client, shop="rival", tracking_number="1Z999AA10123456784")
    assert response.status_code == 404


def test_an_expired_form_says_so_and_keeps_what_was_typed(client, order):
    """Right details in a form whose token is missing or stale (the session ended): the shopper is
    told to send it again, not that the order does not exist. Nothing is looked up."""
    for token in (None, "stale"):
        data = {"order_number": "1001", "contact": "shopper@example.com"}
        response = client.post("/acme/track", data=data if token is None else {**data, "csrf_token": token})
        assert response.status_code == 422
        page = html(response)
        assert "This form has expired. Please send it again." in text_of(page.find("main"))
        assert page.find("input", {"name": "order_number"})["value"] == "1001"


def test_rate_limit_answers_429_with_retry_after(app, client, order):
    app.state.portal.settings.lookup_rate_limit = "3/minute"
    for _ in range(3):
        assert submit(client, order_number="9999", contact="x@y.z").status_code == 404
    limited = submit(client, order_number="1001", contact="shopper@example.com")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "try again" in text_of(html(limited).find("main")).lower()


def test_unknown_shop_is_a_themed_404(client):
    response = client.get("/no-such-shop/track")
    assert response.status_code == 404
    assert "Page not found" in text_of(html(response).find("h1"))


@pytest.fixture
def norwegian_order(factory, merchant):
    return factory.order(merchant, number="#2001", phone="+47 912 34 567", email="ola@example.no")


@pytest.mark.parametrize("contact", ["+4791234567", "+47 912 34 567", "91234567", "912 34 567", "0047 912 34 567"])
def test_phone_matches_the_whole_number_with_or_without_country_code(client, norwegian_order, contact):
    response = submit(client, order_number="2001", contact=contact)
    assert response.status_code == 303


@pytest.mark.parametrize("contact", ["234567", "34567", "1234567", "791234567", "+46 912 34 567", "+1 912 34 567",
                                     "99 91234567"])
def test_phone_part_or_other_country_is_no_match(client, norwegian_order, contact):
    status, message, _ = _failure(client, order_number="2001", contact=contact)
    unknown_status, unknown_message, _ = _failure(client, order_number="2999", contact=contact)
    assert (status, message) == (unknown_status, unknown_message) == (404, message)
    assert "could not find" in message
