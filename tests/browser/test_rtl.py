"""Arabic and Hebrew pages mirror in every built-in theme, while numbers, tracking codes and
e-mail addresses stay left-to-right. Screenshots go to test-output/rtl/ for review."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "rtl"


@pytest.fixture
def order_link(factory):
    def make(theme: str) -> str:
        shop = factory.merchant(f"rtl-{theme}", name="Souk", theme=theme, support_email="help@souk.example")
        order = factory.order(shop, number="#5521", fulfillment_status="fulfilled", shipments=[
            {"carrier": "ups", "tracking_number": "1Z999AA10123456784", "status": "in_transit",
             "events": [{"at": "2026-11-03T09:00:00Z", "status": "in_transit"}]}])
        return factory.link(shop, order)
    return make


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not visible"
    return found


def centre(page: Page, selector: str) -> float:
    found = box(page, selector)
    return found["x"] + found["width"] / 2


def text_box(page: Page, selector: str) -> dict:
    """Where the text itself sits (a heading's box spans its whole card)."""
    return page.locator(selector).first.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " const b = r.getBoundingClientRect(); return {x: b.x, width: b.width}; }")


def direction(page: Page, selector: str) -> str:
    return page.locator(selector).first.evaluate("el => getComputedStyle(el).direction")


@pytest.mark.parametrize("theme", ["classic", "minimal", "bold"])
def test_rtl_pages_mirror_the_layout(page: Page, live_server, order_link, theme):
    link = order_link(theme)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(live_server(link + "?lang=en"))
    pairs = [(".progress__step:first-child", ".progress__step:last-child"), (".brand", ".lang-switch")]
    ltr = [centre(page, a) - centre(page, b) for a, b in pairs]
    assert ltr[0] < 0  # the progress bar starts on the left

    OUTPUT.mkdir(parents=True, exist_ok=True)
    for lang in ("ar", "he"):
        page.goto(live_server(link + f"?lang={lang}"))
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("html").get_attribute("lang") == lang
        assert direction(page, "main") == "rtl"
        # Mirrored: what was left of something is now right of it (the progress bar starts on the
        # right, the brand and the language switcher swap sides), headings hug the right edge.
        for (a, b), before in zip(pairs, ltr):
            if abs(before) > 10:  # side by side (not stacked) in this theme
                assert (centre(page, a) - centre(page, b)) * before < 0, (a, b)
        heading, card = text_box(page, "#panel-timeline-title"), box(page, "#panel-timeline")
        assert (card["x"] + card["width"]) - (heading["x"] + heading["width"]) < heading["x"] - card["x"]
        # …while codes read left to right inside the right-to-left text.
        assert direction(page, ".tracking-number") == "ltr"
        assert direction(page, "h1 [dir=ltr]") == "ltr"
        assert page.locator("h1 [dir=ltr]").inner_text() == "#5521"
        assert direction(page, ".support a[href^=mailto]") == "ltr"
        no_overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_overflow
        page.screenshot(path=str(OUTPUT / f"{theme}-{lang}.png"), full_page=True)
