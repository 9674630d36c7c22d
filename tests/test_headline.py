"""The order page's headline: what it says for each state of an order, its dates in several
locales and time zones, and the shop's usual times as an estimate."""

from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from portal import i18n
from portal.cli import main
from portal.i18n import tooling
from portal.i18n.headlines import headline_detail, headline_text
from portal.merchants import MerchantError, apply_settings
from portal.orders.headline import add_business_days, decide
from portal.store import queries
from portal.store.db import session_scope
from tests.conftest import html, text_of

UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def catalogs():
    i18n.configure(tooling.Paths().locales)
TODAY = date(2026, 12, 1)  # a Tuesday


def order(**fields):
    values = {"status": "open", "cancel_reason": None, "return_status": "none", "fulfillment_status": "fulfilled",
              "placed_at": datetime(2026, 11, 27, 10, tzinfo=timezone.utc)}
    return SimpleNamespace(**{**values, **fields})


def parcel(id=1, status="in_transit", eta=None, eta_end=None, delivered_at=None, shipped_at=None, events=()):
    shipment = SimpleNamespace(id=id, status=status, estimated_delivery=eta, estimated_delivery_end=eta_end,
                               delivered_at=delivered_at, shipped_at=shipped_at)
    return shipment, [SimpleNamespace(at=at, status=s, location=loc) for at, s, loc in events]


def said(the_order, parcels=(), settings=None, zone=UTC, today=TODAY, locale="en"):
    i18n.activate(locale)
    head = decide(the_order, list(parcels), settings or {}, zone, today)
    # Babel spaces ranges with thin and no-break spaces: compared as plain spaces.
    return " ".join(headline_text(head).split()), headline_detail(head), head


@pytest.mark.parametrize(("locale", "single", "ranged"), [
    ("en", "Arriving Thu, December 3", "Arriving Wed, Dec 2 – Fri, Dec 4"),
    ("de", "Ankunft Do., 3. Dezember", "Ankunft Mi., 2. – Fr., 4. Dez."),
    ("ja", "お届け予定 12月3日木曜日", "お届け予定 12月2日(水)～4日(金)"),
    ("ar", "يصل الخميس، 3 ديسمبر", "يصل الأربعاء، 2 – الجمعة، 4 ديسمبر"),
])
def test_arrival_is_a_day_or_a_range_in_the_shoppers_language(locale, single, ranged):
    one = parcel(eta=date(2026, 12, 3))
    two = parcel(eta=date(2026, 12, 2), eta_end=date(2026, 12, 4))
    assert said(order(), [one], locale=locale)[0] == single
    assert said(order(), [two], locale=locale)[0] == ranged


def test_arrival_range_spans_every_parcel_on_its_way_and_names_the_year_when_not_this_one():
    parcels = [parcel(1, eta=date(2026, 12, 3)), parcel(2, eta=date(2026, 12, 2), eta_end=date(2026, 12, 8))]
    assert said(order(), parcels)[0] == "Arriving Wed, Dec 2 – Tue, Dec 8"
    next_year = parcel(eta=date(2027, 1, 4))
    assert said(order(), [next_year])[0] == "Arriving Mon, January 4, 2027"


def test_arriving_today_and_running_late():
    assert said(order(), [parcel(eta=TODAY)])[0] == "Arriving today"
    text, _, head = said(order(), [parcel(eta=date(2026, 11, 27), eta_end=date(2026, 11, 30))])
    assert text == "Running late: expected Fri, Nov 27 – Mon, Nov 30" and head.tone == "warn"
    # A range that began already starts today.
    assert said(order(), [parcel(eta=date(2026, 11, 30), eta_end=date(2026, 12, 2))])[0] == \
        "Arriving Tue, Dec 1 – Wed, Dec 2"


def test_delivered_date_is_the_shops_day():
    # 23:30 UTC on Sunday 29 November is already Monday in Oslo, still Sunday in New York.
    moment = datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc)
    delivered = parcel(status="delivered", delivered_at=moment)
    assert said(order(), [delivered], zone=ZoneInfo("Europe/Oslo"))[0] == "Delivered Mon, November 30"
    assert said(order(), [delivered], zone=ZoneInfo("America/New_York"))[0] == "Delivered Sun, November 29"
    assert said(order(), [delivered], zone=ZoneInfo("Europe/Oslo"), locale="nb")[0] == "Levert man. 30 november"


