"""Custom statuses: defined in the console, set by API, console or tag, shown on the shopper's page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import i18n
from portal.orders import custom_statuses
from portal.orders.custom_statuses import StatusInput, css_colour
from portal.store.db import session_scope
from portal.store.models import CustomStatus, Merchant, Order
from tests.conftest import console_login as login, html, order_data, text_of


def _catalog(root, code: str) -> None:
    folder = root / code / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        f'msgid ""\nmsgstr ""\n"Language: {code}\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    )


@pytest.fixture
def settings(settings, tmp_path):
    # Catalogs of our own, so the page can be shown in Norwegian and German whatever locales/ holds.
    root = tmp_path / "locales"
    for code in ("nb", "de"):
        _catalog(root, code)
    settings.locales_dir = root
    return settings


@pytest.fixture
def shop(factory):
    return factory.merchant("nordlys", name="Nordlys Ull", locale="nb", currency="NOK")


def define(factory, merchant, key="engraving", **kwargs) -> CustomStatus:
    data = StatusInput(key=key, labels=kwargs.pop("labels", {"nb": "Graveres", "en": "Being engraved"}),
                       color=kwargs.pop("color", "#1f7a4d"), **kwargs)
    with session_scope(factory.portal.engine) as session:
        return custom_statuses.save(session, merchant, data)


def page_of(client, factory, merchant, order, lang="nb"):
    return html(client.get(factory.link(merchant, order) + f"?lang={lang}"))


@pytest.mark.parametrize("value", ["#1F7A4D", "#abc", "#abcd", "#11223344", "teal", "RebeccaPurple",
                                   "rgb(31 122 77)", "rgba(31, 122, 77, .5)", "hsl(150deg 60% 30% / 50%)",
                                   "oklch(0.6 0.1 150)"])
def test_valid_css_colours(value):
    assert css_colour(value) == " ".join(value.lower().split())


@pytest.mark.parametrize("value", ["", "#12", "#ggg", "tealish", "red; } body { display: none",
                                   "url(https://evil.example/x.png)", "expression(alert(1))",
                                   "rgb(1, 2)", "rgb(1,2,3);x:y", "var(--color-bad)", "</style>"])
def test_invalid_css_colours(value):
    assert css_colour(value) is None


def test_console_defines_status_and_rejects_bad_colour(client, factory, shop):
    token = login(client, factory, shop)
    bad = client.post("/admin/statuses", data={
        "csrf_token": token, "key": "engraving", "label_nb": "Graveres", "color": "red; } body {x",
        "progress_step": "0", "visible_to_shopper": "on"})
    assert bad.status_code == 422
    page = html(bad)
    assert "CSS colour" in text_of(page.find(id="color-error"))
    assert page.find("input", {"name": "label_nb"})["value"] == "Graveres"  # the form keeps what was typed
    assert page.find("tr", class_="status-row") is None  # nothing saved

    ok = client.post("/admin/statuses", data={
        "csrf_token": token, "key": "engraving", "label_nb": "Graveres", "label_en": "Being engraved",
        "color": "#1F7A4D", "progress_step": "0", "visible_to_shopper": "on", "send_email": "on",
        "tags": "engrave, gravering"})
    assert ok.status_code == 303
    row = html(client.get("/admin/statuses")).find("tr", class_="status-row")
    assert row["data-key"] == "engraving"
    # The console reads in its user's language (the browser's: English here), not the shop's Norwegian.
    assert "Being engraved" in text_of(row) and "engrave, gravering" in text_of(row)

    clash = client.post("/admin/statuses", data={
        "csrf_token": token, "key": "engraving", "label_nb": "Annet", "color": "teal", "tags": "engrave"})
    assert clash.status_code == 422
    errors = html(clash)
    assert "already has a status" in text_of(errors.find(id="key-error"))
    assert "only one status" in text_of(errors.find(id="tags-error"))

    css = client.get("/nordlys/custom-statuses.css")
    assert css.headers["content-type"].startswith("text/css")
    assert ".custom-status--engraving { --custom-status-color: #1f7a4d; }" in css.text
    assert client.get("/nordlys/custom-statuses.css", headers={"If-None-Match": css.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("step", ["9", "²", "x", "-1"])
def test_a_progress_step_the_form_does_not_offer_is_refused(client, factory, shop, step):
    token = login(client, factory, shop)
    refused = client.post("/admin/statuses", data={
        "csrf_token": token, "key": "engraving", "label_nb": "Graveres", "color": "teal", "progress_step": step})
    assert refused.status_code == 422
    assert "progress bar" in text_of(html(refused).find(id="progress_step-error"))
    assert html(refused).find("tr", class_="status-row") is None


def test_label_in_default_language_is_required(client, factory, shop):
    token = login(client, factory, shop)
    response = client.post("/admin/statuses", data={"csrf_token": token, "key": "customs", "label_en": "Customs",
                                                    "color": "orange"})
    assert response.status_code == 422
    assert "default language" in text_of(html(response).find(id="label_nb-error"))


def test_set_by_api_shows_badge_progress_and_timeline(client, factory, shop):
    define(factory, shop, "customs", labels={"nb": "Venter på toll", "en": "Awaiting customs"},
           color="darkorange", progress_step=2)
    auth = {"Authorization": f"Bearer {factory.api_key(shop)}"}
    data = order_data(currency="NOK", custom_status="customs")
    created = client.post("/api/v1/orders", json=data, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["custom_status"] == "customs"

    with session_scope(factory.portal.engine) as session:
        order = session.exec(select(Order)).one()
    page = page_of(client, factory, shop, order, "nb")
    badge = page.select_one("#panel-status .custom-status .badge--custom")
    assert text_of(badge) == "Venter på toll"
    assert "custom-status--customs" in badge["class"]
    current = page.select_one(".progress [aria-current=step]")
    assert text_of(current.select_one(".badge--custom")) == "Venter på toll"
    assert current is page.select(".progress__step")[2]  # "Out for delivery" step, pushed forward by the status
    timeline = [text_of(li) for li in page.select("#panel-timeline li")]
    assert any("Venter på toll" in line for line in timeline)
    stylesheet = page.find("link", href=lambda h: h and "custom-statuses.css" in h)
    assert stylesheet is not None
    assert not page.select("[style]")  # the colour never travels as an inline style (CSP)

    # Leaving the field out keeps the status; null clears it.
    again = client.post("/api/v1/orders", json=order_data(currency="NOK", payment_status="refunded"), headers=auth)
    assert again.json()["custom_status"] == "customs"
    cleared = client.post("/api/v1/orders", json=order_data(currency="NOK", custom_status=None), headers=auth)
    assert cleared.json()["custom_status"] is None
    assert page_of(client, factory, shop, order).select_one(".badge--custom") is None


def test_unknown_status_from_api_saves_nothing(client, factory, shop):
    define(factory, shop)
    auth = {"Authorization": f"Bearer {factory.api_key(shop)}"}
    response = client.post("/api/v1/orders", json=order_data(currency="NOK", custom_status="nope"), headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "custom_status"
    assert "engraving" in response.json()["errors"][0]["message"]
    assert client.get("/api/v1/orders/1001", headers=auth).status_code == 404


def test_platform_tag_maps_to_status(client, factory, shop):
    define(factory, shop, tags=["Engrave"], progress_step=0)
    order = factory.order(shop, currency="NOK", tags=["vip", "engrave"])
    assert order.custom_status == "engraving"
    badge = page_of(client, factory, shop, order).select_one("#panel-status .badge--custom")
    assert text_of(badge) == "Graveres"
    assert page_of(client, factory, shop, order).select(".progress__step")[0].select_one(".badge--custom")


def test_a_changed_tag_mapping_applies_to_the_next_order(client, factory, shop):
    """Statuses are kept per process for the shop's version: a change must reach the next order
    that arrives. (The next page view: test_a_relabelled_status_shows_on_the_very_next_view.)"""
    status = define(factory, shop, tags=["engrave"])
    key = {"Authorization": f"Bearer {factory.api_key(shop)}"}
    first = client.post("/api/v1/orders", json=order_data(number="2001", currency="NOK", tags=["engrave"]), headers=key)
    assert first.json()["custom_status"] == "engraving"
    with session_scope(factory.portal.engine) as session:
        stored = session.get(CustomStatus, status.id)
        custom_statuses.save(session, shop, StatusInput(key="engraving", labels={"nb": "Graveres"},
                                                        color="#1f7a4d", tags=["laser"]), stored)
    second = client.post("/api/v1/orders", json=order_data(number="2002", currency="NOK", tags=["engrave"]), headers=key)
    third = client.post("/api/v1/orders", json=order_data(number="2003", currency="NOK", tags=["laser"]), headers=key)
    assert (second.json()["custom_status"], third.json()["custom_status"]) == (None, "engraving")


def test_a_change_rolled_back_is_never_shown(client, factory, shop):
    """What a transaction changed and then rolled back must not be kept for the shop's next version."""
    status = define(factory, shop)
    order = factory.order(shop, currency="NOK", custom_status="engraving")

    def relabel(session, label):
        custom_statuses.save(session, shop, StatusInput(key="engraving", labels={"nb": label}, color="#1f7a4d"),
                             session.get(CustomStatus, status.id))

    with pytest.raises(RuntimeError), session_scope(factory.portal.engine) as session:
        relabel(session, "Feil")
        custom_statuses.of_shop(session, session.get(Merchant, shop.id))  # read while it is uncommitted
        raise RuntimeError("rolled back")
    with session_scope(factory.portal.engine) as session:
        relabel(session, "Gravering pågår")  # the version the rolled-back change had reached
    assert text_of(page_of(client, factory, shop, order).select_one("#panel-status .badge--custom")) == "Gravering pågår"


