"""Console theme pages: choose, edit (validation, logo, custom CSS, contrast), preview, publish, restore."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from portal.store.db import session_scope
from portal.store.models import Merchant
from portal.theming.images import MAX_UPLOAD_BYTES
from tests.conftest import console_login, html, text_of


@pytest.fixture
def shop(factory):
    return factory.merchant("acme", name="Acme Outdoor")


@pytest.fixture
def token(client, factory, shop):
    return console_login(client, factory, shop)


def live(portal, shop) -> Merchant:
    with session_scope(portal.engine) as session:
        return session.get(Merchant, shop.id)


def png(size=(240, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (20, 80, 160, 255)).save(out, format="PNG")
    return out.getvalue()


def save(client, token, files=None, **fields):
    data = {"csrf_token": token, "action": "save", **fields}
    return client.post("/admin/theme/settings", data=data, files=files or {})


def test_pages_need_a_login(client):
    for path in ("/admin/theme", "/admin/theme/preview", "/admin/theme/preview.css"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].endswith("/admin/login")


def test_choose_edit_preview_publish_restore(client, portal, factory, shop, token):
    order = factory.order(shop)
    page = html(client.get("/admin/theme"))
    assert {i["value"] for i in page.select("input[name=theme]")} >= {"classic", "minimal", "bold"}
    assert text_of(page.select_one(".live-theme")) == "Classic"

    assert client.post("/admin/theme/choose", data={"csrf_token": token, "theme": "bold"}).status_code == 303
    page = html(client.get("/admin/theme"))
    assert "Settings of Bold" in text_of(page.select_one("#settings h2"))
    response = save(client, token, tagline="Gear for the long way round", hero_colour="#0b3d2e",
                    accent_colour="#5b21b6", font="geometric", heading_font="industrial", tracker="steps",
                    colour_scheme="auto", custom_css=".brand { letter-spacing: .2em }")
    assert response.status_code == 303

    # Nothing is live yet: shoppers still get classic.
    shopper = html(client.get(factory.link(shop, order)))
    assert "theme-classic" in shopper.body["class"]
    assert live(portal, shop).theme == "classic"

    preview = html(client.get("/admin/theme/preview"))
    assert "theme-bold" in preview.body["class"]
    assert preview.select_one(".preview-banner") is not None
    assert text_of(preview.select_one(".brand__tagline")) == "Gear for the long way round"
    css_href = preview.select("link[rel=stylesheet]")[-1]["href"]
    assert css_href.startswith("/admin/theme/preview.css?v=")
    draft_css = client.get(css_href).text
    assert "--color-hero: #0b3d2e;" in draft_css and "letter-spacing: .2em" in draft_css
    lookup_preview = html(client.get("/admin/theme/preview?page=lookup"))
    assert lookup_preview.select_one("form.lookup-form") is not None

    assert client.post("/admin/theme/publish", data={"csrf_token": token}).status_code == 303
    merchant = live(portal, shop)
    assert merchant.theme == "bold" and merchant.theme_settings["tagline"] == "Gear for the long way round"
    shopper = html(client.get(factory.link(shop, order)))
    assert "theme-bold" in shopper.body["class"]
    assert "letter-spacing: .2em" in client.get(shopper.select("link[rel=stylesheet]")[-1]["href"]).text
    assert "No unpublished changes." in text_of(html(client.get("/admin/theme")).select_one(".draft-state"))

    assert client.post("/admin/theme/restore", data={"csrf_token": token}).status_code == 303
    assert live(portal, shop).theme == "classic"
    # A restore can be undone the same way.
    client.post("/admin/theme/restore", data={"csrf_token": token})
    assert live(portal, shop).theme == "bold"


def test_bad_values_show_field_errors_and_save_nothing(client, portal, shop, token):
    response = save(client, token, font="comic", corners="round",
                    custom_css=".a { background: url(javascript:alert(1)) }\n@import 'x.css';")
    assert response.status_code == 400
    page = html(response)
    assert "Nothing was saved" in text_of(page.select_one("#theme-errors"))
    assert "'comic' is not an available font" in text_of(page.select_one("#setting-font-error"))
    css_error = text_of(page.select_one("#setting-custom_css-error"))
    assert "url(javascript:…) is not allowed" in css_error and "@import is not allowed" in css_error
    # The merchant's input is kept in the form, so nothing typed is lost.
    assert "@import 'x.css';" in page.select_one("#setting-custom_css").get_text()
    assert page.select_one("#setting-font")["aria-describedby"] == "setting-font-error"
    assert "No unpublished changes." in text_of(html(client.get("/admin/theme")).select_one(".draft-state"))


def test_unreadable_colour_is_corrected_and_the_console_says_so(client, shop, token):
    assert save(client, token, accent_colour="#ffee55").status_code == 303
    page = html(client.get("/admin/theme"))
    notice = text_of(page.select_one(".contrast-notices"))
    assert "Accent colour (accent_colour): #ffee55 was changed to #" in notice
    assert page.select_one("#setting-accent_colour")["value"] != "#ffee55"


def test_switching_theme_rechecks_carried_colours(client, shop, token):
    # #707070 reads on classic's backgrounds (4.62:1) but not on bold's page background (4.45:1).
    assert save(client, token, accent_colour="#707070").status_code == 303
    assert html(client.get("/admin/theme")).select_one(".contrast-notices") is None
    client.post("/admin/theme/choose", data={"csrf_token": token, "theme": "bold"})
    page = html(client.get("/admin/theme"))
    assert "Settings of Bold" in text_of(page.select_one("#settings h2"))
    assert "#707070 was changed to" in text_of(page.select_one(".contrast-notices"))
    assert page.select_one("#setting-accent_colour")["value"] != "#707070"


def test_logo_upload_remove_and_refusals(client, portal, shop, token):
    response = save(client, token, files={"logo": ("logo.png", png(), "image/png")})
    assert response.status_code == 303
    client.post("/admin/theme/publish", data={"csrf_token": token})
    ref = live(portal, shop).theme_settings["logo"]
    page = html(client.get("/acme/track"))
    assert page.select_one(".brand img")["src"] == f"/theme-assets/images/acme/{ref}"
    assert page.select_one("link[rel=icon]")["href"] == f"/theme-assets/images/acme/{ref}"  # the logo is the icon

    for name, data, message in [
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not an image we accept"),
        ("big.png", b"\x89PNG" + b"0" * MAX_UPLOAD_BYTES, "at most 800 KB"),
    ]:
        response = save(client, token, files={"logo": (name, data, "image/png")})
        assert response.status_code == 400
        assert message in text_of(html(response).select_one("#setting-logo-error"))
    assert live(portal, shop).theme_settings["logo"] == ref

    assert save(client, token, remove_logo="1").status_code == 303
    client.post("/admin/theme/publish", data={"csrf_token": token})
    assert live(portal, shop).theme_settings["logo"] == ""
    assert html(client.get("/acme/track")).select_one(".brand img") is None


def test_discard_and_csrf(client, portal, shop, token):
    client.post("/admin/theme/choose", data={"csrf_token": token, "theme": "minimal"})
    assert client.post("/admin/theme/publish", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/admin/theme/choose", data={"csrf_token": token, "theme": "neon"}).status_code == 400
    client.post("/admin/theme/discard", data={"csrf_token": token})
    client.post("/admin/theme/publish", data={"csrf_token": token})
    assert live(portal, shop).theme == "classic"
    assert "There was no draft to publish." in text_of(html(client.get("/admin/theme")).select_one(".theme-flash"))


def test_preview_is_scoped_to_the_logged_in_merchant(client, factory, shop, token):
    other = factory.merchant("rival", name="Rival Shop")
    factory.order(other, number="#9999")
    factory.order(shop, number="#1001")
    page = html(client.get("/admin/theme/preview"))
    assert "#1001" in text_of(page.select_one("h1"))
    assert "Rival" not in page.get_text()
