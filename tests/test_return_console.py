"""Return requests in the console: the list by status, each step with its e-mail, refusals, other
shops' requests, and the return settings."""

from __future__ import annotations

from tests.conftest import console_login, html, text_of
from tests.returns_helpers import ask_return, deliver_mail, delivered_order, line_ids, switch_on
from tests.returns_helpers import mail_settings  # noqa: F401 (a fixture)


def first_request_id(client) -> int:
    row = html(client.get("/admin/returns?status=all")).select_one(".return-row")
    return int(row["data-id"])


def step(client, token, request_id, action, **fields):
    return client.post(f"/admin/returns/{request_id}", data={"csrf_token": token, "action": action, **fields})


def shopper_view(client, link):
    page = html(client.get(link))
    status = {text_of(div.find("dt")): div.find(class_="badge")["data-status"]
              for div in page.select("#panel-status .badges > div")}
    return page.select_one("#panel-returns .return-request"), status.get("Return"), page


def test_a_request_from_the_form_through_approval_to_refund_emails_the_shopper_each_step(
        mail_settings, smtp, client, app, factory, portal, merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    lines = line_ids(portal, order)
    link = factory.link(merchant, order)
    assert ask_return(client, factory, merchant, order, {lines["Trail mug"]: 2}, comment="Both chipped").status_code == 303

    token = console_login(client, factory, merchant)
    listing = html(client.get("/admin/returns"))  # the requested ones by default
    [row] = listing.select(".return-row")
    assert row["data-status"] == "requested" and "2 × Trail mug" in text_of(row)
    request_id = int(row["data-id"])
    detail = html(client.get(f"/admin/returns/{request_id}"))
    assert "Both chipped" in text_of(detail.select_one(".return-comment"))

    approved = step(client, token, request_id, "approve", instructions="Pack both mugs.\nDrop the parcel at any UPS point.",
                    label_url="https://labels.example/acme/77.pdf")
    assert approved.status_code == 303
    request, badge, page = shopper_view(client, link)
    assert request.find(class_="badge")["data-status"] == "approved" and badge == "in_progress"
    assert "Drop the parcel at any UPS point." in text_of(request.select_one(".return-request__instructions"))
    assert request.find("a", string="Print your return label")["href"] == "https://labels.example/acme/77.pdf"
    assert "Return approved" in [text_of(li.find("span")) for li in page.select("#panel-timeline li")]

    assert step(client, token, request_id, "receive").status_code == 303
    request, badge, _ = shopper_view(client, link)
    assert request.find(class_="badge")["data-status"] == "received" and badge == "returned"
    assert step(client, token, request_id, "refund").status_code == 303
    request, badge, page = shopper_view(client, link)
    assert request.find(class_="badge")["data-status"] == "refunded" and badge == "returned"
    assert "Your return was refunded" in [text_of(li.find("span")) for li in page.select("#panel-timeline li")]
    assert [r["data-id"] for r in html(client.get("/admin/returns?status=refunded")).select(".return-row")] == [
        str(request_id)]
    # The console's order page lists each step in its staff timeline, with who took it.
    staff = [(text_of(e.select_one(".staff-entry__actor")), text_of(e.select_one(".staff-entry__details")))
             for e in html(client.get(f"/admin/orders/{order.id}")).select(".staff-entry")]
    assert ("console: owner@example.com", "Return request: Approved → Received by the shop "
            "Return: Return in progress → Returned") in staff
    assert ("the shopper", "Return request: — → Requested Return: No return → Return requested") in staff

    assert deliver_mail(app) == {"sent": 4, "skipped": 0, "failed": 0}
    subjects = [m["Subject"] for m in smtp.inbox.messages]
    assert subjects == ["We received your return request for order #1001", "Your return for order #1001 is approved",
                        "We received your return for order #1001", "Your return for order #1001 was refunded"]
    assert all(m["To"] == "Shopper@Example.com" for m in smtp.inbox.messages)
    approval = smtp.inbox.messages[1]
    text = approval.get_body(preferencelist=("plain",)).get_content()
    assert "Drop the parcel at any UPS point." in text and "https://labels.example/acme/77.pdf" in text
    # Each returned item on its own line, and the instructions under their own heading.
    lines = text.splitlines()
    items = lines[lines.index("Items to return:") + 1:lines.index("How to send the items back:")]
    assert items and all(line.startswith("- ") for line in items[:-1]) and items[-1] == ""
    body = html_part(approval)
    assert body.find("a", class_="label-link")["href"] == "https://labels.example/acme/77.pdf"
    assert "Acme Outdoor" in text_of(body.select_one(".shop"))  # the shop's themed frame


def html_part(message):
    from bs4 import BeautifulSoup
    return BeautifulSoup(message.get_body(preferencelist=("html",)).get_content(), "html.parser")


def test_steps_out_of_order_and_bad_details_are_refused_with_the_reason(client, factory, portal, merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    lines = line_ids(portal, order)
    ask_return(client, factory, merchant, order, {lines["Wool hat"]: 1})
    token = console_login(client, factory, merchant)
    request_id = first_request_id(client)

    early = step(client, token, request_id, "refund")
    assert early.status_code == 409
    assert "Only a received return can be marked refunded (this one: Requested)." in text_of(html(early).find(role="alert"))
    no_words = step(client, token, request_id, "approve", instructions="  ")
    assert no_words.status_code == 422
    plain_http = step(client, token, request_id, "approve", instructions="Send it back", label_url="http://labels.example/1")
    assert plain_http.status_code == 422 and "https://" in text_of(html(plain_http).find(role="alert"))
    # What staff typed is still there.
    assert html(plain_http).find("textarea", {"name": "instructions"}).string == "Send it back"
    assert step(client, token, request_id, "unknown").status_code == 422

    declined = step(client, token, request_id, "decline", reason="Worn items cannot be returned.")
    assert declined.status_code == 303
    request, badge, _ = shopper_view(client, factory.link(merchant, order))
    assert badge == "declined"
    assert "Worn items cannot be returned." in text_of(request.select_one(".return-request__declined"))
    assert step(client, token, request_id, "approve", instructions="Too late").status_code == 409
    # A declined request gives its quantities back.
    assert ask_return(client, factory, merchant, order, {lines["Wool hat"]: 1}).status_code == 303


def test_another_shops_requests_stay_out_of_reach(client, factory, portal, merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    ask_return(client, factory, merchant, order, {line_ids(portal, order)["Wool hat"]: 1})
    other = factory.merchant("other")
    factory.user(other, email="owner@other.example")
    token = console_login(client, factory, merchant)
    request_id = first_request_id(client)
    client.post("/admin/logout", data={"csrf_token": token})

    page = html(client.get("/admin/login"))
    client.post("/admin/login", data={"shop": "other", "email": "owner@other.example", "password": "correct horse battery",
                                      "csrf_token": page.find("input", {"name": "csrf_token"})["value"]})
    other_token = html(client.get("/admin/returns")).find("input", {"name": "csrf_token"})["value"]
    assert html(client.get("/admin/returns?status=all")).select(".return-row") == []
    assert client.get(f"/admin/returns/{request_id}").status_code == 404
    assert step(client, other_token, request_id, "approve", instructions="Mine now").status_code == 404
    request, badge, _ = shopper_view(client, factory.link(merchant, order))
    assert badge == "requested"


def test_settings_turn_returns_on_and_word_the_shops_own_reasons_per_language(client, factory, portal, merchant):
    token = console_login(client, factory, merchant)
    form = {"csrf_token": token, "locale": "en", "returns": "on", "return_window_days": "14",
            **{f"offer_{key}": "on" for key in ("damaged", "fit")}, "position_fit": "1", "position_damaged": "2",
            "new_reason": "Arrived too late"}
    assert client.post("/admin/returns/settings", data=form).status_code == 303
    rows = html(client.get("/admin/returns/settings?locale=de")).select(".reason-row")
    assert [(r["data-key"], r.find("input", type="checkbox").has_attr("checked")) for r in rows][:3] == [
        ("fit", True), ("damaged", True), ("own-1", True)]
    german = {"csrf_token": token, "locale": "de", "returns": "on", "return_window_days": "14",
              "offer_fit": "on", "offer_damaged": "on", "offer_own-1": "on", "label_own-1": "Zu spät angekommen"}
    assert client.post("/admin/returns/settings", data=german).status_code == 303

    order = delivered_order(factory, merchant, days_ago=10)
    path = factory.link(merchant, order) + "/returns"
    offered = [(o["value"], text_of(o)) for o in html(client.get(path + "?lang=de")).select("select[name=reason] option")][1:]
    assert offered == [("fit", "Falsche Größe oder Passform"), ("damaged", "Beschädigt oder defekt angekommen"),
                       ("own-1", "Zu spät angekommen")]
    english = [text_of(o) for o in html(client.get(path + "?lang=en")).select("select[name=reason] option")][1:]
    assert english[2] == "Arrived too late"

    # Errors name the field and keep what was typed; nothing changes.
    bad = {"csrf_token": token, "locale": "en", "returns": "on", "return_window_days": "0", "offer_fit": "on"}
    refused = client.post("/admin/returns/settings", data=bad)
    assert refused.status_code == 422 and "a whole number of days from 1 to" in text_of(html(refused).find(role="alert"))
    nothing = client.post("/admin/returns/settings", data={"csrf_token": token, "locale": "en", "returns": "on"})
    assert nothing.status_code == 422 and "Offer at least one reason." in text_of(html(nothing).find(role="alert"))
    assert len(html(client.get(path + "?lang=en")).select("select[name=reason] option")) == 4
    # Window of 14 days: an order delivered 15 days ago cannot be returned.
    late = delivered_order(factory, merchant, days_ago=15, number="#1002")
    assert "Returns for this order closed" in text_of(html(client.get(factory.link(merchant, late) + "/returns")))
