"""Demo data: four shops that differ in currency, locale and theme, and orders in every state worth seeing."""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy.engine import Engine

from portal import carriers
from portal.i18n import locale_display_name
from portal.merchants import apply_settings, create_api_key, create_merchant, create_user
from portal.money import currency_digits
from portal.orders.upsert import change_statuses, upsert_order
from portal.schemas import OrderIn
from portal.settings import Settings
from portal.store import queries
from portal.store.db import session_scope
from portal.theming import service as theming

DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoShop:
    slug: str
    name: str
    currency: str
    locale: str
    timezone: str
    theme: str
    presentment: str  # a second currency some shoppers pay in
    carriers: tuple[str, ...]
    products: tuple[tuple[str, str, Decimal], ...]
    support_email: str
    city: tuple[str, str, str]  # city, postal code, country
    # VAT or GST inside the prices (the Nordic and Indian shops), or sales tax added on top (the US shop).
    taxes_included: bool = True


SHOPS = (
    DemoShop("nordlys", "Nordlys Ull", "NOK", "nb", "Europe/Oslo", "classic", "SEK", ("Bring", "PostNord"),
             (("Wool sweater", "Navy / M", Decimal("1299")), ("Merino beanie", "Grey", Decimal("349")),
              ("Hiking socks", "2-pack", Decimal("199"))), "hjelp@nordlys.example", ("Bergen", "5003", "NO")),
    DemoShop("hygge", "Hygge Hjem", "DKK", "da", "Europe/Copenhagen", "minimal", "EUR", ("GLS", "PostNord", "DHL"),
             (("Ceramic mug", "Sand", Decimal("149.95")), ("Linen throw", "Moss", Decimal("699")),
              ("Candle set", "3 pcs", Decimal("229.50"))), "kundeservice@hygge.example", ("Aarhus", "8000", "DK")),
    DemoShop("acme", "Acme Outdoor", "USD", "en", "America/New_York", "bold", "CAD", ("UPS", "USPS", "FedEx"),
             (("Trail backpack", "35 L / Black", Decimal("129.00")), ("Water bottle", "750 ml", Decimal("24.50")),
              ("Headlamp", "400 lm", Decimal("39.99"))), "support@acme.example", ("Portland", "97205", "US"),
             taxes_included=False),
    DemoShop("chai", "Chai & Co", "INR", "hi", "Asia/Kolkata", "classic", "USD", ("Blue Dart", "Delhivery", "India Post"),
             (("Masala chai blend", "250 g", Decimal("450")), ("Brass kettle", "1 L", Decimal("2499")),
              ("Clay cups", "Set of 6", Decimal("799"))), "help@chai.example", ("Pune", "411001", "IN")),
)

# Two shops share `classic`; customised settings make them look like two different brands.
DEMO_THEME_SETTINGS = {
    "chai": {"accent_colour": "#9a3412", "background_colour": "#fbf6ef", "heading_font": "old_style",
             "corners": "round"},
    "acme": {"tagline": "Gear for the long way round", "hero_colour": "#12332b", "accent_colour": "#1d6b4f"},
}

