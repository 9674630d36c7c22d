"""A parcel with many events in Chromium without JavaScript: the latest five shown, the rest one
click away behind <details>, and nothing wider than a phone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

pytestmark = pytest.mark.browser


def test_earlier_events_open_without_javascript(live_server, factory, merchant, new_page):
    start = datetime(2026, 11, 2, 8, tzinfo=timezone.utc)
    events = [{"at": (start + timedelta(hours=6 * n)).isoformat(), "status": "in_transit",
               "message": f"Scan {n}", "location": "Hub"} for n in range(9)]
    order = factory.order(merchant, fulfillment_status="fulfilled",
                          shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "events": events}])
    page = new_page(width=360, height=800, java_script_enabled=False)
    page.goto(live_server(factory.link(merchant, order)))
    visible = page.locator(".shipment .event:visible")
    assert visible.count() == 5
    page.get_by_text("4 earlier updates").click()
    assert visible.count() == 9
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