def test_missing_translation_falls_back_to_default_language(client, factory, shop):
    define(factory, shop)  # labels in nb and en, none in German
    order = factory.order(shop, currency="NOK", custom_status="engraving")
    page = page_of(client, factory, shop, order, "de")
    assert page.find("html")["lang"] == "de"
    assert text_of(page.select_one("#panel-status .badge--custom")) == "Graveres"
    assert text_of(page_of(client, factory, shop, order, "en").select_one("#panel-status .badge--custom")) == "Being engraved"
    with session_scope(factory.portal.engine) as session:
        status = session.exec(select(CustomStatus)).one()
    i18n.activate("nb_NO")
    assert custom_statuses.label(status, "en") == "Graveres"  # region falls back to its language first


def test_hidden_status_is_staff_only(client, factory, shop):
    define(factory, shop, "fraud-check", labels={"nb": "Svindelsjekk"}, color="red", visible_to_shopper=False)
    order = factory.order(shop, currency="NOK", custom_status="fraud-check")
    page = page_of(client, factory, shop, order)
    assert page.select_one(".badge--custom") is None
    assert "Svindelsjekk" not in text_of(page)
    login(client, factory, shop)
    console = html(client.get(f"/admin/orders/{order.id}"))
    assert "Svindelsjekk" in text_of(console.select_one(".custom-status-form"))
    assert "(hidden from shoppers)" in text_of(console.select_one(".custom-status-form"))
    assert "Svindelsjekk" in text_of(console.select_one(".staff-entries"))


