"""Host headers: only the portal's own hosts and merchants' configured hosts are served, and
redirects point at PORTAL_BASE_URL (or the merchant's host), never at a Host header a client chose."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from portal.app import create_app
from portal.cli import main


@pytest.fixture
def cli(settings, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("path", ["/admin/", "/acme/", "/acme/track", "/api/v1/orders", "/"])
def test_unknown_host_is_refused_never_redirected_to(client, merchant, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("location", "")


def test_redirects_point_at_the_base_url_whatever_allowed_host_was_asked(client, settings):
    # localhost is served (development) but the portal's address is PORTAL_BASE_URL.
    settings.base_url = "https://portal.example"
    for host in ("testserver", "localhost", "127.0.0.1:8000"):
        response = client.get("/admin/", headers={"Host": host})
        assert response.status_code == 303
        assert response.headers["location"] == "https://portal.example/admin/login"


def test_a_merchant_host_set_while_running_is_served_at_once(client, merchant, cli):
    assert client.get("/acme/", headers={"Host": "track.acme.example"}).status_code == 400
    assert cli("merchant", "set", "acme", "host=Track.Acme.example").exit_code == 0
    response = client.get("/acme/", headers={"Host": "track.acme.example"})
    assert response.status_code == 302
    assert response.headers["location"] == "http://track.acme.example/acme/track"
    # Another shop's host is not this one's, and a removed host is refused again.
    assert client.get("/acme/", headers={"Host": "track.other.example"}).status_code == 400
    assert cli("merchant", "set", "acme", "host=").exit_code == 0
    assert client.get("/acme/", headers={"Host": "track.acme.example"}).status_code == 400


@pytest.mark.parametrize("value", ["https://track.acme.example", "track.acme.example/path", "track acme", "*.acme.example"])
def test_merchant_host_is_a_bare_host_name(cli, merchant, value):
    result = cli("merchant", "set", "acme", f"host={value}")
    assert result.exit_code != 0 and "host" in result.output


def test_allowed_hosts_setting(settings):
    settings.allowed_hosts = "portal.example, *.shops.example"
    with TestClient(create_app(settings), follow_redirects=False) as client:
        assert client.get("/healthz", headers={"Host": "portal.example"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "acme.shops.example"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "testserver"}).status_code == 200  # PORTAL_BASE_URL's
        assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400  # the default no more
        assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
