"""Delivery feedback: the order page's rating form (after delivery, once per order, editable for a
week, no JavaScript needed), its validation, and the console's views of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.store.db import session_scope
from portal.store.models import utcnow
from portal.store.shopper_requests import OrderFeedback
from tests.conftest import console_login, html, text_of

DELIVERED = [{"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "delivered",
              "events": [{"at": "2026-11-04T12:00:00Z", "status": "delivered"}]}]


@pytest.fixture
def delivered(factory, merchant):
    order = factory.order(merchant, fulfillment_status="fulfilled", shipments=DELIVERED)
    return order, factory.link(merchant, order)


def feedback_form(client, link):
    page = html(client.get(link))
    return page.select_one("#feedback form")


def send(client, link, **fields):
    form = feedback_form(client, link)
    data = {"csrf_token": form.find("input", {"name": "csrf_token"})["value"], **fields}
    return client.post(form["action"], data=data)


def test_no_form_before_delivery(client, factory, merchant):
    order = factory.order(merchant, shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456784",
                                                "status": "in_transit"}])
    link = factory.link(merchant, order)
    assert html(client.get(link)).select_one("#feedback") is None
    # Posting anyway is refused with a reason.
    response = client.post(f"{link}/feedback", data={"rating": "5", "csrf_token": "x"})
    assert response.status_code == 422


def test_rating_and_comment_are_saved_shown_and_editable(client, delivered):
    _, link = delivered
    form = feedback_form(client, link)
    assert [i["value"] for i in form.select("input[name=rating]")] == ["1", "2", "3", "4", "5"]
    assert form.find("textarea", {"name": "comment"}) is not None
    response = send(client, link, rating="4", comment="Quick, but the box was dented.")
    assert response.status_code == 303 and response.headers["location"] == f"{link}#feedback"

    page = html(client.get(link))
    section = page.select_one("#feedback")
    assert "Thank you for your feedback. You can change it until" in text_of(section)
    assert section.find("input", {"name": "rating", "checked": True})["value"] == "4"
    assert text_of(section.find("textarea")) == "Quick, but the box was dented."
    assert text_of(section.find("button")) == "Update feedback"

    assert send(client, link, rating="5", comment="").status_code == 303
    section = html(client.get(link)).select_one("#feedback")
    assert section.find("input", {"name": "rating", "checked": True})["value"] == "5"
    assert text_of(section.find("textarea")) == ""


@pytest.mark.parametrize("fields, message", [
    ({"rating": ""}, "Choose a rating from 1 to 5"),
    ({"rating": "0"}, "Choose a rating from 1 to 5"),
    ({"rating": "6"}, "Choose a rating from 1 to 5"),
    ({"rating": "4.5"}, "Choose a rating from 1 to 5"),
    ({"rating": "3", "comment": "x" * 2001}, "at most 2,000 characters"),
    ({"rating": "3", "comment": "bad\x00byte"}, "cannot be saved"),
])
def test_bad_feedback_is_refused_keeping_what_was_typed(client, factory, delivered, fields, message):
    _, link = delivered
    response = send(client, link, **{"comment": "Keep me", **fields})
    assert response.status_code == 422
    page = html(response)
    assert message in text_of(page.find(id="feedback-error"))
    if "comment" not in fields:
        assert text_of(page.find("textarea")) == "Keep me"
    with session_scope(factory.portal.engine) as session:
        assert session.exec(select(OrderFeedback)).all() == []
    # The form on the error page works.
    assert page.select_one("form.feedback-form")["action"] == f"{link}/feedback"


def test_a_form_token_from_elsewhere_is_refused(client, factory, merchant, delivered):
    _, link = delivered
    other = factory.order(merchant, number="#1002", fulfillment_status="fulfilled", shipments=DELIVERED)
    other_token = feedback_form(client, factory.link(merchant, other)).find("input", {"name": "csrf_token"})["value"]
    for token in ("", "forged.token-that-is-long-enough", other_token):
        response = client.post(f"{link}/feedback", data={"rating": "5", "csrf_token": token})
        assert response.status_code == 422 and "expired" in text_of(html(response).find(id="feedback-error"))


def test_after_a_week_the_feedback_stays_as_given(client, factory, delivered):
    _, link = delivered
    assert send(client, link, rating="2", comment="Late").status_code == 303
    token = feedback_form(client, link).find("input", {"name": "csrf_token"})["value"]
    with session_scope(factory.portal.engine) as session:
        given = session.exec(select(OrderFeedback)).one()
        given.created_at = utcnow() - timedelta(days=8)
        session.add(given)
    factory.order(factory.portal.merchant("acme"), note="new version, so the page is rendered afresh",
                  fulfillment_status="fulfilled", shipments=DELIVERED)
    section = html(client.get(link)).select_one("#feedback")
    assert section.find("form") is None
    assert "2 out of 5" in text_of(section) and "Late" in text_of(section)
    response = client.post(f"{link}/feedback", data={"rating": "5", "csrf_token": token})
    assert response.status_code == 422
    assert "for a week" in text_of(html(response).find(id="feedback-error"))


def test_console_shows_feedback_per_order_and_in_a_list(client, factory, merchant, delivered):
    order, link = delivered
    send(client, link, rating="3", comment="Fine")
    console_login(client, factory, merchant)
    listing = html(client.get("/admin/feedback"))
    [row] = listing.select(".feedback-row")
    assert "#1001" in text_of(row) and "3/5" in text_of(row) and "Fine" in text_of(row)
    assert "Ratings: 1, on average 3.0 out of 5." in text_of(listing.select_one(".feedback-summary"))
    assert html(client.get("/admin/feedback?rating=5")).select(".feedback-row") == []
    assert len(html(client.get("/admin/feedback?rating=3")).select(".feedback-row")) == 1
    assert "3/5" in text_of(html(client.get(f"/admin/orders/{order.id}")).select_one(".order-feedback"))


def test_one_shop_never_sees_anothers_feedback(client, factory, merchant, delivered):
    order, link = delivered
    send(client, link, rating="1", comment="Broken")
    rival = factory.merchant("rival", name="Rival")
    token = link.rsplit("/", 1)[1]
    assert client.post(f"/rival/orders/{token}/feedback", data={"rating": "5"}).status_code == 404
    with session_scope(factory.portal.engine) as session:
        from portal.merchants import create_user
        create_user(session, session.merge(rival), "owner@rival.example", "correct horse battery")
    client.cookies.clear()
    login = html(client.get("/admin/login")).find("input", {"name": "csrf_token"})["value"]
    client.post("/admin/login", data={"shop": "rival", "email": "owner@rival.example",
                                      "password": "correct horse battery", "csrf_token": login})
    assert html(client.get("/admin/feedback")).select(".feedback-row") == []
    assert client.get(f"/admin/orders/{order.id}").status_code == 404


def test_the_console_list_goes_back_page_by_page(client, factory, merchant):
    """55 ratings: the newest 50 on the first page, the 5 oldest on the second; the rating filter
    keeps to its own pages."""
    orders = [factory.order(merchant, number=f"#{2000 + i}") for i in range(55)]
    start = utcnow() - timedelta(days=60)
    with session_scope(factory.portal.engine) as session:
        for i, order in enumerate(orders):
            at = start + timedelta(hours=i)
            session.add(OrderFeedback(merchant_id=merchant.id, order_id=order.id, rating=5 if i % 2 else 4,
                                      created_at=at, updated_at=at))
    console_login(client, factory, merchant)

    def numbers(path: str) -> list[str]:
        return [text_of(row.find("a")) for row in html(client.get(path)).select(".feedback-row")]

    first = html(client.get("/admin/feedback"))
    assert [text_of(row.find("a")) for row in first.select(".feedback-row")] == [f"#{2054 - i}" for i in range(50)]
    assert "Page 1 of 2" in text_of(first.select_one(".pager"))
    older = first.select_one(".pager").find("a", string="Next")["href"]
    assert numbers("/admin/feedback" + older) == [f"#{2004 - i}" for i in range(5)]
    assert "Ratings: 55, on average 4.5 out of 5." in text_of(html(client.get(
        "/admin/feedback" + older)).select_one(".feedback-summary"))

    fours = html(client.get("/admin/feedback?rating=4"))  # 28 of them: one page
    assert len(fours.select(".feedback-row")) == 28 and fours.select_one(".pager") is None
    assert numbers("/admin/feedback?rating=5&page=2") == []  # 27: there is no second page
    assert numbers("/admin/feedback?page=999999") == [] and client.get("/admin/feedback?page=x").status_code == 200
    for path in ("/admin/feedback", "/admin/", "/admin/returns"):  # "²" passes str.isdigit(); int() refuses it
        assert client.get(f"{path}?page=%C2%B2").status_code == 200, path
