"""Every built-in theme in Chromium at phone and desktop widths: no horizontal overflow, the key
parts visible, each theme's own layout; print. Screenshots go to test-output/themes/ for review."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.themed_shops import THEMES

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 360, "desktop": 1280}
SMALLEST_PHONE = 320
DESKTOP_COLUMNS = {"classic": 2, "minimal": 1, "bold": 2}
KEY_ELEMENTS = {
    "lookup": ["h1", ".brand", "#order_number", "#contact", "#tracking_number", ".lookup-form button[type=submit]"],
    "order": ["h1", ".brand", ".badges", ".progress", "#panel-shipments", "#shipment-1, .shipment", "#panel-items",
              ".totals__total", "#panel-timeline", "#panel-details", ".site-footer a"],
}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def check_desktop_layout(page, theme: str) -> None:
    """Each theme's own layout: columns, the bold hero and tracker, minimal's boxless panels."""
    main, side = box(page, ".order-main"), box(page, ".order-side")
    side_by_side = side["x"] > main["x"] + main["width"] - 1
    assert side_by_side == (DESKTOP_COLUMNS[theme] == 2)
    if theme == "bold":
        # The hero band spans the whole window, in the header's colour; the tracker's steps are large circles.
        hero = box(page, ".hero")
        shot = Image.open(io.BytesIO(page.screenshot()))
        middle = int(hero["y"] + hero["height"] / 2)
        header_colour = shot.getpixel((2, 5))
        assert shot.getpixel((2, middle)) == header_colour == shot.getpixel((shot.width - 3, middle))
        assert header_colour != shot.getpixel((2, int(hero["y"] + hero["height"]) + 5))
        step = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.progress__step'), '::before').width)")
        assert step >= 40
    if theme == "minimal":
        # No boxes: cards have no background of their own and no side borders.
        card = page.evaluate("getComputedStyle(document.querySelector('#panel-items')).borderInlineStartWidth")
        assert card == "0px"


@pytest.mark.parametrize("size", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
def test_layout_fits_and_shows_the_essentials(new_page, themed_shop, screenshot_dir, theme, size):
    width = WIDTHS[size]
    shop = themed_shop(theme)
    page = new_page(width=width, height=800)
    for name in ("lookup", "order"):
        page.goto(getattr(shop, name))
        assert f"theme-{theme}" in page.locator("body").get_attribute("class")
        if size == "phone":
            page.set_viewport_size({"width": SMALLEST_PHONE, "height": 800})
            assert page.evaluate(OVERFLOW) <= 0, f"{theme} {name} overflows horizontally at {SMALLEST_PHONE}px"
            page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate(OVERFLOW) <= 0, f"{theme} {name} overflows horizontally at {width}px"
        for selector in KEY_ELEMENTS[name]:
            element = page.locator(selector).first
            assert element.is_visible(), f"{selector} hidden on {theme} {name} at {width}px"
            bounds = element.bounding_box()
            assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width + 0.5, f"{selector} off-screen"
        if name == "order" and size == "desktop":
            check_desktop_layout(page, theme)
        elif name == "order":
            main, side = box(page, ".order-main"), box(page, ".order-side")
            assert side["y"] >= main["y"] + main["height"] - 1, "phones get one column"
        (screenshot_dir / "themes").mkdir(exist_ok=True)
        page.screenshot(path=screenshot_dir / "themes" / f"{theme}-{name}-{size}.png", full_page=True)


@pytest.mark.parametrize("theme", THEMES)
def test_print_is_clean(new_page, themed_shop, theme):
    page = new_page(color_scheme="dark")  # paper is white even when the screen is dark
    page.goto(themed_shop(theme).order)
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    for selector in (".lang-switch", "button", ".skip-link"):
        for element in page.locator(selector).all():
            assert not element.is_visible(), f"{selector} printed on {theme}"
    assert page.locator("#panel-items").is_visible() and page.locator(".progress").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert len(page.pdf(format="A4")) > 1000


def test_bold_tracker_ticks_every_step_of_a_delivered_order(new_page, live_server, factory):
    """The last step of a delivered order is done, not still under way: a tick like the others."""
    merchant = factory.merchant("bold-done", name="Bold Outfitters", theme="bold")
    order = factory.order(merchant, fulfillment_status="fulfilled", shipments=[
        {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "delivered",
         "events": [{"at": "2026-11-04T15:30:00Z", "status": "delivered"}]}])
    page = new_page(width=1280, height=800)
    page.goto(live_server(factory.link(merchant, order)))
    marks = page.evaluate("[...document.querySelectorAll('.progress__step')]"
                          ".map(e => getComputedStyle(e, '::before').content)")
    assert marks == ['"✓"'] * 4