def test_out_for_delivery_today_is_the_shops_today():
    # 03:00 UTC on 2 December is the evening of 1 December in New York.
    van = parcel(status="out_for_delivery",
                 events=[(datetime(2026, 12, 2, 3, tzinfo=timezone.utc), "out_for_delivery", None)])
    assert said(order(), [van], zone=ZoneInfo("America/New_York"), today=date(2026, 12, 1))[0] == \
        "Out for delivery today"
    assert said(order(), [van], zone=UTC, today=date(2026, 12, 3))[0] == "Out for delivery"


def test_parcels_partly_delivered_and_items_still_to_ship():
    done = parcel(1, status="delivered", delivered_at=datetime(2026, 11, 30, 12, tzinfo=timezone.utc))
    parcels = [done, parcel(2, eta=date(2026, 12, 3)), parcel(3)]
    assert said(order(), parcels)[0] == "1 of 3 parcels delivered"
    assert said(order(), parcels, locale="pl")[0] == "Doręczono 1 z 3 paczek"
    text, detail, _ = said(order(fulfillment_status="partially_fulfilled"), [done, parcel(2)])
    assert (text, detail) == ("1 of 2 parcels delivered", "Some items have not shipped yet.")
    # Every parcel delivered, but the shop says more is to come: not "Delivered".
    text, detail, _ = said(order(fulfillment_status="partially_fulfilled"), [done])
    assert (text, detail) == ("Partly delivered: more items to come", "")


def test_problems_pickup_cancelled_and_returns_come_before_dates():
    place = "Storgata 5 parcel point"
    pickup = parcel(2, status="available_for_pickup",
                    events=[(datetime(2026, 12, 1, 9, tzinfo=timezone.utc), "available_for_pickup", place)])
    problem = parcel(3, status="attempt_fail")
    on_time = parcel(1, eta=date(2026, 12, 3))
    assert said(order(), [on_time, pickup])[0] == f"Ready for pickup at {place}"
    text, _, head = said(order(), [on_time, pickup, problem])
    assert text == "Delivery problem: delivery attempt failed" and head.shipment_id == 3 and head.tone == "bad"
    assert said(order(), [parcel(status="exception")], locale="de")[0] == \
        "Zustellproblem: Der Versanddienst hat ein Problem gemeldet"
    assert said(order(return_status="in_progress"), [on_time])[0] == "Return in progress"
    assert said(order(status="cancelled", cancel_reason="inventory"), [problem])[0] == \
        "Cancelled: items were out of stock"
    assert said(order(status="cancelled", cancel_reason=None))[0] == "Cancelled"
    # A declined return leaves the delivery news.
    assert said(order(return_status="declined"), [on_time])[0] == "Arriving Thu, December 3"


def test_nothing_shipped_yet_uses_the_shops_usual_times_as_an_estimate():
    usual = {"processing_days": [1, 2], "transit_days": [2, 5]}
    # Placed on Friday 27 November: 3 to 7 working days later is Wednesday 2 to Tuesday 8 December.
    text, detail, head = said(order(fulfillment_status="unfulfilled"), settings=usual, today=date(2026, 11, 28))
    assert text == "Estimated arrival Wed, Dec 2 – Tue, Dec 8" and head.estimate
    assert detail.startswith("Preparing your order.")
    assert said(order(fulfillment_status="unfulfilled"), settings=usual, today=date(2026, 11, 28),
                locale="fi")[0] == "Arvioitu saapuminen ke 2. – ti 8. joulukuuta"
    # Without the settings, or once the estimate has passed: no dates rather than wrong ones.
    assert said(order(fulfillment_status="unfulfilled"))[0:2] == ("Preparing your order", "")
    assert said(order(fulfillment_status="unfulfilled"), settings=usual, today=date(2026, 12, 10))[0] == \
        "Preparing your order"
    assert said(order(fulfillment_status="on_hold"), settings=usual)[0] == "Your order is on hold"


