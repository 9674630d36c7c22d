"""Static files under content-hashed URLs (a year's cache), the favicon, and scripts only where used."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import html

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def pages(client, factory, merchant):
    factory.merchant("boldly", name="Boldly", theme="bold")
    order = factory.order(merchant)
    return {"order": factory.link(merchant, order), "lookup": "/acme/track", "bold lookup": "/boldly/track",
            "error": "/acme/orders/not-a-token", "console login": "/admin/login"}


def assets_of(page) -> list[str]:
    return [node.get("href") or node.get("src") for node in page.select("link[href], script[src]")]


def test_every_asset_a_page_names_carries_its_hash_and_is_kept_a_year(client, pages):
    seen = set()
    for name, path in pages.items():
        page = html(client.get(path))
        for url in assets_of(page):
            seen.add(urlsplit(url).path)
            assert "?v=" in url, (name, url)
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["cache-control"] == IMMUTABLE, url
    assert {"/static/vendor/live.js", "/static/favicon.svg", "/acme/theme.css"} <= seen


def test_an_unhashed_or_stale_url_still_works_but_is_revalidated(client):
    for url in ("/static/portal.js", "/static/portal.js?v=0000000000000000", "/static/embed.js"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"
        assert client.get(url, headers={"If-None-Match": response.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("path", ["/static/missing.js", "/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                                  "/static/vendor", "/static/"])
def test_only_files_of_static_are_served(client, path):
    assert client.get(path).status_code == 404


def test_each_page_names_a_favicon_that_exists(client, pages):
    icons = {}
    for name, path in pages.items():
        icons[name] = html(client.get(path)).select_one("link[rel=icon]")["href"]
        response = client.get(icons[name])
        assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert icons["bold lookup"].startswith("/theme-assets/static/bold/favicon.svg?v=")  # the theme's own
    assert icons["lookup"].startswith("/static/favicon.svg?v=")  # classic has none: the portal's
    plain = client.get("/favicon.ico")  # asked for by browsers on answers that name no icon
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("image/svg+xml")


def test_htmx_only_on_the_live_order_page(client, pages):
    order = html(client.get(pages["order"]))
    assert [urlsplit(s["src"]).path for s in order.select("script[src]")] == ["/static/vendor/live.js"]
    joined = client.get(order.select_one("script[src]")["src"]).text
    assert "htmx" in joined and "sse-connect" in joined and "lang-switch" in joined  # htmx, SSE, portal.js
    for name in ("lookup", "error"):
        scripts = [urlsplit(s["src"]).path for s in html(client.get(pages[name])).select("script[src]")]
        assert scripts == ["/static/portal.js"], name  # the language picker's; no htmx
