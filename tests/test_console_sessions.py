"""Console sessions end server-side (logout, password change), and logins are rate limited."""

from __future__ import annotations

import pytest
from limits import parse as parse_limit
from starlette.testclient import TestClient

from tests.conftest import PASSWORD, html, text_of
from tests.test_cli import run  # noqa: F401  (fixture)
from tests.test_security import login

SESSION_COOKIE = "portal_session"


def opens_console(client) -> bool:
    response = client.get("/admin/", follow_redirects=False)
    assert response.status_code in (200, 303)
    return response.status_code == 200


def logout(client) -> None:
    token = html(client.get("/admin/")).find("input", {"name": "csrf_token"})["value"]
    assert client.post("/admin/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303


@pytest.fixture
def owner(factory, merchant):
    factory.user(merchant)
    return merchant


def test_a_cookie_saved_before_logout_no_longer_opens_the_console(client, owner):
    assert login(client, "acme").status_code == 303
    saved = client.cookies[SESSION_COOKIE]
    logout(client)
    assert not opens_console(client)

    client.cookies.set(SESSION_COOKIE, saved)  # replayed, as someone who copied it would
    assert not opens_console(client)


def browser(app, address: str = "testclient") -> TestClient:
    """Another browser (its own cookies), from `address`."""
    return TestClient(app, follow_redirects=False, client=(address, 50000))


def test_logout_ends_the_users_sessions_on_other_devices(client, owner):
    phone = browser(client.app)
    login(client, "acme")
    login(phone, "acme")
    assert opens_console(client) and opens_console(phone)
    logout(client)
    assert not opens_console(phone)
    assert login(phone, "acme").status_code == 303  # logging in again works
    assert opens_console(phone)


def test_a_password_change_ends_every_session_of_that_user(run, client, owner, factory):  # noqa: F811
    factory.user(owner, email="colleague@example.com")
    login(client, "acme")
    colleague = browser(client.app)
    login(colleague, "acme", email="colleague@example.com")

    result = run("user", "password", "acme", "owner@example.com", "--password", "a brand new passphrase")
    assert result.exit_code == 0, result.output

    assert not opens_console(client)
    assert opens_console(colleague)  # another user's session is not touched
    assert login(client, "acme").status_code == 401  # the old password
    assert login(client, "acme", password="a brand new passphrase").status_code == 303
    assert opens_console(client)


def test_a_password_change_refuses_a_short_password_and_unknown_logins(run, owner):  # noqa: F811
    short = run("user", "password", "acme", "owner@example.com", "--password", "short")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    unknown = run("user", "password", "acme", "nobody@example.com", "--password", "long enough password")
    assert unknown.exit_code != 0 and "nobody@example.com" in unknown.output


def test_wrong_passwords_get_429_with_retry_after_after_the_limit(client, owner):
    statuses = []
    for attempt in range(30):
        response = login(client, "acme", password=f"wrong password {attempt}")
        statuses.append(response.status_code)
    assert statuses[0] == 401 and statuses[-1] == 429
    limited = statuses.index(429)
    assert 3 <= limited <= 20 and set(statuses[limited:]) == {429}
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many log-in attempts" in text_of(html(response).select_one(".alert--error"))
    # While the account is locked, even its right password is not checked.
    assert login(client, "acme").status_code == 429


@pytest.fixture
def strict(settings, owner):
    """A client that logs in with stricter limits (fewer slow password checks to reach them)."""
    from portal.app import create_app

    app = create_app(settings.model_copy(update={"login_rate_limit": "3/15 minutes",
                                                 "login_client_rate_limit": "5/15 minutes"}))
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_the_limit_message_is_translated(strict):
    for attempt in range(3):
        login(strict, "acme", password=f"wrong {attempt}")
    token = html(strict.get("/admin/login")).find("input", {"name": "csrf_token"})["value"]
    german = strict.post("/admin/login?lang=de", headers={"Accept-Language": "de"}, data={
        "csrf_token": token, "shop": "acme", "email": "owner@example.com", "password": "wrong again"})
    assert german.status_code == 429
    message = text_of(html(german).select_one(".alert--error"))
    assert "15" in message and "Too many" not in message


def test_a_client_trying_many_accounts_is_limited(strict):
    statuses = [login(strict, "acme", email=f"user{n}@example.com", password="wrong password").status_code
                for n in range(6)]
    assert statuses == [401] * 5 + [429]


def test_others_log_in_while_one_client_is_limited(strict, factory, owner):
    factory.user(owner, email="colleague@example.com")
    attacker = browser(strict.app, "203.0.113.7")
    statuses = [login(attacker, "acme", email=f"{name}@example.com", password=f"guess {attempt}").status_code
                for attempt in range(3) for name in ("owner", "nobody")]
    assert statuses[-1] == 429
    colleague = browser(strict.app, "198.51.100.2")
    assert login(colleague, "acme", email="colleague@example.com").status_code == 303
    assert opens_console(colleague)
