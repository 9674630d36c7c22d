"""Security basics: headers, themed errors (never a stack trace), healthz, console isolation and CSRF."""

from __future__ import annotations

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.conftest import PASSWORD, html, text_of


def test_security_headers_on_pages(client, merchant):
    response = client.get("/acme/track")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_healthz(client):
    assert client.get("/healthz").status_code == 200


def test_unknown_page_is_themed_404(client):
    response = client.get("/nothing/here/at/all")
    assert response.status_code == 404
    assert text_of(html(response).find("h1")) == "Page not found"


def test_server_error_is_a_friendly_page_without_a_trace(app):
    async def boom(request):
        raise RuntimeError("secret internals")

    app.router.routes.insert(0, Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert text_of(html(response).find("h1")) == "Something went wrong"


def login(client, shop, email="owner@example.com", password=PASSWORD):
    token = html(client.get("/admin/login")).find("input", {"name": "csrf_token"})["value"]
    return client.post("/admin/login", data={"csrf_token": token, "shop": shop, "email": email,
                                             "password": password})


@pytest.fixture
def two_shops(factory, merchant):
    rival = factory.merchant("rival", name="Rival Goods")
    factory.user(merchant)
    factory.user(rival)
    factory.order(merchant, number="#1001", email="acme-buyer@example.com")
    factory.order(rival, number="#5001", email="rival-buyer@example.com")
    return merchant, rival


def test_console_login_lists_only_own_orders(client, two_shops):
    assert login(client, "acme").status_code == 303
    page = html(client.get("/admin/"))
    numbers = [row["data-number"] for row in page.select("tr.order-row")]
    assert numbers == ["#1001"]
    assert "rival-buyer" not in page.get_text()
    link = page.select_one("a.tracking-link")["href"]
    assert client.get(link).status_code == 200


def test_console_search_and_filter(client, two_shops, factory):
    acme, _ = two_shops
    factory.order(acme, number="#1002", email="other@example.com", payment_status="refunded")
    login(client, "acme")
    by_email = html(client.get("/admin/", params={"q": "OTHER@example.com"}))
    assert [r["data-number"] for r in by_email.select("tr.order-row")] == ["#1002"]
    refunded = html(client.get("/admin/", params={"payment_status": "refunded"}))
    assert [r["data-number"] for r in refunded.select("tr.order-row")] == ["#1002"]


def test_console_rejects_wrong_password_and_needs_login(client, two_shops):
    assert login(client, "acme", password="wrong password").status_code == 401
    assert login(client, "rival", email="nobody@example.com").status_code == 401
    response = client.get("/admin/")
    assert response.status_code == 303 and response.headers["location"].endswith("/admin/login")


def test_console_forms_need_csrf_token(client, two_shops):
    response = client.post("/admin/login", data={"shop": "acme", "email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 403
    login(client, "acme")
    assert client.post("/admin/logout").status_code == 403


def test_console_cannot_revoke_another_shops_order(client, two_shops, portal):
    login(client, "acme")
    token = html(client.get("/admin/")).find("input", {"name": "csrf_token"})["value"]
    from portal.store.db import session_scope
    from portal.store import queries

    with session_scope(portal.engine) as session:
        rival_order = queries.order_by_number_key(session, two_shops[1].id, "5001")
    response = client.post(f"/admin/orders/{rival_order.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 404


def test_merchant_changes_apply_at_once(client, merchant, portal):
    from portal.merchants import apply_settings
    from portal.store.db import session_scope
    from portal.store import queries

    assert client.get("/acme/track").headers["content-language"] == "en"
    with session_scope(portal.engine) as session:
        apply_settings(session, queries.merchant_by_slug(session, "acme"), {"name": "Acme Renamed"})
    assert "Acme Renamed" in text_of(html(client.get("/acme/track")).find(class_="brand"))
