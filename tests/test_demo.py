"""The demo: each shop's orders open in its checkout language, products have pictures drawn
locally, and the front page leads to the console and (in the demo only) the demo shops."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from portal.app import create_app
from portal.demo import PRODUCT_IMAGES, SCENARIOS, SHOPS, order_payload, product_images
from portal.orders.upsert import upsert_order
from portal.schemas import OrderIn
from portal.store.db import session_scope
from tests.conftest import html, text_of

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
STATIC = Path(__file__).resolve().parent.parent / "static"


def seed_one(portal, factory, shop, index: int = 7):
    merchant = factory.merchant(shop.slug, name=shop.name, currency=shop.currency, locale=shop.locale)
    payload = order_payload(shop, index, SCENARIOS[index], NOW,
                            product_images("http://testserver", shop.slug, portal.static_hashes))
    with session_scope(portal.engine) as session:
        order = upsert_order(session, merchant, OrderIn.model_validate(payload)).order
    return merchant, order


@pytest.mark.parametrize(("slug", "lang", "heading"), [
    ("nordlys", "nb", "Varer"), ("hygge", "da", "Varer"), ("chai", "hi", "सामान"), ("acme", "en", "Items")])
def test_demo_orders_open_in_their_shops_language(client, factory, portal, slug, lang, heading):
    shop = next(s for s in SHOPS if s.slug == slug)
    merchant, order = seed_one(portal, factory, shop)
    # A browser that prefers English still gets the language the order was placed in.
    page = html(client.get(factory.link(merchant, order), headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert page.html["lang"] == lang
    assert text_of(page.select_one("#panel-items-title")) == heading


def test_demo_products_have_small_local_pictures(client, factory, portal):
    for shop in SHOPS:
        sprite = PRODUCT_IMAGES.format(shop=shop.slug)
        views = set(re.findall(r'<view id="([a-z0-9-]+)"', (STATIC / sprite).read_text()))
        assert len(views) == len(shop.products)  # every product of the shop is drawn
        merchant, order = seed_one(portal, factory, shop, index=2)
        page = html(client.get(factory.link(merchant, order)))
        images = [img["src"] for img in page.select("#panel-items img.item__image")]
        assert images and all(src.startswith(f"http://testserver/static/{sprite}?v=") for src in images)
        assert {src.split("#")[1] for src in images} <= views
        # One small file per shop, cached for good.
        served = client.get(images[0].split("#")[0])
        assert served.status_code == 200 and served.headers["content-type"].startswith("image/svg+xml")
        assert "immutable" in served.headers["cache-control"]
        assert len(served.content) < 1024


def test_demo_totals_say_how_tax_is_counted(client, factory, portal):
    nordic, us = (next(s for s in SHOPS if s.slug == slug) for slug in ("nordlys", "acme"))
    merchant, order = seed_one(portal, factory, nordic)
    page = html(client.get(factory.link(merchant, order) + "?lang=en"))
    assert "incl. tax" in text_of(page.select_one(".totals__total"))
    merchant, order = seed_one(portal, factory, us)
    page = html(client.get(factory.link(merchant, order) + "?lang=en"))
    assert "incl. tax" not in text_of(page.select_one(".totals__total"))
    assert "Tax" in [text_of(dt) for dt in page.select(".totals dt")]


def test_front_page_links_to_the_console(client):
    page = html(client.get("/?lang=en"))
    links = {text_of(a): a["href"] for a in page.select("main a, .card a")}
    assert links["Shop staff: sign in to the console"] == "/admin/login"
    assert page.select_one(".demo-shops") is None  # outside the demo, no shop is named


def test_demo_front_page_lists_the_demo_shops(settings):
    with TestClient(create_app(settings.model_copy(update={"demo": True}))) as demo_client:
        page = html(demo_client.get("/?lang=en"))
    links = {a["href"] for a in page.select(".demo-shops a")}
    assert links == {f"/{shop.slug}/track" for shop in SHOPS}
    assert "Norsk bokmål" in text_of(page.select_one(".demo-shops"))


def test_seeding_again_changes_nothing_and_returns_come_after_delivery(settings, portal):
    from sqlmodel import func, select

    from portal.demo import seed
    from portal.store.models import Order, StaffEntry, TimelineEntry

    def state():
        with session_scope(portal.engine) as session:
            return (session.exec(select(func.sum(Order.version))).one(),
                    session.exec(select(func.count()).select_from(StaffEntry)).one(),
                    session.exec(select(func.count()).select_from(TimelineEntry)).one())

    count = 1 + max(i for i, s in enumerate(SCENARIOS) if s[0] == "returned and refunded")
    list(seed(portal.engine, settings, orders_per_merchant=count))
    first = state()
    list(seed(portal.engine, settings, orders_per_merchant=count))
    assert state() == first
    with session_scope(portal.engine) as session:
        for order in session.exec(select(Order).where(Order.return_status != "none")).all():
            entries = session.exec(select(TimelineEntry).where(TimelineEntry.order_id == order.id)
                                   .order_by(TimelineEntry.at, TimelineEntry.id)).all()
            kinds = [entry.kind for entry in entries]
            assert kinds.index("shipped") < min(i for i, k in enumerate(kinds) if k.startswith(("return", "refund")))
            assert entries[-1].at <= datetime.now(timezone.utc)
