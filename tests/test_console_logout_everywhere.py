""""Log out everywhere" on the account page: a confirmation page, then every session of that login
ends (this browser's and the others'), while other logins of the shop and of other shops stay."""

from __future__ import annotations

import pytest

from tests.conftest import html, text_of
from tests.test_console_sessions import browser, opens_console
from tests.test_security import login

CONFIRM = "/admin/account/logout-everywhere"


@pytest.fixture
def owner(factory, merchant):
    factory.user(merchant)
    factory.user(merchant, email="colleague@example.com")
    return merchant


def csrf_token(page) -> str:
    return html(page).find("input", {"name": "csrf_token"})["value"]


def confirmation_form(client):
    """Follow the account page's "Log out everywhere" to its confirmation page; its form."""
    link = html(client.get("/admin/account")).select_one(".account-sessions a")
    assert text_of(link) == "Log out everywhere"
    page = client.get(link["href"])
    assert page.status_code == 200
    form = html(page).select_one("form.logout-everywhere-confirm")
    assert "Every session of owner@example.com ends at once" in text_of(form)
    return form


def test_log_out_everywhere_ends_every_session_of_that_login_only(client, factory, owner):
    laptop, phone = client, browser(client.app)
    colleague = browser(client.app, "198.51.100.2")
    rival = factory.merchant("rival", name="Rival Goods")
    factory.user(rival)
    other_shop = browser(client.app, "198.51.100.3")
    login(laptop, "acme")
    login(phone, "acme")
    login(colleague, "acme", email="colleague@example.com")
    login(other_shop, "rival")

    form = confirmation_form(laptop)
    # Seeing the confirmation ends nothing.
    assert all(opens_console(c) for c in (laptop, phone, colleague, other_shop))

    fields = {field["name"]: field["value"] for field in form.select("input[name]")}
    assert set(fields) == {"csrf_token"}
    done = laptop.post(form["action"], data=fields, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/admin/login")
    notice = html(laptop.get(done.headers["location"])).select_one(".notice")
    assert text_of(notice) == "Every session of your login has ended, on every device. Log in again to continue."
    assert html(laptop.get("/admin/login")).select_one(".notice") is None  # said once

    for ended in (laptop, phone):
        answer = ended.get("/admin/account", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].endswith("/admin/login")
    assert opens_console(colleague) and opens_console(other_shop)
    assert login(phone, "acme").status_code == 303 and opens_console(phone)  # logging in again works


def test_the_notice_is_translated(client, owner):
    login(client, "acme")
    token = csrf_token(client.get(CONFIRM))
    client.post(CONFIRM, data={"csrf_token": token}, follow_redirects=False)
    german = html(client.get("/admin/login", headers={"Accept-Language": "de"}))
    notice = text_of(german.select_one(".notice"))
    assert notice and "Every session" not in notice


@pytest.mark.parametrize("token", ["", "stale"])
def test_a_missing_or_stale_csrf_token_ends_nothing(client, owner, token):
    phone = browser(client.app)
    login(phone, "acme")
    login(client, "acme")
    if token == "stale":
        token = csrf_token(client.get(CONFIRM))
        login(client, "acme")  # a new session, with a new token: the page's form is stale
    refused = client.post(CONFIRM, data={"csrf_token": token} if token else {}, follow_redirects=False)
    assert refused.status_code == 403
    assert opens_console(client) and opens_console(phone)


def test_the_confirmation_needs_a_login(client, owner):
    answer = client.get(CONFIRM, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("/admin/login")
