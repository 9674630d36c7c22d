"""Signed tracking links: valid, tampered, revoked, and what the CLI prints."""

from __future__ import annotations

from click.testing import CliRunner

from portal.cli import main
from portal.store.db import session_scope
from portal.store.models import Order
from portal.orders import upsert
from tests.conftest import html, text_of


def test_valid_link_shows_the_order(client, factory, merchant):
    order = factory.order(merchant)
    response = client.get(factory.link(merchant, order))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"


def test_tampered_links_show_the_lookup_form(client, factory, merchant):
    order = factory.order(merchant)
    link = factory.link(merchant, order)
    public_id, signature = link.rsplit("/", 1)[1].split(".")
    # Flip a middle character: the last one may only carry base64 padding bits.
    middle = len(signature) // 2
    flipped = signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1:]
    # The last character changed only in the bits base64 ignores (32 bytes use 256 of 258 bits).
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused_bits = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]
    for bad in (f"{public_id}.{flipped}", f"{public_id}.{unused_bits}", f"{public_id}", "garbage", f"{'A' * 16}.{signature}", "a.b", "x" * 300):
        response = client.get(f"/acme/orders/{bad}")
        assert response.status_code == 404, bad
        page = html(response)
        assert page.find("form", class_="lookup-form") is not None
        assert "not valid" in text_of(page.find(id="lookup-error"))


def test_link_of_one_shop_does_not_open_in_another(client, factory, merchant):
    order = factory.order(merchant)
    factory.merchant("rival")
    link = factory.link(merchant, order).replace("/acme/", "/rival/")
    assert client.get(link).status_code == 404


def test_revoked_link_stops_working_and_a_new_one_works(client, factory, merchant, portal):
    order = factory.order(merchant)
    old = factory.link(merchant, order)
    with session_scope(portal.engine) as session:
        upsert.revoke_links(session, session.get(Order, order.id))
    new = factory.link(merchant, order)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_cli_prints_absolute_link(settings, factory, merchant, monkeypatch, client):
    factory.order(merchant)
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_BASE_URL", "https://track.example.com")
    result = CliRunner().invoke(main, ["link", "acme", "#1001"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("https://track.example.com/acme/orders/")
    assert client.get(url.removeprefix("https://track.example.com")).status_code == 200

    revoked = CliRunner().invoke(main, ["link", "acme", "1001", "--revoke"])
    assert revoked.exit_code == 0
    assert client.get(url.removeprefix("https://track.example.com")).status_code == 404

    missing = CliRunner().invoke(main, ["link", "acme", "4242"])
    assert missing.exit_code != 0 and "no order" in missing.output


def test_shop_routes_never_claim_the_portals_own_paths(client, factory, merchant):
    """Shop pages are matched first; a slug that is a reserved path must never reach them."""
    order = factory.order(merchant)
    # The console's order page has the shape of a tracking link: it must stay the console's.
    console = client.get(f"/admin/orders/{order.id}")
    assert console.status_code in (302, 303) and "/admin/login" in console.headers["location"]
    assert client.get("/api/v1/orders/1001").status_code == 401
    # Slugs that merely start with a reserved word are ordinary shops.
    for slug in ("apiary", "admin-outlet", "static-shop"):
        shop = factory.merchant(slug, name=slug.title())
        other = factory.order(shop)
        assert client.get(factory.link(shop, other)).status_code == 200, slug
        assert client.get(f"/{slug}/track").status_code == 200, slug


def test_remembered_paths_match_the_router_and_stay_bounded(app):
    """web.url_path asks a route by name directly, not the whole table, and remembers the answer:
    the same paths as Starlette's router, for every named route and the Mount behind static files."""
    from starlette.routing import Route

    from portal.web import url_path

    asked = [(route.name, {name: "acme" if name == "shop" else "7" for name in route.param_convertors})
             for route in app.routes if isinstance(route, Route) and route.name]
    for name, params in [*asked, ("order_page", {"shop": "acme", "token": "abc.def"}), ("static", {"path": "portal.css"})]:
        assert url_path(app, name, **params) == str(app.url_path_for(name, **params))
        assert url_path(app, name, **params) == str(app.url_path_for(name, **params))  # from the cache
    assert url_path(app, "order_page", shop="acme", token="abc.def") == "/acme/orders/abc.def"
    for n in range(12_000):  # one per tracking link ever shown: memory must not grow with them
        url_path(app, "order_page", shop="acme", token=f"t{n}")
    assert len(app.state.url_paths) <= 10_000
