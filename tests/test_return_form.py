"""The shopper's return request form: who may ask, for how many, and what the order page shows then."""

from __future__ import annotations

from tests.conftest import html, text_of
from tests.returns_helpers import ask_return, delivered_order, form_token, line_ids, deliver_mail, switch_on
from tests.returns_helpers import mail_settings  # noqa: F401 (a fixture)


def returns_panel(client, link):
    return html(client.get(link)).select_one("#panel-returns")


def test_a_request_from_the_form_shows_on_the_order_page_and_its_timeline(client, factory, portal, merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    link = factory.link(merchant, order)
    panel = returns_panel(client, link)
    offer = panel.find("a", string=lambda s: s and "Request a return" in s)
    assert offer["href"] == link + "/returns"

    form = html(client.get(offer["href"]))
    lines = line_ids(portal, order)
    assert form.find("input", {"name": f"quantity_{lines['Trail mug']}"})["max"] == "2"
    assert [o["value"] for o in form.select("select[name=reason] option")][1:] == [
        "damaged", "wrong_item", "not_as_described", "fit", "unwanted", "other"]

    answer = ask_return(client, factory, merchant, order, {lines["Trail mug"]: 1}, comment="Chipped rim")
    assert answer.status_code == 303 and answer.headers["location"] == link + "#panel-returns"

    page = html(client.get(link))
    request = page.select_one("#panel-returns .return-request")
    assert request.find(class_="badge")["data-status"] == "requested"
    assert "1 × Trail mug (Blue)" in text_of(request)
    assert "Reason: Arrived damaged or faulty" in text_of(request)
    status = {text_of(div.find("dt")): div.find(class_="badge")["data-status"]
              for div in page.select("#panel-status .badges > div")}
    assert status["Return"] == "requested"
    assert "Return requested" in [text_of(li.find("span")) for li in page.select("#panel-timeline li")]


def test_quantities_already_requested_cannot_be_requested_again(client, factory, portal, merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    lines = line_ids(portal, order)
    assert ask_return(client, factory, merchant, order, {lines["Trail mug"]: 1}).status_code == 303

    # One mug is left: asking for two more is refused, and what the shopper typed is still there.
    refused = ask_return(client, factory, merchant, order, {lines["Trail mug"]: 2, lines["Wool hat"]: 1},
                         reason="fit", comment="Too small for a big hand")
    assert refused.status_code == 422
    page = html(refused)
    mug = page.find("input", {"name": f"quantity_{lines['Trail mug']}"})
    assert mug["value"] == "2" and mug["max"] == "1" and mug["aria-invalid"] == "true"
    assert "at most 1 of this item" in text_of(page.find(id=f"quantity_{lines['Trail mug']}-error"))
    assert page.find("textarea", {"name": "comment"}).string == "Too small for a big hand"
    assert page.select_one("select[name=reason] option[selected]")["value"] == "fit"
    assert "already in a return request: 1" in text_of(page)

    assert ask_return(client, factory, merchant, order, {lines["Trail mug"]: 1, lines["Wool hat"]: 1}).status_code == 303
    # Nothing is left to return: the form says so and refuses another request.
    link = factory.link(merchant, order)
    assert not returns_panel(client, link).find("a", string=lambda s: s and "Request a return" in s)
    form = html(client.get(link + "/returns"))
    assert "Every item of this order is already part of a return request." in text_of(form)
    assert len(html(client.get(link)).select("#panel-returns .return-request")) == 2


def test_a_request_needs_an_item_and_a_reason_and_nothing_is_stored_without(client, factory, portal, merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    lines = line_ids(portal, order)
    none_chosen = ask_return(client, factory, merchant, order, {lines["Trail mug"]: 0})
    assert none_chosen.status_code == 422
    assert "Choose at least one item" in text_of(html(none_chosen).find(role="alert"))
    no_reason = ask_return(client, factory, merchant, order, {lines["Trail mug"]: 1}, reason="")
    assert no_reason.status_code == 422 and "Choose a reason." in text_of(html(no_reason).find(id="reason-error"))
    junk = ask_return(client, factory, merchant, order, {lines["Trail mug"]: "-1"}, reason="not-a-reason")
    assert junk.status_code == 422
    assert "Enter a whole number." in text_of(html(junk))
    assert returns_panel(client, factory.link(merchant, order)).select(".return-request") == []


def test_the_form_without_its_token_is_refused_and_keeps_the_choices(client, factory, portal, merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    lines = line_ids(portal, order)
    path = factory.link(merchant, order) + "/returns"
    answer = client.post(path, data={"reason": "damaged", f"quantity_{lines['Wool hat']}": "1", "comment": "Itchy"})
    assert answer.status_code == 403
    assert html(answer).find("textarea", {"name": "comment"}).string == "Itchy"
    assert returns_panel(client, factory.link(merchant, order)).select(".return-request") == []


def test_the_window_counts_from_delivery(client, factory, portal, merchant):
    switch_on(portal, merchant)
    late = delivered_order(factory, merchant, days_ago=31)
    link = factory.link(merchant, late)
    assert returns_panel(client, link).get("hidden") is not None
    assert "Returns for this order closed on" in text_of(html(client.get(link + "/returns")))
    lines = line_ids(portal, late)
    assert ask_return(client, factory, merchant, late, {lines["Wool hat"]: 1}).status_code == 422

    switch_on(portal, merchant, return_window_days="45")
    assert ask_return(client, factory, merchant, late, {lines["Wool hat"]: 1}).status_code == 303


def test_no_form_before_delivery_and_none_when_returns_are_off(client, factory, portal, merchant):
    order = delivered_order(factory, merchant)
    link = factory.link(merchant, order)
    assert client.get(link + "/returns").status_code == 404  # returns are off by default
    assert returns_panel(client, link).get("hidden") is not None

    switch_on(portal, merchant)
    travelling = factory.order(merchant, number="#1002", fulfillment_status="fulfilled",
                               shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456785",
                                           "status": "in_transit"}])
    travelling_link = factory.link(merchant, travelling)
    assert returns_panel(client, travelling_link).get("hidden") is not None
    assert "returns open once it is delivered" in text_of(html(client.get(travelling_link + "/returns")))

    cancelled = delivered_order(factory, merchant, number="#1003", status="cancelled", cancel_reason="customer")
    assert "cannot be returned any more" in text_of(html(client.get(factory.link(merchant, cancelled) + "/returns")))


def test_another_shops_link_opens_no_form(client, factory, portal, merchant):
    other = factory.merchant("other")
    switch_on(portal, merchant)
    switch_on(portal, other)
    order = delivered_order(factory, merchant)
    token = factory.link(merchant, order).rsplit("/", 1)[1]
    answer = client.get(f"/other/orders/{token}/returns")
    assert answer.status_code == 404 and html(answer).find("form", class_="return-form") is None
    form = form_token(client, factory.link(merchant, order) + "/returns")
    posted = client.post(f"/other/orders/{token}/returns", data={"csrf_token": form, "reason": "damaged"})
    assert posted.status_code == 404


def test_the_shopper_gets_an_email_in_the_language_they_asked_in(mail_settings, smtp, client, app, factory, portal,
                                                                 merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    lines = line_ids(portal, order)
    client.cookies.set("portal_lang", "de")
    assert ask_return(client, factory, merchant, order, {lines["Wool hat"]: 1}).status_code == 303
    assert deliver_mail(app) == {"sent": 1, "skipped": 0, "failed": 0}
    [message] = smtp.inbox.messages
    assert message["To"] == "Shopper@Example.com"
    assert message["Content-Language"] == "de"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "1 × Wool hat" in text
    assert "http://testserver" + factory.link(merchant, order) in text