# (name, order status, cancel reason, payment, fulfilment, return, shipment statuses, foreign currency)
SCENARIOS = (
    ("unpaid", "open", None, "pending", "unfulfilled", "none", (), False),
    ("authorized", "open", None, "authorized", "unfulfilled", "none", (), False),
    ("paid, preparing", "open", None, "paid", "in_progress", "none", (), False),
    ("on hold", "open", None, "paid", "on_hold", "none", (), False),
    ("label created", "open", None, "paid", "fulfilled", "none", ("info_received",), False),
    ("in transit", "open", None, "paid", "fulfilled", "none", ("in_transit",), False),
    ("two shipments, partly shipped", "open", None, "paid", "partially_fulfilled", "none", ("delivered", "in_transit"), False),
    ("out for delivery", "open", None, "paid", "fulfilled", "none", ("out_for_delivery",), False),
    ("delivered", "open", None, "paid", "fulfilled", "none", ("delivered",), False),
    ("delivery exception", "open", None, "paid", "fulfilled", "none", ("exception",), False),
    ("failed attempt", "open", None, "paid", "fulfilled", "none", ("attempt_fail",), False),
    ("ready for pickup", "open", None, "paid", "fulfilled", "none", ("available_for_pickup",), False),
    ("cancelled by customer, refunded", "cancelled", "customer", "refunded", "unfulfilled", "none", (), False),
    ("cancelled, out of stock", "cancelled", "inventory", "voided", "unfulfilled", "none", (), False),
    ("cancelled, payment declined", "cancelled", "declined", "expired", "unfulfilled", "none", (), False),
    ("partially refunded", "open", None, "partially_refunded", "fulfilled", "none", ("delivered",), False),
    ("return requested", "open", None, "paid", "fulfilled", "requested", ("delivered",), False),
    ("return in progress", "open", None, "paid", "fulfilled", "in_progress", ("delivered",), False),
    ("returned and refunded", "archived", None, "refunded", "fulfilled", "returned", ("delivered",), False),
    ("paid in another currency, in transit", "open", None, "paid", "fulfilled", "none", ("in_transit",), True),
    ("paid in another currency, delivered", "archived", None, "paid", "fulfilled", "none", ("delivered",), True),
    ("returning to sender", "open", None, "paid", "fulfilled", "none", ("returning",), False),
    ("delivered last year", "archived", None, "paid", "fulfilled", "none", ("delivered",), False),
    ("partially paid", "open", None, "partially_paid", "unfulfilled", "none", (), False),
)

EVENT_PATH = ("info_received", "in_transit", "out_for_delivery", "delivered")
EVENT_TEXT = {
    "info_received": "Shipment information received", "in_transit": "Departed sorting facility",
    "out_for_delivery": "Out for delivery", "delivered": "Delivered to the front door",
    "exception": "Address could not be found", "attempt_fail": "Nobody at home, notice left",
    "available_for_pickup": "Ready at the parcel point", "returning": "Returning to sender",
}
PICKUP_POINT = "Central parcel point"
# The shops' usual handling and delivery times (working days): an estimate before a carrier gives one.
DEMO_SETTINGS = {
    "nordlys": {"processing_days": "1-2", "transit_days": "2-4"},
    "acme": {"processing_days": "1", "transit_days": "3-5"},
    "chai": {"processing_days": "1-2", "transit_days": "2-6"},
}
# Rough demo rates from the shop currency to the presentment one: enough to look plausible.
DEMO_RATES = {("NOK", "SEK"): Decimal("0.97"), ("DKK", "EUR"): Decimal("0.134"), ("USD", "CAD"): Decimal("1.38"),
              ("INR", "USD"): Decimal("0.012")}


# A demo product's picture is one view, named after the product, of its shop's sprite
# (static/demo/<shop>.svg): one small file per shop, drawn locally, nothing downloaded.
PRODUCT_IMAGES = "demo/{shop}.svg"


def front_page_shops() -> list[dict[str, str]]:
    """The demo shops as the front page lists them, each language named in itself."""
    return [{"slug": shop.slug, "name": shop.name, "locale": shop.locale, "currency": shop.currency,
             "language": locale_display_name(shop.locale)} for shop in SHOPS]


def product_images(base_url: str, shop: str, hashes: dict[str, str] | None = None) -> str:
    """The shop's sprite's absolute URL; with its content hash (from `hashes`, the portal's
    static_hashes), browsers keep it for a year."""
    path = PRODUCT_IMAGES.format(shop=shop)
    version = (hashes or {}).get(path)
    return f"{base_url.rstrip('/')}/static/{path}" + (f"?v={version}" if version else "")


def product_image(images: str, title: str) -> str:
    return f"{images}#{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}"


def _events(final: str) -> list[str]:
    if final in EVENT_PATH:
        return list(EVENT_PATH[: EVENT_PATH.index(final) + 1])
    return ["info_received", "in_transit", final]


def _amount(value: Decimal, currency: str) -> str:
    digits = currency_digits(currency)
    return str(value.quantize(Decimal(1).scaleb(-digits)))


