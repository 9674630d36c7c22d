"""Embed routes: framing policy per route, embed chrome, the cookie-free form token, same lookup rules."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.embed import FormTokens
from tests.conftest import TEST_SECRET, html, text_of

STOREFRONT = "https://shop.example"
ALLOWED = "https://shop.example,https://www.shop.example:8443"


@pytest.fixture
def shop(factory):
    return factory.merchant("acme", name="Acme Outdoor", embed_origins=ALLOWED,
                            support_email="help@acme.example", support_url="https://help.acme.example")


def frame_ancestors(response) -> str:
    csp = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    return directives["frame-ancestors"]


def form_of(response):
    form = html(response).find("form", class_="lookup-form")
    assert form is not None
    return form["action"], form.find("input", attrs={"name": "csrf_token"})["value"]


def test_embed_routes_may_be_framed_only_by_the_merchants_storefronts(client, shop, factory):
    order = factory.order(shop)
    link = factory.link(shop, order)
    token = link.rsplit("/", 1)[1]
    for path in ("/embed/acme/track", f"/embed/acme/orders/{token}"):
        response = client.get(path)
        assert response.status_code == 200
        assert frame_ancestors(response) == "https://shop.example https://www.shop.example:8443"
        assert "x-frame-options" not in response.headers


@pytest.mark.parametrize("path", ["/", "/acme/track", "/admin/login", "/healthz", "/static/portal.css",
                                  "/acme/orders/not-a-token", "/nope/track"])
def test_every_other_route_refuses_framing(client, shop, path):
    response = client.get(path)
    assert response.headers["x-frame-options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def test_full_order_page_refuses_framing(client, shop, factory):
    response = client.get(factory.link(shop, factory.order(shop)))
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def test_shop_without_allowed_origins_cannot_be_framed(client, factory):
    factory.merchant("solo")
    response = client.get("/embed/solo/track")
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def test_stored_origin_that_is_not_an_origin_never_reaches_the_header(client, factory):
    # Written around the setter (e.g. straight into the database): still filtered.
    factory.merchant("odd", embed_origins="https://ok.example,https://x.example; script-src *,javascript:alert(1)")
    response = client.get("/embed/odd/track")
    assert frame_ancestors(response) == "https://ok.example"
    assert "script-src *" not in response.headers["content-security-policy"].split("frame-ancestors")[1]


def test_embed_page_has_the_theme_without_site_header(client, shop):
    response = client.get(f"/embed/acme/track?origin={STOREFRONT}")
    soup = html(response)
    assert "is-embed" in soup.body["class"]
    assert "merchant-acme" in soup.body["class"]
    assert soup.find("header", class_="site-header") is None
    assert [link["href"].split("?")[0] for link in soup.find_all("link", rel="stylesheet")] == ["/acme/theme.css"]
    assert text_of(soup.h1) == "Track your order"
    frame_script = soup.find("script", src=re.compile(r"^/static/embed-frame\.js\?v="))
    assert frame_script["data-parent-origin"] == STOREFRONT


def test_parent_origin_is_only_an_allowed_storefront(client, shop):
    soup = html(client.get("/embed/acme/track?origin=https://evil.example"))
    assert soup.find("script", src=re.compile(r"^/static/embed-frame\.js\?v="))["data-parent-origin"] == ""
    soup = html(client.get("/embed/acme/track?origin=https://www.shop.example:8443"))
    assert soup.find("script", src=re.compile(r"^/static/embed-frame\.js\?v="))["data-parent-origin"] == "https://www.shop.example:8443"


def test_lookup_inside_embed_redirects_to_embed_order_view_without_cookies(client, shop, factory):
    factory.order(shop)
    page = client.get(f"/embed/acme/track?origin={STOREFRONT}&lang=en-US")
    assert "set-cookie" not in page.headers
    action, token = form_of(page)
    assert parse_qs(urlsplit(action).query) == {"origin": [STOREFRONT], "lang": ["en-US"]}

    client.cookies.clear()  # a third-party iframe gets no SameSite=Lax cookies back
    response = client.post(action, data={"csrf_token": token, "order_number": "1001",
                                         "contact": "shopper@example.com"},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path.startswith("/embed/acme/orders/")
    assert parse_qs(location.query) == {"origin": [STOREFRONT], "lang": ["en-US"]}
    assert "set-cookie" not in response.headers

    order_page = client.get(response.headers["location"])
    assert order_page.status_code == 200
    assert order_page.headers["cache-control"] == "private, no-store"
    soup = html(order_page)
    assert text_of(soup.h1) == "Order #1001"
    assert soup.find(id="panel-status") and soup.find(id="panel-shipments") and soup.find(id="panel-items")
    assert "12 Pine Street" not in order_page.text  # the same masked address as the full page
    assert soup.find("header", class_="site-header") is None


def test_links_out_of_the_embed_open_in_a_new_tab_and_never_the_top_window(client, shop, factory):
    factory.order(shop, shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456784",
                                    "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
                                    "status": "in_transit"}])
    token = factory.link(shop, factory.order(shop, number="#1001")).rsplit("/", 1)[1]
    soup = html(client.get(f"/embed/acme/orders/{token}?origin={STOREFRONT}"))
    links = soup.find_all("a", href=True)
    external = [a for a in links if a["href"].startswith(("http://", "https://"))]
    assert {a["href"] for a in external} >= {"https://help.acme.example",
                                             "https://www.ups.com/track?tracknum=1Z999AA10123456784"}
    for link in external:
        assert link["target"] == "_blank"
        assert "noopener" in link["rel"]
    assert not soup.find_all(target="_top") and not soup.find_all(target="_parent")


def test_form_token_is_bound_to_the_shop(client, shop, factory):
    factory.merchant("other", embed_origins=STOREFRONT)
    factory.order(shop)
    _, other_token = form_of(client.get("/embed/other/track"))
    response = client.post("/embed/acme/track", data={"csrf_token": other_token, "order_number": "1001",
                                                     "contact": "shopper@example.com"})
    assert response.status_code == 422
    assert "This form has expired" in text_of(html(response).find(role="alert"))


@pytest.mark.parametrize("token", ["", "forged", "session-token"])
def test_lookup_without_a_valid_form_token_finds_nothing(client, shop, factory, token):
    factory.order(shop)
    if token == "session-token":  # the full site's session token is no good inside the frame
        token = form_of(client.get("/acme/track"))[1]
    response = client.post("/embed/acme/track", data={"csrf_token": token, "order_number": "1001",
                                                     "contact": "shopper@example.com"})
    assert response.status_code == 422 and "This form has expired" in text_of(html(response).find(role="alert"))
    action, fresh = form_of(response)
    assert fresh and fresh != token  # the re-rendered form can be sent again


def test_expired_form_token_is_refused(client, shop, factory, monkeypatch):
    factory.order(shop)
    issued = FormTokens(TEST_SECRET).issue("acme")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3 * 3600)
    response = client.post("/embed/acme/track", data={"csrf_token": issued, "order_number": "1001",
                                                     "contact": "shopper@example.com"})
    assert response.status_code == 422


def test_cross_site_post_is_refused_even_with_a_valid_token(client, shop, factory):
    factory.order(shop)
    _, token = form_of(client.get("/embed/acme/track"))
    response = client.post("/embed/acme/track", data={"csrf_token": token, "order_number": "1001",
                                                     "contact": "shopper@example.com"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 422
    assert "We could not find" not in response.text and "1001" not in text_of(html(response).find(role="alert"))


def test_same_failure_answer_as_full_page(client, shop, factory):
    factory.order(shop)
    _, token = form_of(client.get("/embed/acme/track"))
    wrong_contact = client.post("/embed/acme/track", data={"csrf_token": token, "order_number": "1001",
                                                          "contact": "other@example.com"})
    no_order = client.post("/embed/acme/track", data={"csrf_token": token, "order_number": "9999",
                                                     "contact": "shopper@example.com"})
    assert wrong_contact.status_code == no_order.status_code == 404
    assert text_of(html(wrong_contact).find(role="alert")) == text_of(html(no_order).find(role="alert"))
    assert html(no_order).find("input", id="order_number")["value"] == "9999"


def test_tracking_number_lookup_inside_embed(client, shop, factory):
    factory.order(shop, shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456784",
                                    "status": "in_transit"}])
    _, token = form_of(client.get(f"/embed/acme/track?origin={STOREFRONT}"))
    response = client.post(f"/embed/acme/track?origin={STOREFRONT}",
                           data={"csrf_token": token, "tracking_number": "1Z999AA10123456784"})
    assert response.status_code == 200
    soup = html(response)
    assert text_of(soup.h1) == "Shipment status"
    again = soup.find("a", string=lambda s: s and "Look up another order" in s)
    assert again["href"] == "/embed/acme/track?origin=https%3A%2F%2Fshop.example"
    assert frame_ancestors(response).startswith("https://shop.example")


def test_embed_and_full_page_share_one_rate_limit(client, shop, settings, portal):
    portal.settings.lookup_rate_limit = "2/minute"
    _, token = form_of(client.get("/embed/acme/track"))
    data = {"csrf_token": token, "order_number": "1", "contact": "x@example.com"}
    assert client.post("/acme/track", data=data).status_code == 422  # the frame's token is no good here
    assert client.post("/embed/acme/track", data=data).status_code == 404
    limited = client.post("/embed/acme/track", data=data)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    soup = html(limited)
    assert soup.find("header", class_="site-header") is None
    assert soup.find("a", class_="button")["href"] == "/embed/acme/track"
    assert frame_ancestors(limited).startswith("https://shop.example")


def test_bad_order_token_in_embed_shows_embedded_lookup(client, shop):
    response = client.get(f"/embed/acme/orders/AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBB?origin={STOREFRONT}")
    assert response.status_code == 404
    soup = html(response)
    assert "not valid any more" in text_of(soup.find(role="alert"))
    assert soup.find("form", class_="lookup-form")["action"].startswith("/embed/acme/track")
    assert frame_ancestors(response).startswith("https://shop.example")


def test_other_merchants_order_is_not_shown_in_embed(client, shop, factory):
    other = factory.merchant("other", embed_origins=STOREFRONT)
    token = factory.link(other, factory.order(other)).rsplit("/", 1)[1]
    response = client.get(f"/embed/acme/orders/{token}")
    assert response.status_code == 404
    assert "#1001" not in text_of(html(response).main)


@pytest.mark.parametrize("path", ["/embed/nope/track", "/embed/nope/orders/abc", "/embed/a/b/c/d"])
def test_unknown_shop_shows_small_unavailable_message_that_can_be_framed(client, path):
    response = client.get(path + "?origin=https://any.example&lang=en")
    assert response.status_code == 404
    assert frame_ancestors(response) == "*"
    soup = html(response)
    assert text_of(soup.main) == "Order tracking is unavailable here right now."
    assert soup.find("form") is None
    assert soup.find("script", src=re.compile(r"^/static/embed-frame\.js\?v="))["data-parent-origin"] == "https://any.example"


def test_embed_uses_the_storefront_language_among_the_enabled_ones(client, shop):
    response = client.get("/embed/acme/track?lang=en-GB")
    assert html(response).html["lang"] == "en"


def test_embed_uses_the_merchants_theme_like_the_full_page(client, factory):
    factory.merchant("bolder", theme="bold", embed_origins=STOREFRONT)
    full = html(client.get("/bolder/track"))
    framed = html(client.get("/embed/bolder/track"))
    stylesheets = [link["href"] for link in framed.find_all("link", rel="stylesheet")]
    assert stylesheets == [link["href"] for link in full.find_all("link", rel="stylesheet")]
    assert len(stylesheets) == 1  # portal.css, the theme's own and the shop's settings in one file
    assert "theme-bold" in framed.body["class"]
    for href in stylesheets:
        assert client.get(href).status_code == 200


def test_embed_speaks_the_storefronts_language_through_the_lookup(client, factory):
    from portal import i18n

    shop = factory.merchant("nordic", locale="en", enabled_locales="en,nb", embed_origins=STOREFRONT)
    factory.order(shop)
    i18n.activate("nb")
    expected_heading = i18n.gettext("Track your order")
    i18n.activate(i18n.SOURCE_LOCALE)
    assert expected_heading != "Track your order"

    page = client.get(f"/embed/nordic/track?origin={STOREFRONT}&lang=nb-NO")
    soup = html(page)
    assert soup.html["lang"] == "nb"
    assert text_of(soup.h1) == expected_heading
    action, token = form_of(page)
    response = client.post(action, data={"csrf_token": token, "order_number": "1001",
                                         "contact": "shopper@example.com"})
    order_page = html(client.get(response.headers["location"]))
    assert order_page.html["lang"] == "nb"
