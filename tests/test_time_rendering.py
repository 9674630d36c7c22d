"""Any stored time renders, in every locale and zone: a time outside the accepted range (rows from
before it existed) is shown in UTC instead of failing when the shop's zone cannot hold it, and a
newer valid carrier event still moves a parcel that such a row had pinned."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.dates import format_date, format_datetime
from click.testing import CliRunner
from zoneinfo import ZoneInfo

from portal import i18n
from portal.cli import main
from portal.orders.upsert import number_key
from portal.store import queries
from portal.store.models import Order, TimelineEntry, TrackingEvent
from tests.conftest import console_login, html, now, order_data, text_of

SHIPPED_LOCALES = sorted(p.name for p in (Path(__file__).parent.parent / "locales").iterdir() if p.is_dir())
# Both ends of the world's offsets (+14, -12, -11) and common shop zones.
ZONES = ("UTC", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12", "Etc/GMT-14", "Pacific/Pago_Pago",
         "Asia/Tokyo")
EARLIEST = datetime(1, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone.utc)
OUT_OF_RANGE = (EARLIEST, LATEST, datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59),
                datetime(1969, 12, 31, 23, 59, 59, tzinfo=timezone.utc))
IN_RANGE = (datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2100, 12, 31, 23, 59, 59, tzinfo=timezone.utc))
FORMATS = ("short", "medium", "long", "full", "yyyy-MM-dd HH:mm zzzz")
UPS = "1Z999AA10123456784"


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_any_time_renders_in_every_locale_and_zone(locale):
    for zone in ZONES:
        i18n.activate(locale, tz=zone)
        for moment in OUT_OF_RANGE:
            # Outside the range, the text is the moment's UTC text: never an error.
            for fmt in FORMATS:
                assert i18n.datetime_(moment, fmt) == format_datetime(moment, fmt, tzinfo=timezone.utc, locale=locale)
            utc = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            assert i18n.date_(moment, "long") == format_date(utc.date(), "long", locale=locale)
            assert i18n.relative(utc)
        for moment in IN_RANGE:
            # Inside it, the shop's own zone, even at its ends.
            for fmt in FORMATS:
                assert i18n.datetime_(moment, fmt) == format_datetime(moment, fmt, tzinfo=ZoneInfo(zone), locale=locale)
            assert i18n.date_(moment, "long") == format_date(moment.astimezone(ZoneInfo(zone)).date(), "long",
                                                              locale=locale)


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


@pytest.fixture
def set_merchant(settings, monkeypatch):
    """`portal merchant set acme KEY=VALUE`, as a merchant would run it."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(settings.instance_dir))

    def run(*pairs: str) -> None:
        result = CliRunner().invoke(main, ["merchant", "set", "acme", *pairs])
        assert result.exit_code == 0, result.output

    return run


def _old_rows(portal, merchant) -> Order:
    """Times written before the range existed, straight through the store, at both of its ends."""
    with portal.session() as session:
        order = queries.order_by_number_key(session, merchant.id, number_key("1001"))
        (shipment,) = queries.shipments(session, order.id)
        order.placed_at = EARLIEST
        shipment.shipped_at, shipment.delivered_at, shipment.status = EARLIEST, LATEST, "delivered"
        session.add_all([
            order, shipment,
            TrackingEvent(shipment_id=shipment.id, at=EARLIEST, status="info_received", message="zero time"),
            TrackingEvent(shipment_id=shipment.id, at=LATEST, status="delivered", message="far future"),
            TimelineEntry(order_id=order.id, at=LATEST, kind="message", params={"text": "far future"}),
        ])
        session.commit()
        return order


def _badges(client, link) -> tuple[str, str]:
    """The order's shipping badge and its parcel's status badge, as a shopper reads them."""
    page = html(client.get(link, params={"lang": "en"}))
    shipping = next(block for block in page.select("#panel-status .badges > div")
                    if text_of(block.find("dt")) == "Shipping")
    return text_of(shipping.find(class_="badge")), text_of(page.select_one(".shipment__head .badge"))


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"])
def test_old_rows_out_of_range_render_everywhere_and_a_new_event_corrects_them(
        client, auth, factory, portal, merchant, set_merchant, zone):
    data = order_data(fulfillment_status="fulfilled", shipments=[{"carrier": "UPS", "tracking_number": UPS}])
    assert client.post("/api/v1/orders", json=data, headers=auth).status_code == 201
    order = _old_rows(portal, merchant)
    set_merchant(f"timezone={zone}")
    link = factory.link(merchant, order)

    for locale in SHIPPED_LOCALES:
        response = client.get(link, params={"lang": locale})
        assert response.status_code == 200, (locale, response.text[-500:])
        assert "far future" in response.text
    for panel in ("status", "shipments", "timeline", "items", "details"):
        assert client.get(link, params={"panel": panel}, headers={"HX-Request": "true"}).status_code == 200, panel
    lookup = html(client.get("/acme/track"))
    token = lookup.find("input", {"name": "csrf_token"})["value"]
    found = client.post("/acme/track", data={"csrf_token": token, "tracking_number": UPS})
    assert found.status_code == 200
    assert "far future" in text_of(html(found).find(class_="events"))

    console_login(client, factory, merchant)
    assert client.get(f"/admin/orders/{order.id}").status_code == 200
    assert "#1001" in text_of(html(client.get("/admin/")))

    # The far-future "delivered" does not stay the parcel's status: the carrier's real news wins.
    assert _badges(client, link) == ("Delivered", "Delivered")
    news = [{"tracking_number": UPS, "at": (now() - timedelta(hours=1)).isoformat(), "status": "in_transit"}]
    assert client.post("/api/v1/events", json={"events": news}, headers=auth).json()["added"] == 1
    assert _badges(client, link) == ("Shipped", "In transit")
