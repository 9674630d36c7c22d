"""Order-page panels: one URL for the page or a panel, ETags, 304 without rendering, poll intervals."""

from __future__ import annotations

import threading

import pytest
from starlette.testclient import TestClient

from portal.live import panels
from portal.app import create_app
from portal.merchants import MerchantError, apply_settings
from portal.store.db import session_scope
from portal.store.models import Merchant
from tests.conftest import html, text_of

PANEL_IDS = ["panel-status", "panel-shipments", "panel-items", "panel-timeline", "panel-details"]
HX = {"HX-Request": "true"}


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


@pytest.fixture
def link(factory, merchant):
    return factory.link(merchant, factory.order(merchant))


def add_shipment(client, auth, **fields) -> int:
    body = {"tracking_number": "1Z 999 AA1 0123 456 784", **fields}
    response = client.post("/api/v1/orders/1001/shipments", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def post_event(client, auth, shipment_id: int, status: str, at: str = "2026-11-05T08:00:00Z", **extra) -> None:
    response = client.post(f"/api/v1/shipments/{shipment_id}/events",
                           json={"events": [{"at": at, "status": status, **extra}]}, headers=auth)
    assert response.status_code == 201, response.text


def test_full_page_has_every_panel_with_its_live_attributes(client, link):
    response = client.get(link)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["ETag"]
    page = html(response)
    assert [s["id"] for s in page.select("section.panel")] == PANEL_IDS
    for section in page.select("section.panel"):
        name = section["id"].removeprefix("panel-")
        assert section["hx-get"] == f"{link}?panel={name}"
        assert section["hx-trigger"] == f"every 60s, sse:panel-{name}, portal:refresh"
        assert section["hx-swap"] == "outerHTML"
        assert section["data-etag"].startswith('"')
    stream = page.select_one("[sse-connect]")
    assert stream["sse-connect"].startswith(f"{link}/events?v=")
    scripts = [s["src"].split("?")[0] for s in page.select("script[src]")]
    assert scripts == ["/static/vendor/live.js"]  # htmx, its SSE extension and portal.js, joined
    assert not page.select("script:not([src])")


def test_htmx_gets_only_the_panel_it_names(client, link):
    response = client.get(f"{link}?panel=timeline", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    fragment = html(response)
    assert fragment.find("html") is None and fragment.find("main") is None
    (section,) = fragment.find_all("section", recursive=False)
    assert section["id"] == "panel-timeline"
    assert "Order placed" in text_of(section)
    by_target = client.get(link, headers={**HX, "HX-Target": "panel-status"})
    assert [s["id"] for s in html(by_target).find_all("section", recursive=False)] == ["panel-status"]


def test_panel_etag_matches_the_one_in_the_page(client, link):
    page = html(client.get(link))
    for section in page.select("section.panel"):
        response = client.get(section["hx-get"], headers=HX)
        assert response.headers["ETag"] == section["data-etag"]


def test_without_htmx_the_panel_parameter_still_gives_the_whole_page(client, link):
    page = html(client.get(f"{link}?panel=status"))
    assert [s["id"] for s in page.select("section.panel")] == PANEL_IDS


def test_unknown_panel_is_a_clear_404(client, link):
    response = client.get(f"{link}?panel=secrets", headers=HX)
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_unchanged_panel_answers_304_without_rendering(client, link, portal, monkeypatch):
    first = client.get(f"{link}?panel=status", headers=HX)
    tag = first.headers["ETag"]

    def no_rendering(*args, **kwargs):
        raise AssertionError("a 304 must not render a template")

    monkeypatch.setattr("jinja2.environment.Template.render", no_rendering)
    again = client.get(f"{link}?panel=status", headers={**HX, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == tag
    assert "HX-Request" in again.headers["Vary"]


def test_a_tracking_event_changes_the_etag_and_the_panel(client, link, auth):
    shipment_id = add_shipment(client, auth)
    before = client.get(f"{link}?panel=shipments", headers=HX)
    post_event(client, auth, shipment_id, "out_for_delivery", message="With the driver since 07:12")
    after = client.get(f"{link}?panel=shipments", headers={**HX, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "With the driver since 07:12" in text_of(html(after))
    # The plain page, reloaded, shows the news too (no JavaScript needed).
    assert "With the driver since 07:12" in text_of(html(client.get(link)))


def test_etag_depends_on_what_the_panel_shows(merchant):
    stamp = panels.OrderStamp(id=1, version=3, link_nonce="n", locale=None)
    base = panels.etag(stamp, merchant, "en", "1", "status")
    assert panels.etag(stamp, merchant, "en", "1", "status") == base
    assert panels.etag(stamp, merchant, "da", "1", "status") != base
    assert panels.etag(stamp, merchant, "en", "2", "status") != base
    assert panels.etag(stamp, merchant, "en", "1", "timeline") != base
    assert panels.etag(stamp._replace(version=4), merchant, "en", "1", "status") != base
    assert panels.matches(f'"x", W/{base}', base) and not panels.matches('"x"', base)


def test_merchant_settings_change_invalidates_panels(client, link, portal, merchant):
    before = client.get(f"{link}?panel=status", headers=HX).headers["ETag"]
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, merchant.id), {"poll_interval": "120"})
    after = client.get(f"{link}?panel=status", headers={**HX, "If-None-Match": before})
    assert after.status_code == 200
    assert html(after).section["hx-trigger"].startswith("every 120s,")


def test_wrong_shop_or_revoked_link_gets_no_panel(client, factory, merchant, link):
    factory.merchant("other")
    other_shop = link.replace("/acme/", "/other/")
    assert client.get(f"{other_shop}?panel=status", headers=HX).status_code == 404
    assert client.get(f"{link}x?panel=status", headers=HX).status_code == 404


def test_poll_interval_is_a_merchant_setting_and_slower_once_delivered(client, portal, merchant, link, auth):
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, merchant.id), {"poll_interval": "90"})
    status = html(client.get(link)).select_one("#panel-status")
    assert status["hx-trigger"].startswith("every 90s,")
    shipment_id = add_shipment(client, auth)
    post_event(client, auth, shipment_id, "delivered")
    status = html(client.get(link)).select_one("#panel-status")
    assert status["hx-trigger"].startswith("every 900s,")
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, merchant.id), {"poll_interval": ""})
        assert "poll_interval" not in session.get(Merchant, merchant.id).settings


