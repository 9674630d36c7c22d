"""The console speaks its user's language everywhere: settings refused with the reason in German,
every e-mail kind named, the translation page's own labels; and the log-in takes the shop in any case."""

from __future__ import annotations

import pytest

from portal import i18n
from portal.notify import digest, kinds, notifications, return_mail
from portal.orders import custom_statuses, history
from portal.orders.custom_statuses import StatusInput
from portal.store import outbox
from portal.store.db import session_scope
from tests.conftest import console_login, html, text_of
from tests.test_security import login


@pytest.fixture
def german(client, factory, merchant) -> str:
    """Logged in to the console in German (the browser's language); the session's CSRF token."""
    client.headers["Accept-Language"] = "de"
    return console_login(client, factory, merchant)


def alert(response) -> str:
    return text_of(html(response).find(role="alert"))


# -- settings refused in the console's language ------------------------------------------------

def test_a_bad_return_window_is_refused_in_german_next_to_the_form(client, german):
    refused = client.post("/admin/returns/settings", data={
        "csrf_token": german, "locale": "en", "returns": "on", "return_window_days": "0", "offer_fit": "on"})
    assert refused.status_code == 422
    assert alert(refused) == "'0': eine ganze Zahl von Tagen von 1 bis 3650"
    assert html(refused).find("input", {"name": "return_window_days"})["value"] == "0"


def test_an_origin_with_a_path_is_refused_in_german_with_the_text_kept(client, german):
    refused = client.post("/admin/embed", data={"csrf_token": german, "embed_origins": "https://shop.example/path"})
    assert refused.status_code == 422
    assert alert(refused) == ("'https://shop.example/path' hat einen Pfad: nur Schema, Host und Port angeben, "
                              "etwa https://shop.example")
    assert text_of(html(refused).find("textarea", {"name": "embed_origins"})) == "https://shop.example/path"


def test_a_long_webhook_secret_is_a_form_error_named_by_its_label(client, german):
    refused = client.post("/admin/webhooks", data={"csrf_token": german, "shopify_webhook_secret": "x" * 300})
    assert refused.status_code == 422
    assert alert(refused) == "Shopify-Webhook-Geheimnis: höchstens 255 Zeichen"
    assert html(refused).find("input", {"name": "shopify_webhook_secret"}) is not None  # the form, to try again


def test_a_custom_status_that_no_longer_exists_is_refused_in_german(client, factory, merchant, german):
    with session_scope(factory.portal.engine) as session:
        custom_statuses.save(session, merchant, StatusInput(key="engraving", labels={"en": "Engraving"}, color="teal"))
    order = factory.order(merchant)
    refused = client.post(f"/admin/orders/{order.id}/custom-status", data={"csrf_token": german, "custom_status": "x"})
    assert refused.status_code == 422
    assert text_of(html(refused).select_one(".alert--error")) == (
        "unbekannter eigener Status 'x' (dieser Shop hat: engraving)")


def test_the_cli_rule_stays_english_where_no_language_is_active(factory, merchant):
    from portal.merchants import MerchantError, apply_settings

    with session_scope(factory.portal.engine) as session, pytest.raises(MerchantError) as refused:
        apply_settings(session, merchant, {"return_window_days": "0"})
    assert str(refused.value) == "return_window_days: '0': a whole number of days from 1 to 3650"


# -- e-mail kinds ---------------------------------------------------------------------------------

def test_every_kind_the_outbox_can_hold_has_a_translated_label():
    queued = {*notifications.SWITCHES, notifications.TRACKING_LINK, notifications.TEST, history.KIND, digest.KIND,
              *return_mail.KINDS.values()}
    assert queued - set(kinds.LABELS) == set()
    i18n.activate("de")
    try:
        untranslated = {kind: label for kind, label in kinds.labels().items() if label == kinds.LABELS[kind]}
    finally:
        i18n.activate("en")
    assert untranslated == {}


def test_recent_emails_name_every_kind_in_german(client, factory, merchant, german):
    order = factory.order(merchant)
    with session_scope(factory.portal.engine) as session:
        outbox.queue(session, [outbox.message(merchant.id, order.id, kind, "shopper@example.com", f"test:{kind}")
                               for kind in kinds.LABELS])
    shown = {text_of(row.find_all("td")[1]) for row in
             html(client.get("/admin/notifications")).select("tr.outbox-row")}
    assert {"Sendungsverfolgungs-Link", "Rücksendung angefragt", "Rücksendung genehmigt",
            "Rücksendung abgelehnt"} <= shown
    assert shown.isdisjoint(kinds.LABELS)  # no raw key
    assert len(shown) == len(kinds.LABELS)


# -- translations page ----------------------------------------------------------------------------

def test_the_translation_page_names_the_shops_own_texts_in_german(client, german):
    labels = [text_of(label) for label in html(client.get("/admin/translations")).select("label[for^=text-]")]
    assert labels == ["Support-Nachricht (unter „Fragen zu Ihrer Bestellung?“ auf jeder Seite)",
                      "Einleitung über dem Formular zur Bestellsuche"]


# -- log-in ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["ACME", " acme ", "Acme"])
def test_the_shop_logs_in_whatever_the_case_of_its_slug(client, factory, merchant, typed):
    factory.user(merchant)
    assert login(client, typed).status_code == 303
    assert client.get("/admin/").status_code == 200


def test_a_wrong_shop_is_still_refused(client, factory, merchant):
    factory.user(merchant)
    assert login(client, "ACMEX").status_code == 401
