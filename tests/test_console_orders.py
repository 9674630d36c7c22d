"""The console's order list: human status labels (no raw values), a pager that keeps the filters,
and revoking a tracking link only after a confirmation page (no JavaScript needed)."""

from __future__ import annotations

from tests.conftest import html, text_of
from tests.test_security import login


def test_statuses_read_as_labels_in_the_console_language(client, factory, merchant):
    factory.user(merchant)
    factory.order(merchant, number="#1001", payment_status="partially_refunded",
                  fulfillment_status="partially_fulfilled")
    client.headers["Accept-Language"] = "de"
    login(client, "acme")
    page = html(client.get("/admin/"))
    row = page.select_one("tr.order-row")
    badges = {b["data-status"]: text_of(b) for b in row.select(".badge")}
    assert badges == {"partially_refunded": "Teilweise erstattet", "partially_fulfilled": "Teilweise versandt"}
    assert "_" not in text_of(row)
    options = [text_of(o) for o in page.select("#f-fulfillment_status option")]
    assert "Teilweise versandt" in options and "partially_fulfilled" not in " ".join(options)


def test_the_pager_keeps_the_search_and_filters(client, factory, merchant):
    factory.user(merchant)
    for n in range(51):
        factory.order(merchant, number=f"#{2000 + n}", payment_status="refunded")
    factory.order(merchant, number="#3000", payment_status="paid")
    login(client, "acme")
    first = html(client.get("/admin/", params={"payment_status": "refunded"}))
    assert text_of(first.select_one(".count")) == "51 orders"
    next_page = first.find("a", string="Next")["href"]
    second = html(client.get("/admin/" + next_page))
    assert [r["data-number"] for r in second.select("tr.order-row")] == ["#2000"]


def test_revoking_a_link_asks_first_and_works_without_javascript(client, factory, merchant):
    factory.user(merchant)
    order = factory.order(merchant, number="#1001")
    old_link = factory.link(merchant, order)
    login(client, "acme")
    revoke = html(client.get("/admin/")).select_one("a.revoke-link")["href"]
    confirm = client.get(revoke)
    assert confirm.status_code == 200
    page = html(confirm)
    assert text_of(page.h1) == "Revoke the tracking link of order #1001?"
    assert client.get(old_link).status_code == 200  # asking changed nothing
    assert page.find("a", string="Keep the link")["href"].endswith("/admin/")
    form = page.select_one("form.revoke-confirm")
    done = client.post(form["action"], data={"csrf_token": form.find("input", {"name": "csrf_token"})["value"]})
    assert done.status_code == 303
    assert client.get(old_link).status_code == 404
    listed = html(client.get("/admin/"))
    assert "#1001 is revoked" in text_of(listed.select_one(".notice"))
    assert client.get(listed.select_one("a.tracking-link")["href"]).status_code == 200


def test_another_shops_order_cannot_be_revoked(client, factory, merchant):
    factory.user(merchant)
    rival = factory.merchant("rival", name="Rival Goods")
    theirs = factory.order(rival, number="#5001")
    login(client, "acme")
    assert client.get(f"/admin/orders/{theirs.id}/revoke").status_code == 404
    token = html(client.get("/admin/account")).find("input", {"name": "csrf_token"})["value"]
    assert client.post(f"/admin/orders/{theirs.id}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.get(factory.link(rival, theirs)).status_code == 200