def test_console_sets_status_on_an_order(client, factory, shop):
    define(factory, shop)
    order = factory.order(shop, currency="NOK")
    token = login(client, factory, shop)
    form = html(client.get(f"/admin/orders/{order.id}")).select_one(".custom-status-form")
    assert [o["value"] for o in form.select("option")] == ["", "engraving"]
    response = client.post(f"/admin/orders/{order.id}/custom-status",
                           data={"csrf_token": token, "custom_status": "engraving"})
    assert response.status_code == 303
    page = page_of(client, factory, shop, order)
    assert text_of(page.select_one("#panel-status .badge--custom")) == "Graveres"
    bad = client.post(f"/admin/orders/{order.id}/custom-status", data={"csrf_token": token, "custom_status": "x"})
    assert bad.status_code == 422
    assert "unknown custom status" in text_of(html(bad).select_one(".alert--error"))
    forged = client.post(f"/admin/orders/{order.id}/custom-status", data={"csrf_token": "nope", "custom_status": ""})
    assert forged.status_code == 403
    assert page_of(client, factory, shop, order).select_one(".badge--custom") is not None


def test_merchants_never_see_each_others_statuses(client, factory, shop):
    other = factory.merchant("hygge", locale="da", currency="DKK")
    theirs = define(factory, other, "packing", labels={"da": "Pakkes"}, color="navy")
    their_order = factory.order(other, currency="DKK")
    define(factory, shop)
    token = login(client, factory, shop)
    assert client.get(f"/admin/statuses/{theirs.id}").status_code == 404
    assert client.post(f"/admin/statuses/{theirs.id}/delete", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/admin/orders/{their_order.id}").status_code == 404
    assert client.post(f"/admin/orders/{their_order.id}/custom-status",
                       data={"csrf_token": token, "custom_status": "engraving"}).status_code == 404
    assert "packing" not in client.get("/nordlys/custom-statuses.css").text
    # A key the other shop defined is unknown here.
    auth = {"Authorization": f"Bearer {factory.api_key(shop)}"}
    assert client.post("/api/v1/orders", json=order_data(currency="NOK", custom_status="packing"),
                       headers=auth).status_code == 422


def test_deleting_a_status_clears_it_from_orders(client, factory, shop):
    status = define(factory, shop)
    order = factory.order(shop, currency="NOK", custom_status="engraving")
    token = login(client, factory, shop)
    assert client.post(f"/admin/statuses/{status.id}/delete", data={"csrf_token": token}).status_code == 303
    with session_scope(factory.portal.engine) as session:
        assert session.get(Order, order.id).custom_status is None
    page = page_of(client, factory, shop, order)
    assert page.select_one(".badge--custom") is None
    # The timeline keeps the history, worded with the label it had.
    assert any("Graveres" in text_of(li) for li in page.select("#panel-timeline li"))


def test_a_relabelled_status_shows_on_the_very_next_view(client, factory, shop):
    """A change to a status bumps the shop's version: the next view renders afresh instead of
    serving the page kept in memory for the old version. (The views carry no ?lang=: the page
    cache skips those.)"""
    status = define(factory, shop, "customs", labels={"nb": "Venter på toll"})
    auth = {"Authorization": f"Bearer {factory.api_key(shop)}"}
    assert client.post("/api/v1/orders", json=order_data(currency="NOK", custom_status="customs"),
                       headers=auth).status_code == 201
    with session_scope(factory.portal.engine) as session:
        order = session.exec(select(Order)).one()
    link = factory.link(shop, order)

    def badge() -> str:
        return text_of(html(client.get(link, headers={"Accept-Language": "nb"})).select_one(".badge--custom"))

    assert badge() == "Venter på toll"
    assert badge() == "Venter på toll"  # the second view comes from the page cache
    with session_scope(factory.portal.engine) as session:
        custom_statuses.save(session, shop, StatusInput(key="customs", labels={"nb": "Hos tollen"}, color="#1f7a4d"),
                             session.get(CustomStatus, status.id))
    assert badge() == "Hos tollen"
