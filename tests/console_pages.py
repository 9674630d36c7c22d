"""Every console page, for tests that visit them all (tests/browser/test_console_every_page.py,
tests/test_console_catalogs.py): a shop with something in every table, and the path of each page.

The pages are the app's own GET routes under /admin, so a console page added later is covered
without touching the tests; a page whose path needs an id `seed_console` does not supply fails,
naming the id to add.
"""

from __future__ import annotations

import re

from starlette.routing import Route

from portal.notify import notifications
from portal.orders import custom_statuses, returns
from portal.orders.custom_statuses import StatusInput
from portal.store.db import session_scope
from portal.store.models import Merchant
from portal.store.shopper_requests import OrderFeedback
from tests.returns_helpers import delivered_order, line_ids, switch_on
from tests.webhooks.support import fixture_json, receive_shopify

PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def console_paths(app, ids: dict[str, int]) -> list[str]:
    """The path of every console page: the app's GET routes under /admin, ids filled in."""
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or not route.path.startswith("/admin") or "GET" not in (route.methods or ()):
            continue
        missing = [name for name in PARAM.findall(route.path) if name not in ids]
        assert not missing, f"{route.path}: give an id for {missing} in seed_console() so the page is tested"
        paths.append(PARAM.sub(lambda m: str(ids[m.group(1)]), route.path))
    return sorted(set(paths))


LONG_WORD = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"  # a real town


def seed_console(portal, factory) -> dict[str, int]:
    """The shop "acme" with a login (owner@example.com), orders in several states, a custom status,
    a queued e-mail and a webhook delivery; the ids the console's paths need."""
    merchant = factory.merchant("acme", name="Acme Outdoor", support_email="help@acme.example")
    user = factory.user(merchant)
    order = factory.order(merchant, number="#1001", payment_status="partially_refunded",
                          fulfillment_status="partially_fulfilled", email="a.very.long.address@example.com",
                          shipping_address={"city": LONG_WORD, "country_code": "GB"},
                          shipments=[{"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                                      "status": "in_transit"},
                                     # Values with nowhere to break a line: no page may widen for them.
                                     {"carrier": "DeutschePostDHLGroupParcelServiceInternational",
                                      "tracking_number": "Z" * 60, "status": "in_transit",
                                      "events": [{"at": "2026-11-03T09:00:00Z", "status": "in_transit",
                                                  "message": "Details: https://tracking.example.com/status/"
                                                             + "a1b2c3d4e5" * 10, "location": LONG_WORD}]}])
    factory.order(merchant, number="#1002", status="cancelled", return_status="requested")
    with session_scope(portal.engine) as session:
        shop = session.get(Merchant, merchant.id)
        status = custom_statuses.save(session, shop, StatusInput(
            key="engraving", labels={"en": "Being engraved"}, color="#1f7a4d", tags=["engrave"]))
        notifications.queue_test(session, shop, "owner@example.com")
        # Delivery feedback, so the feedback list and the order page show one.
        session.add(OrderFeedback(merchant_id=merchant.id, order_id=order.id, rating=4,
                                  comment="Quick delivery, the box was a little dented."))
    receive_shopify(portal, merchant, "orders/create", "wh-console-1", fixture_json("shopify/orders-create.json"))
    # A return request, so the returns list and a request's page show one.
    switch_on(portal, merchant)
    returned = delivered_order(factory, merchant, number="#1003")
    with session_scope(portal.engine) as session:
        request = returns.request_return(session, session.get(Merchant, merchant.id), returned.id, {
            f"quantity_{line_ids(portal, returned)['Trail mug']}": "1", "reason": "damaged", "comment": "Chipped"}, "en")
    return {"order_id": order.id, "status_id": status.id, "user_id": user.id, "merchant_id": merchant.id,
            "return_id": request.id, "table": "delays"}  # type: ignore[dict-item]  # /admin/analytics/{table}.csv
