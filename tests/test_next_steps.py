"""A delivery problem, a cancelled order and a return offer the next step: the shop with the order
reference filled in, the carrier's own page."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from portal.orders.contact import support_page_link
from tests.conftest import html, text_of

UPS = "1Z999AA10123456784"


def next_steps(client, link: str, lang: str = "en"):
    page = html(client.get(link, params={"lang": lang}))
    box = page.select_one("#panel-status .next-steps")
    return {text_of(a): a["href"] for a in box.select("a")} if box else None


def test_a_delivery_problem_offers_the_shop_and_the_carrier(client, factory):
    shop = factory.merchant("acme", name="Acme Outdoor", support_email="help@acme.example")
    order = factory.order(shop, fulfillment_status="fulfilled", shipments=[
        {"carrier": "UPS", "tracking_number": UPS, "status": "exception",
         "events": [{"at": "2026-11-04T10:00:00Z", "status": "exception", "message": "Address not found"}]}])
    links = next_steps(client, factory.link(shop, order))
    mail = urlsplit(links["E-mail Acme Outdoor"])
    assert mail.scheme == "mailto" and mail.path == "help@acme.example"
    query = {key: values[0] for key, values in parse_qs(mail.query).items()}
    assert query["subject"] == "Order #1001"
    assert query["body"].startswith("Order reference: #1001")
    assert links["Track with UPS"].startswith("https://") and UPS in links["Track with UPS"]
    # In the shopper's language.
    german = next_steps(client, factory.link(shop, order), "de")
    mail = urlsplit(german["E-Mail an Acme Outdoor"])
    assert unquote(parse_qs(mail.query)["body"][0]).startswith("Bestellreferenz: #1001")


def test_a_support_page_gets_the_reference_as_a_query_parameter(client, factory):
    shop = factory.merchant("fjord", name="Fjord", support_url="https://fjord.example/help?topic=orders")
    order = factory.order(shop, status="cancelled", cancel_reason="inventory")
    links = next_steps(client, factory.link(shop, order))
    assert links == {"Contact Fjord": "https://fjord.example/help?topic=orders&order=%231001"}
    assert support_page_link("https://fjord.example/help", "#1001") == "https://fjord.example/help?order=%231001"


@pytest.mark.parametrize(("order", "offered"), [
    ({"return_status": "in_progress", "fulfillment_status": "fulfilled",
      "shipments": [{"carrier": "UPS", "tracking_number": UPS, "status": "delivered"}]}, True),
    ({"status": "cancelled", "cancel_reason": "customer"}, True),
    ({"fulfillment_status": "fulfilled",
      "shipments": [{"carrier": "UPS", "tracking_number": UPS, "status": "in_transit"}]}, False),
    ({"fulfillment_status": "fulfilled",
      "shipments": [{"carrier": "UPS", "tracking_number": UPS, "status": "delivered"}]}, False),
])
def test_next_steps_appear_where_they_matter(client, factory, merchant, order, offered):
    links = next_steps(client, factory.link(merchant, factory.order(merchant, **order)))
    assert (links is not None) == offered
    if offered:
        assert "E-mail Acme Outdoor" in links


def test_each_shop_offers_only_its_own_contact(client, factory):
    one = factory.merchant("one", name="One", support_email="help@one.example")
    two = factory.merchant("two", name="Two", support_email="help@two.example")
    factory.order(one, status="cancelled")
    order = factory.order(two, status="cancelled")
    links = next_steps(client, factory.link(two, order))
    assert list(links) == ["E-mail Two"] and "help@two.example" in links["E-mail Two"]