def _tracking_number(rng: random.Random, carrier: str) -> str:
    """A made-up number that passes the carrier's check digit, like a real one would."""
    for _ in range(1000):
        if carrier == "UPS":
            number = "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(16))
        else:
            number = "".join(rng.choice("0123456789") for _ in range(12 if carrier != "USPS" else 22))
        if carriers.detect(number, carrier).valid:
            break
    return number


def order_payload(shop: DemoShop, index: int, scenario: tuple, now: datetime, images: str | None = None) -> dict:
    """One demo order; `images`: the URL of the shop's product pictures (product_images)."""
    images = images or product_images("http://127.0.0.1:8000", shop.slug)
    name, status, reason, payment, fulfilment, returns, shipment_states, foreign = scenario
    rng = random.Random(f"{shop.slug}-{index}")
    age_days = 400 if "last year" in name else 2 + (index % 9)
    placed = now - timedelta(days=age_days, hours=rng.randint(0, 10))
    presentment = shop.presentment if foreign else shop.currency
    rate = DEMO_RATES[(shop.currency, shop.presentment)] if foreign else Decimal(1)
    items = []
    subtotal = Decimal(0)
    for position, (title, variant, price) in enumerate(
            rng.sample(shop.products, k=rng.randint(1, len(shop.products)))):
        quantity = rng.randint(1, 2)
        # Every third order has 10 % off its first line.
        discount = (price * quantity / 10).quantize(Decimal(1).scaleb(-currency_digits(shop.currency))) \
            if index % 3 == 1 and position == 0 else Decimal(0)
        items.append({
            "title": title, "variant": variant, "sku": f"{shop.slug[:3].upper()}-{zlib.crc32(title.encode()) % 9999:04d}",
            "quantity": quantity, "unit_price": _amount(price, shop.currency),
            "presentment_unit_price": _amount(price * rate, presentment),
            "discount": _amount(discount, shop.currency), "presentment_discount": _amount(discount * rate, presentment),
            "image_url": product_image(images, title),
        })
        subtotal += price * quantity - discount  # the lines' totals, as the page lists them
    # Another third use a 10 % code on the whole order.
    discounts = (subtotal / 10).quantize(Decimal(1)) if index % 3 == 2 else Decimal(0)
    shipping = Decimal(79) if shop.currency in ("NOK", "DKK") else Decimal("9.90") if shop.currency == "USD" else Decimal(99)
    if shop.taxes_included:
        total = subtotal - discounts + shipping
        tax = total * Decimal("0.2")  # the VAT inside prices that include 25 %
    else:
        tax = (subtotal - discounts) * Decimal("0.08")
        total = subtotal - discounts + shipping + tax
    totals = {"subtotal": subtotal, "shipping": shipping, "tax": tax, "discounts": discounts, "total": total}

    shipments = []
    for number, final in enumerate(shipment_states):
        carrier = shop.carriers[(index + number) % len(shop.carriers)]
        shipped = placed + timedelta(days=1, hours=number)
        events = [
            {"at": (shipped + timedelta(hours=8 * step)).isoformat(), "status": state,
             "message": EVENT_TEXT.get(state), "location": shop.city[0] if state != "info_received" else None}
            for step, state in enumerate(_events(final))
        ]
        if final == "out_for_delivery":  # on the van today, whenever the demo is seeded
            events[-1]["at"] = now.isoformat()
        if final == "available_for_pickup":
            events[-1]["location"] = f"{shop.city[0]} {PICKUP_POINT}"
        eta = (shipped + timedelta(days=3)).date()
        if final != "delivered":  # parcels still on their way are expected in the coming days
            eta = max(eta, now.date() + timedelta(days=1))
        shipments.append({
            "carrier": carrier, "tracking_number": _tracking_number(rng, carrier), "shipped_at": shipped.isoformat(),
            "estimated_delivery": eta.isoformat(), "estimated_delivery_end": (eta + timedelta(days=2)).isoformat(),
            "events": events,
        })

    number = f"#{1000 + index + 1}"
    return {
        "number": number,
        "external_id": f"demo-{shop.slug}-{index + 1}",
        "email": f"shopper{index + 1}@{shop.slug}.example",
        "phone": "+47 912 34 567" if shop.currency == "NOK" else None,
        "postal_code": shop.city[1],
        "placed_at": placed.isoformat(),
        "locale": shop.locale,  # the shop's checkout language: the page opens in it
        "taxes_included": shop.taxes_included,
        "status": status,
        "cancel_reason": reason,
        "payment_status": payment,
        "fulfillment_status": fulfilment,
        "return_status": returns,
        "currency": shop.currency,
        "presentment_currency": presentment,
        "totals": {k: _amount(v, shop.currency) for k, v in totals.items()},
        "presentment_totals": {k: _amount(v * rate, presentment) for k, v in totals.items()},
        "line_items": items,
        "shipments": shipments,
        "shipping_address": {"name": "Alex Demo", "address1": "Storgata 12", "city": shop.city[0],
                             "postal_code": shop.city[1], "country_code": shop.city[2]},
        "tags": ["demo", name[:40]],
        "note": f"Demo scenario: {name}",
        "guest_id": f"G-{shop.slug[:2].upper()}{index + 1:05d}",
    }


