"""Static files under content-hashed URLs (a year's cache), the favicon, and scripts only where used."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from starlette.testclient import TestClient

from portal.app import create_app
from tests.conftest import Factory, html

THEMES = Path(__file__).resolve().parent.parent / "themes"

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def pages(client, factory, merchant):
    factory.merchant("boldly", name="Boldly", theme="bold")
    order = factory.order(merchant)
    return {"order": factory.link(merchant, order), "lookup": "/acme/track", "bold lookup": "/boldly/track",
            "error": "/acme/orders/not-a-token", "console login": "/admin/login"}


def assets_of(page) -> list[str]:
    urls = [node.get("href") or node.get("src") for node in page.select("link[href], script[src]")]
    return [url for url in urls if not url.startswith("data:")]


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
    assert {"/static/vendor/live.js", "/static/portal.js", "/acme/theme.css"} <= seen


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


def test_each_page_names_its_theme_icon_inline(client, pages):
    """The theme's static/favicon.svg, as a data: URL: a first view makes no request for it."""
    for name, path in pages.items():
        theme = "bold" if name == "bold lookup" else "classic"
        icon = html(client.get(path)).select_one("link[rel=icon]")["href"]
        assert icon.startswith("data:image/svg+xml,%3Csvg") and unquote(icon.split(",", 1)[1]) == " ".join(
            (THEMES / theme / "static/favicon.svg").read_text().split()), name
    plain = client.get("/favicon.ico")  # asked for by browsers on answers that name no icon
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("image/svg+xml")


def test_a_theme_without_an_icon_gets_the_portals(tmp_path, settings):
    shutil.copytree(THEMES / "classic", tmp_path / "themes/classic")
    (tmp_path / "themes/classic/static/favicon.svg").unlink()
    settings.themes_dir = tmp_path / "themes"
    with TestClient(create_app(settings)) as client:
        Factory(client.app.state.portal).merchant("acme")
        icon = html(client.get("/acme/track")).select_one("link[rel=icon]")["href"]
        assert icon.startswith("/static/favicon.svg?v=") and client.get(icon).status_code == 200


def test_htmx_only_on_the_live_order_page(client, pages):
    order = html(client.get(pages["order"]))
    assert [urlsplit(s["src"]).path for s in order.select("script[src]")] == ["/static/vendor/live.js"]
    joined = client.get(order.select_one("script[src]")["src"]).text
    assert "htmx" in joined and "sse-connect" in joined and "lang-switch" in joined  # htmx, SSE, portal.js
    for name in ("lookup", "error"):
        scripts = [urlsplit(s["src"]).path for s in html(client.get(pages[name])).select("script[src]")]
        assert scripts == ["/static/portal.js"], name  # the language picker's; no htmx
