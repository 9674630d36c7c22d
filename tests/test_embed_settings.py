"""embed_origins: validation, `portal merchant set`, the console page with the snippet; the static scripts."""

from __future__ import annotations

import gzip
import re

import pytest
from click.testing import CliRunner

from portal.cli import main as cli
from portal.embed import OriginError, parse_origin, parse_origins
from portal.merchants import MerchantError, apply_settings
from portal.settings import PROJECT_ROOT
from portal.store.db import session_scope
from portal.store.models import Merchant
from tests.conftest import console_login as login, html, text_of


@pytest.mark.parametrize("given, expected", [
    ("https://shop.example", "https://shop.example"),
    ("HTTPS://Shop.Example/", "https://shop.example"),
    ("https://shop.example:443", "https://shop.example"),
    ("http://127.0.0.2:8123", "http://127.0.0.2:8123"),
    ("https://[::1]:8443", "https://[::1]:8443"),
    ("https://bücher.example", "https://xn--bcher-kva.example"),
])
def test_origins_are_normalised(given, expected):
    assert parse_origin(given) == expected


@pytest.mark.parametrize("given, reason", [
    ("https://shop.example/track", "has a path"),
    ("https://shop.example/?x=1", "has a path"),
    ("https://shop.example#top", "has a path"),
    ("shop.example", "must start with https://"),
    ("ftp://shop.example", "must start with https://"),
    ("javascript:alert(1)", "must start with https://"),
    ("https://*.shop.example", "wildcards"),
    ("https://shop.example;script-src", "semicolons"),
    ("https://user:pw@shop.example", "user name or password"),
    ("https://shop.example:99999", "bad host or port"),
    ("https://-shop.example", "valid host"),
    ("https://", "valid host"),
])
def test_invalid_origins_are_refused_with_the_reason(given, reason):
    with pytest.raises(OriginError, match=re.escape(reason)):
        parse_origin(given)


def test_origin_list_is_deduplicated_and_reports_every_bad_entry():
    assert parse_origins(" https://a.example,https://b.example , https://A.example/ ") == [
        "https://a.example", "https://b.example"]
    with pytest.raises(OriginError) as caught:
        parse_origins("https://a.example/x,https://ok.example,b.example")
    assert "https://a.example/x" in str(caught.value) and "b.example" in str(caught.value)


def test_setter_refuses_a_bad_list_and_keeps_the_old_value(portal, factory):
    merchant = factory.merchant("acme", embed_origins="https://old.example")
    with session_scope(portal.engine) as session:
        fresh = session.get(Merchant, merchant.id)
        with pytest.raises(MerchantError, match="embed_origins: 'https://a.example/shop' has a path"):
            apply_settings(session, fresh, {"embed_origins": "https://ok.example,https://a.example/shop"})
    with session_scope(portal.engine) as session:
        assert session.get(Merchant, merchant.id).embed_origins == "https://old.example"


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(settings.instance_dir))


def test_cli_sets_embed_origins(cli_env, portal, factory):
    merchant = factory.merchant("acme")
    result = CliRunner().invoke(cli, ["merchant", "set", "acme",
                                      "embed_origins=https://a.example,https://b.example"])
    assert result.exit_code == 0, result.output
    with session_scope(portal.engine) as session:
        assert session.get(Merchant, merchant.id).embed_origins == "https://a.example,https://b.example"


def test_cli_refuses_invalid_origin_with_a_clear_error(cli_env, portal, factory):
    merchant = factory.merchant("acme", embed_origins="https://a.example")
    result = CliRunner().invoke(cli, ["merchant", "set", "acme", "embed_origins=https://a.example/track"])
    assert result.exit_code == 1
    assert "embed_origins: 'https://a.example/track' has a path" in result.output
    assert "Traceback" not in result.output
    with session_scope(portal.engine) as session:
        assert session.get(Merchant, merchant.id).embed_origins == "https://a.example"


def test_console_shows_the_ready_to_paste_snippet(client, factory):
    merchant = factory.merchant("acme", embed_origins="https://shop.example")
    login(client, factory, merchant)
    soup = html(client.get("/admin/embed"))
    snippet = soup.find("textarea", id="snippet").get_text()
    assert '<script src="http://testserver/static/embed.js" async></script>' in snippet
    assert '<div data-order-tracking data-shop="acme">' in snippet
    assert '<noscript><a href="http://testserver/acme/track">Track your order</a></noscript>' in snippet
    assert soup.find("textarea", id="embed_origins").get_text() == "https://shop.example"


def test_console_saves_origins_and_refuses_invalid_ones(client, factory, portal):
    merchant = factory.merchant("acme")
    login(client, factory, merchant)
    token = html(client.get("/admin/embed")).find("input", attrs={"name": "csrf_token"})["value"]
    bad = client.post("/admin/embed", data={"csrf_token": token, "embed_origins": "https://shop.example/track"})
    assert bad.status_code == 422
    soup = html(bad)
    assert "has a path" in text_of(soup.find(role="alert"))
    assert soup.find("textarea", id="embed_origins").get_text() == "https://shop.example/track"

    good = client.post("/admin/embed", data={"csrf_token": token,
                                             "embed_origins": "https://shop.example, https://www.shop.example"})
    assert good.status_code == 303
    with session_scope(portal.engine) as session:
        assert session.get(Merchant, merchant.id).embed_origins == "https://shop.example,https://www.shop.example"
    framed = client.get("/embed/acme/track")
    assert "frame-ancestors https://shop.example https://www.shop.example" in framed.headers["content-security-policy"]


def test_console_embed_page_needs_login_and_csrf(client, factory):
    merchant = factory.merchant("acme")
    assert client.get("/admin/embed").status_code == 303
    login(client, factory, merchant)
    response = client.post("/admin/embed", data={"csrf_token": "wrong", "embed_origins": "https://x.example"})
    assert response.status_code == 403


def test_embed_script_is_small_and_self_contained(client):
    source = (PROJECT_ROOT / "static" / "embed.js").read_bytes()
    assert len(source) < 5 * 1024  # hand-written: the shipped file is the budget, no minifier needed
    assert len(gzip.compress(source)) < 2 * 1024
    assert b"import " not in source and b"require(" not in source
    served = client.get("/static/embed.js")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith(("text/javascript", "application/javascript"))