def seed(engine: Engine, settings: Settings, orders_per_merchant: int = 24) -> Iterator[str]:
    from portal.app import create_app

    app = create_app(settings)
    portal = app.state.portal
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    base = settings.base_url.rstrip("/")
    yield "Demo shops (console login: shop slug, e-mail and password below):"
    for shop in SHOPS:
        with session_scope(engine) as session:
            merchant = queries.merchant_by_slug(session, shop.slug)
            new_key = None
            if merchant is None:
                merchant = create_merchant(session, shop.slug, shop.name, shop.currency, shop.locale, shop.timezone)
                if portal.themes.get(shop.theme):
                    merchant.theme = shop.theme
                    merchant.theme_settings, _ = theming.check(portal.themes, shop.theme,
                                                               DEMO_THEME_SETTINGS.get(shop.slug, {}), {}, fix_contrast=False)
                merchant.support_email = shop.support_email
                apply_settings(session, merchant, DEMO_SETTINGS.get(shop.slug, {}))
                create_user(session, merchant, f"owner@{shop.slug}.example", DEMO_PASSWORD)
                new_key = create_api_key(session, merchant, "demo")
            images = product_images(base, shop.slug, portal.static_hashes)
            for index in range(orders_per_merchant):
                if queries.order_by_number_key(session, merchant.id, str(1000 + index + 1)) is not None:
                    continue  # seeded by an earlier run: left as it is
                scenario = SCENARIOS[index % len(SCENARIOS)]
                payload = order_payload(shop, index, scenario, now, images)
                # A return comes after the delivery (and a refund with it): changed later, at its own time.
                later = {name: payload[name] for name in ("return_status", "payment_status")
                         if payload["return_status"] != "none"}
                if later:
                    payload.update(return_status="none", payment_status="paid")
                order = upsert_order(session, merchant, OrderIn.model_validate(payload)).order
                if later:
                    last_event = max(e["at"] for s in payload["shipments"] for e in s["events"])
                    change_statuses(session, order, later, min(datetime.fromisoformat(last_event) + timedelta(days=1), now))
            first = queries.order_by_number_key(session, merchant.id, "1009")
            links = {
                SCENARIOS[i][0]: queries.order_by_number_key(session, merchant.id, str(1000 + i + 1))
                for i in (0, 6, 8, 9, 12, 17, 19)
                if i < orders_per_merchant
            }
            yield ""
            yield f"{shop.name} ({shop.currency}, {shop.locale}, theme {merchant.theme})"
            yield f"  lookup:   {base}/{shop.slug}/track   (try order #1009 with {first.email if first else '-'})"
            for label, order in links.items():
                if order is not None:
                    yield f"  {label:<38} {base}{portal.tracking_path(merchant, order, app)}"
            yield f"  console:  {base}/admin/login   shop={shop.slug} e-mail=owner@{shop.slug}.example password={DEMO_PASSWORD}"
            if new_key:
                yield f"  API key:  {new_key}"