@pytest.mark.parametrize("value", ["5", "abc", "-60", "99999"])
def test_bad_poll_interval_is_refused_and_nothing_changes(portal, merchant, value):
    with session_scope(portal.engine) as session:
        stored = session.get(Merchant, merchant.id)
        with pytest.raises(MerchantError, match="poll_interval"):
            apply_settings(session, stored, {"poll_interval": value, "name": "Renamed"})
        assert stored.name == "Acme Outdoor" and "poll_interval" not in stored.settings


@pytest.fixture
def viewed_once(client, factory, merchant, monkeypatch):
    """An order page viewed once; then every later view-building is counted in `renders`."""
    from portal.routes import shopper

    link = factory.link(merchant, factory.order(merchant))
    first = client.get(link)
    renders: list[int] = []
    original = shopper.order_view.build
    monkeypatch.setattr(shopper.order_view, "build", lambda *a, **k: renders.append(1) or original(*a, **k))
    return link, first, renders


def test_a_second_view_of_the_same_version_is_served_without_rendering(client, factory, merchant, viewed_once):
    link, first, renders = viewed_once
    second = client.get(link)
    assert second.status_code == 200 and second.content == first.content and renders == []
    assert second.headers["etag"] == first.headers["etag"]
    assert "set-cookie" not in second.headers

    # A change makes a new version: rendered afresh, and the shopper sees it.
    factory.order(merchant, payment_status="refunded")
    third = client.get(link)
    assert renders == [1]
    assert html(third).select_one('#panel-status [data-status="refunded"]') is not None


def test_junk_query_parameters_share_the_cached_page(client, portal, viewed_once):
    link, first, renders = viewed_once
    for n in range(20):
        assert client.get(f"{link}?utm_source=mail&r={n}").content == first.content
    assert renders == []
    assert len(portal.pages) == 1


def test_page_cache_size_zero_renders_every_view(factory, merchant, settings, monkeypatch):
    from portal.routes import shopper

    app = create_app(settings.model_copy(update={"page_cache_size": 0}))
    renders: list[int] = []
    original = shopper.order_view.build
    monkeypatch.setattr(shopper.order_view, "build", lambda *a, **k: renders.append(1) or original(*a, **k))
    link = factory.link(merchant, factory.order(merchant))
    with TestClient(app, follow_redirects=False) as fresh:
        pages = [fresh.get(link) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200] and renders == [1, 1, 1]
    assert len(app.state.portal.pages) == 0


def test_database_thread_pools_follow_the_settings(settings):
    portal = create_app(settings).state.portal
    # SQLite takes one writer at a time: one writer thread per process queues instead of racing.
    # Its reads run on the event loop: no reader threads unless asked for.
    assert threads_at_once(portal.writers) == 1 and portal.readers is None
    tuned = create_app(settings.model_copy(update={"db_write_threads": 3, "db_read_threads": 2})).state.portal
    assert threads_at_once(tuned.writers) == 3 and threads_at_once(tuned.readers) == 2


def threads_at_once(pool) -> int:
    """How many threads of the pool run jobs that each wait a moment, given more jobs than that."""
    import threading
    import time

    def job() -> int:
        time.sleep(0.05)
        return threading.get_ident()

    return len({future.result(5) for future in [pool.submit(job) for _ in range(6)]})


@pytest.mark.parametrize("read_threads, runs_in", [(None, "the event loop's"), (2, "a reader")])
def test_an_order_page_reads_its_order_where_the_settings_say(factory, merchant, settings, monkeypatch,
                                                               read_threads, runs_in):
    from portal.orders import order_view
    from portal import pages

    threads: list[str] = []
    loop_threads: list[str] = []  # choose_locale runs in the page's coroutine
    read, choose = order_view.page_order, pages.choose_locale
    monkeypatch.setattr(order_view, "page_order",
                        lambda *a: threads.append(threading.current_thread().name) or read(*a))
    monkeypatch.setattr(pages, "choose_locale",
                        lambda *a: loop_threads.append(threading.current_thread().name) or choose(*a))
    app = create_app(settings.model_copy(update={"db_read_threads": read_threads}))
    link = factory.link(merchant, factory.order(merchant, number="#R-1"))
    with TestClient(app) as client:
        page = client.get(link)
    assert page.status_code == 200 and "#R-1" in page.text
    on_loop = threads == loop_threads
    assert on_loop == (runs_in == "the event loop's"), (threads, loop_threads)
    if not on_loop:
        assert threads[0].startswith("portal-read")
