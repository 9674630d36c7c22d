"""The console's language: each login's own choice (console → Your account), else the browser's,
among every shipped catalog whatever languages the shop offers its shoppers; never the shop's
translation overrides."""

from __future__ import annotations

from starlette.testclient import TestClient

from portal.i18n import overrides
from portal.store.models import Merchant
from tests.conftest import html, text_of
from tests.test_security import login


def nav_links(response) -> list[str]:
    return [text_of(a) for a in html(response).select(".console-nav a")]


def choose(client: TestClient, locale: str):
    token = html(client.get("/admin/account")).find("input", {"name": "csrf_token"})["value"]
    return client.post("/admin/account", data={"csrf_token": token, "locale": locale})


def test_the_console_follows_the_browser_even_in_a_language_the_shop_does_not_offer(client, factory, merchant):
    merchant.enabled_locales = "en"
    with factory.portal.session() as session:
        session.merge(merchant)
    factory.user(merchant)
    client.headers["Accept-Language"] = "de-CH, fr;q=0.8"
    assert client.get("/acme/track").headers["Content-Language"] == "en"  # shoppers: the shop's languages
    login(client, "acme")
    page = client.get("/admin/")
    assert page.headers["Content-Language"] == "de"
    assert html(page).html["lang"] == "de"
    assert nav_links(page)[0] == "Bestellungen"
    assert "Ihr Konto" in nav_links(page)


def test_the_login_page_speaks_the_browser_language(client):
    client.headers["Accept-Language"] = "fr-CA"
    page = html(client.get("/admin/login"))
    assert page.html["lang"] == "fr"
    assert text_of(page.h1) != "Log in to your console"


def test_each_login_picks_its_own_language(app, factory, merchant):
    factory.user(merchant)
    factory.user(merchant, email="packer@example.com")
    with TestClient(app, follow_redirects=False) as owner, TestClient(app, follow_redirects=False) as packer:
        for client in (owner, packer):
            client.headers["Accept-Language"] = "en-GB"
        login(owner, "acme")
        login(packer, "acme", email="packer@example.com")
        answer = choose(owner, "ar")
        assert answer.status_code == 303
        assert answer.headers["location"].endswith("/admin/account?saved=1")
        arabic = owner.get("/admin/")
        assert (html(arabic).html["lang"], html(arabic).html["dir"]) == ("ar", "rtl")
        assert nav_links(arabic)[0] == "الطلبات"
        # The other login of the same shop still reads its browser's language.
        assert nav_links(packer.get("/admin/"))[0] == "Orders"
        # The choice is the user's, not the session's: it survives logging in again.
        with TestClient(app, follow_redirects=False) as again:
            login(again, "acme")
            assert html(again.get("/admin/account")).find("option", selected=True)["value"] == "ar"
        # Back to the browser's language.
        assert choose(owner, "").status_code == 303
        assert nav_links(owner.get("/admin/"))[0] == "Orders"


def test_a_language_we_do_not_ship_is_refused_and_nothing_changes(client, factory, merchant):
    factory.user(merchant)
    login(client, "acme")
    assert choose(client, "de").status_code == 303
    refused = choose(client, "xx-unknown")
    assert refused.status_code == 400
    assert "Die Konsole gibt es in dieser Sprache nicht." in text_of(html(refused).select_one(".alert--error"))
    assert choose(client, "is").status_code == 400  # Babel knows Icelandic; we ship no catalog of it
    assert nav_links(client.get("/admin/"))[0] == "Bestellungen"


def test_the_shops_overrides_are_for_shoppers_not_the_console(client, factory, merchant, settings):
    factory.user(merchant)
    source = overrides.source_index(settings.locales_dir)[("", "Orders")]
    with factory.portal.session() as session:
        assert overrides.apply(session, session.get(Merchant, merchant.id), "de",
                               [overrides.Entry(source, ("Aufträge",))]) == 1
    client.headers["Accept-Language"] = "de"
    login(client, "acme")
    assert nav_links(client.get("/admin/"))[0] == "Bestellungen"
