"""A shop per built-in theme on the live server, with an order that fills every panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

THEMES = ("classic", "minimal", "bold")


@dataclass(frozen=True)
class ThemedShop:
    theme: str
    lookup: str
    order: str


def busy_order() -> dict[str, Any]:
    """Two shipments with events, a long product name and long numbers: what breaks layouts on phones."""
    return {
        "number": "#2001", "fulfillment_status": "partially_fulfilled",
        "line_items": [
            {"title": "Merino wool hiking sweater with an unusually long product name", "variant": "Navy / M",
             "quantity": 1, "unit_price": "129.00"},
            {"title": "Trail mug", "variant": "Blue", "quantity": 2, "unit_price": "24.50"},
        ],
        "totals": {"subtotal": "178.00", "shipping": "5.00", "tax": "0", "discounts": "10.00", "total": "173.00"},
        "shipments": [
            {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "delivered",
             "events": [{"at": "2026-11-03T09:00:00Z", "status": "in_transit", "message": "Departed facility",
                         "location": "Louisville, KY"},
                        {"at": "2026-11-04T15:30:00Z", "status": "delivered", "message": "Left at front door"}]},
            {"carrier": "USPS", "tracking_number": "9400111899223197428490", "status": "in_transit",
             "estimated_delivery": "2026-11-08", "estimated_delivery_end": "2026-11-10",
             "events": [{"at": "2026-11-04T08:00:00Z", "status": "in_transit", "message": "Arrived at USPS facility",
                         "location": "Portland, OR"}]},
        ],
    }


def seed_themed_shop(live_server, factory, theme: str, settings: dict[str, Any]) -> ThemedShop:
    slug = f"{theme}-shop"
    defaults = {"tagline": "Gear for the long way round"} if theme == "bold" else {}
    merchant = factory.merchant(slug, name=f"{theme.title()} Outfitters", theme=theme,
                                support_email=f"help@{slug}.example", theme_settings={**defaults, **settings})
    order = factory.order(merchant, **busy_order())
    return ThemedShop(theme, live_server(f"/{slug}/track"), live_server(factory.link(merchant, order)))