def test_a_parcel_without_a_carrier_date_uses_the_shops_transit_time():
    shipped = parcel(shipped_at=datetime(2026, 11, 30, 15, tzinfo=timezone.utc))  # a Monday
    text, detail, _ = said(order(), [shipped], settings={"transit_days": [1, 3]})
    assert text == "Estimated arrival Tue, Dec 1 – Thu, Dec 3"
    assert detail == "Estimate based on the shop's usual delivery times."
    assert said(order(), [shipped])[0] == "On its way"


def test_business_days_skip_weekends():
    friday = date(2026, 11, 27)
    assert [add_business_days(friday, n) for n in (0, 1, 2)] == [friday, date(2026, 11, 30), date(2026, 12, 1)]


# -- the setting and the page ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["5-2", "x", "61", "1-", "-1", "1.5"])
def test_bad_day_settings_are_refused_and_nothing_changes(portal, merchant, value):
    with session_scope(portal.engine) as session:
        shop = queries.merchant_by_slug(session, merchant.slug)
        with pytest.raises(MerchantError, match="processing_days"):
            apply_settings(session, shop, {"transit_days": "2-5", "processing_days": value})
    with session_scope(portal.engine) as session:
        assert "transit_days" not in queries.merchant_by_slug(session, merchant.slug).settings


def test_cli_sets_the_usual_times_and_the_page_shows_the_estimate(settings, monkeypatch, client, factory):
    for name, value in (("DATABASE_URL", settings.database_url), ("SECRET_KEY", settings.secret_key),
                        ("INSTANCE_DIR", str(settings.instance_dir))):
        monkeypatch.setenv(f"PORTAL_{name}", value)
    shop = factory.merchant("fjord", name="Fjord", timezone="Europe/Oslo")
    today = datetime.now(ZoneInfo("Europe/Oslo"))
    placed = factory.order(shop, placed_at=today.isoformat(), fulfillment_status="unfulfilled")
    link = factory.link(shop, placed)
    assert text_of(html(client.get(link)).find(id="order-headline")) == "Preparing your order"

    result = CliRunner().invoke(main, ["merchant", "set", "fjord", "processing_days=1-2", "transit_days=2-5"])
    assert result.exit_code == 0, result.output
    page = html(client.get(link))
    assert text_of(page.find(id="order-headline")).startswith("Estimated arrival ")
    assert "usual processing and delivery times" in text_of(page.select_one(".headline__detail"))
    german = html(client.get(link + "?lang=de"))
    assert text_of(german.find(id="order-headline")).startswith("Voraussichtliche Ankunft ")

    bad = CliRunner().invoke(main, ["merchant", "set", "fjord", "transit_days=9-3"])
    assert bad.exit_code != 0 and "transit_days" in bad.output


@pytest.mark.parametrize("theme", ["classic", "bold", "minimal"])
def test_every_theme_opens_with_the_headline_and_live_updates_keep_it(client, factory, theme):
    shop = factory.merchant(f"{theme}-shop", theme=theme)
    placed = factory.order(shop, shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456784",
                                            "status": "in_transit", "estimated_delivery": "2099-06-01"}])
    link = factory.link(shop, placed)
    page = html(client.get(link))
    headline = page.find(id="order-headline")
    assert text_of(headline) == "Arriving Mon, June 1, 2099"
    # Before the order's other panels: the first thing under the title.
    assert headline.find_previous(id="panel-shipments") is None
    panel = html(client.get(link, params={"panel": "status"}, headers={"HX-Request": "true"}))
    assert text_of(panel.find(id="order-headline")) == "Arriving Mon, June 1, 2099"


def test_the_headline_follows_a_new_tracking_event(client, factory, merchant):
    key = factory.api_key(merchant)
    placed = factory.order(merchant, shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456784",
                                                "status": "in_transit"}])
    link = factory.link(merchant, placed)
    assert text_of(html(client.get(link)).find(id="order-headline")) == "On its way"
    body = {"events": [{"at": datetime.now(timezone.utc).isoformat(), "status": "delivered"}]}
    headers = {"Authorization": f"Bearer {key}"}
    shipment = client.get(f"/api/v1/orders/{placed.number.lstrip('#')}", headers=headers).json()["shipments"][0]
    response = client.post(f"/api/v1/shipments/{shipment['id']}/events", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    panel = html(client.get(link, params={"panel": "status"}, headers={"HX-Request": "true"}))
    assert text_of(panel.find(id="order-headline")).startswith("Delivered ")
