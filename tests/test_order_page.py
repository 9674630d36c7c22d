"""The order status page, for every demo case: what a shopper sees (parsed HTML)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from babel.numbers import format_currency
from starlette.testclient import TestClient

from portal.demo import SCENARIOS, SHOPS, order_payload
from portal.orders.upsert import upsert_order
from portal.schemas import OrderIn
from portal.store.db import session_scope
from tests.conftest import html, text_of

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
ACME = next(shop for shop in SHOPS if shop.slug == "acme")


@pytest.fixture
def demo_page(client, factory, portal):
    merchant = factory.merchant("acme", name="Acme Outdoor", support_email="support@acme.example")

    def open_scenario(index: int):
        with session_scope(portal.engine) as session:
            order = upsert_order(session, merchant,
                                 OrderIn.model_validate(order_payload(ACME, index, SCENARIOS[index], NOW))).order
        response = client.get(factory.link(merchant, order))
        assert response.status_code == 200
        return html(response)

    return open_scenario


def scenario(name: str) -> int:
    return next(i for i, s in enumerate(SCENARIOS) if s[0] == name)


def badge(page, kind: str) -> str | None:
    for block in page.select("#panel-status .badges > div"):
        if text_of(block.find("dt")) == kind:
            return block.find(class_="badge")["data-status"]
    return None


def current_step(page) -> str:
    return text_of(page.select_one(".progress__step[aria-current=step]"))


@pytest.mark.parametrize("index", range(len(SCENARIOS)))
def test_badges_match_the_order_for_every_demo_case(demo_page, index):
    name, status, reason, payment, fulfilment, returns, shipments, _ = SCENARIOS[index]
    page = demo_page(index)
    assert badge(page, "Order") == status
    assert badge(page, "Payment") == payment
    # A fulfilled order whose every parcel has arrived says so.
    delivered = fulfilment == "fulfilled" and shipments and all(s == "delivered" for s in shipments)
    assert badge(page, "Shipping") == ("delivered" if delivered else fulfilment)
    assert badge(page, "Return") == (None if returns == "none" else returns)
    assert len(page.select("#panel-shipments .shipment")) == len(shipments)
    # Staff notes and tags are never shown to shoppers.
    assert "Demo scenario" not in text_of(page)
    assert not [node for node in page.find_all(string=True) if node.strip() in (name, "demo")]


def test_unpaid_order(demo_page):
    page = demo_page(scenario("unpaid"))
    assert current_step(page) == "Ordered"
    assert "not shipped yet" in text_of(page.find(id="panel-shipments"))


def test_partially_fulfilled_with_two_shipments(demo_page):
    page = demo_page(scenario("two shipments, partly shipped"))
    shipments = page.select("#panel-shipments .shipment")
    assert [s.find(class_="badge")["data-status"] for s in shipments] == ["delivered", "in_transit"]
    assert current_step(page) == "Shipped"
    assert text_of(page.find(id="panel-shipments-title")) == "Shipments"


def test_delivered(demo_page):
    page = demo_page(scenario("delivered"))
    assert current_step(page) == "Delivered"
    facts = text_of(page.select_one(".shipment__facts"))
    assert "Delivered" in facts and "ago" in facts
    link = page.select_one(".tracking-number a")
    assert link["target"] == "_blank" and link["href"].startswith("https://")
    assert "noopener" in link["rel"]


def test_delivery_exception_is_flagged(demo_page):
    page = demo_page(scenario("delivery exception"))
    assert "progress--problem" in page.select_one(".progress")["class"]
    assert text_of(page.find(id="order-headline")) == "Delivery problem: the carrier reported a problem"
    assert page.select_one("#panel-status .next-steps a[href^='mailto:']") is not None
    assert page.select_one(".shipment--problem .badge")["data-status"] == "exception"
    assert "Address could not be found" in text_of(page.select_one(".events"))


def test_cancelled_with_reason(demo_page):
    page = demo_page(scenario("cancelled, out of stock"))
    assert text_of(page.find(id="order-headline")) == "Cancelled: items were out of stock"
    assert page.select_one(".progress") is None
    assert "Order cancelled: Items were out of stock" in text_of(page.find(id="panel-timeline"))


def test_refunded_and_return_in_progress(demo_page):
    refunded = demo_page(scenario("cancelled by customer, refunded"))
    assert badge(refunded, "Payment") == "refunded"
    assert "refunded" in text_of(refunded.find(id="panel-timeline"))
    returning = demo_page(scenario("return in progress"))
    assert text_of(returning.select_one('[data-status="in_progress"]')) == "Return in progress"


def test_presentment_currency_is_what_the_shopper_paid(demo_page):
    index = scenario("paid in another currency, in transit")
    payload = order_payload(ACME, index, SCENARIOS[index], NOW)
    page = demo_page(index)
    total = text_of(page.select_one(".totals__total dd"))
    expected = format_currency(payload["presentment_totals"]["total"], "CAD", locale="en")
    assert total == expected and total.startswith("CA$")
    assert "USD" not in text_of(page.find(id="panel-items"))


def test_details_are_masked_and_support_is_shown(demo_page):
    page = demo_page(scenario("in transit"))
    address = text_of(page.select_one(".address"))
    assert "Alex" not in address and "Storgata 12" not in address and "Portland" in address
    assert "G-AC" in text_of(page.select_one(".reference"))
    assert page.select_one('.support a[href^="mailto:"]')["href"] == "mailto:support@acme.example"


def test_timeline_and_items(demo_page):
    page = demo_page(scenario("out for delivery"))
    timeline = [text_of(li.find("span")) for li in page.select("#panel-timeline li")]
    assert timeline[0] == "Out for delivery"
    assert timeline[-1] == "Order placed"
    assert "Payment received" in timeline
    items = page.select("#panel-items .item")
    assert items and all(text_of(i.select_one(".item__price")).startswith("$") for i in items)


def test_page_structure(demo_page):
    page = demo_page(scenario("in transit"))
    assert page.html["lang"] == "en" and page.html["dir"] == "ltr"
    assert "merchant-acme" in page.body["class"] and "page-order" in page.body["class"]
    for panel in ("panel-status", "panel-shipments", "panel-items", "panel-timeline", "panel-details"):
        assert page.find(id=panel) is not None
    assert page.find("script", src=True)["src"].startswith("/static/vendor/live.js?v=")  # htmx and portal.js
    assert not [s for s in page.find_all("script") if not s.get("src")]  # no inline script


def test_the_first_shopper_after_start_up_waits_for_no_template_or_locale_data(app, factory, monkeypatch):
    """Start-up does what the first page of a process would otherwise pay for (about half a
    second): compiling the theme's templates and loading the shopper's CLDR locale data."""
    import babel.localedata
    from jinja2 import FileSystemLoader

    babel.localedata._cache.clear()  # as in a new process
    read = []
    get_source = FileSystemLoader.get_source
    monkeypatch.setattr(FileSystemLoader, "get_source",
                        lambda loader, env, name: read.append(name) or get_source(loader, env, name))
    with TestClient(app) as client:  # start-up (the lifespan) runs here
        merchant = factory.merchant("fjord", theme="bold", locale="de", currency="EUR")
        link = factory.link(merchant, factory.order(merchant, currency="EUR"))
        read.clear()
        loaded = set(babel.localedata._cache)
        page = client.get(link, headers={"Accept-Language": "de"})
    assert page.status_code == 200 and page.headers["Content-Language"] == "de"
    assert "49,00" in text_of(html(page).find(id="panel-items"))  # the items' amounts, in German
    assert read == [], f"templates compiled while the shopper waited: {read}"
    assert set(babel.localedata._cache) == loaded, "locale data loaded while the shopper waited"
