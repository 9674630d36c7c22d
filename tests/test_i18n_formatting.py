"""What the shopper reads is written the way their locale writes it: money with the currency's own
digits, dates in the merchant's time zone, relative phrases and delivery ranges, all equal to
Babel's output; locale resolution; and approximate amounts in another currency."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date, format_datetime, format_interval, format_timedelta, get_timezone_name
from babel.numbers import format_currency, format_decimal
from zoneinfo import ZoneInfo

from portal import exchange, i18n
from portal.merchants import MerchantError, apply_settings
from portal.store.db import session_scope
from portal.store.models import Merchant
from tests.conftest import html, order_data, text_of


ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def norm(text: str) -> str:
    return " ".join(text.split())


def page(client, link, lang, **params):
    response = client.get(link, params={"lang": lang, **params})
    assert response.status_code == 200
    return html(response)


def totals(soup) -> dict[str, str]:
    return {text_of(div.find("dt")): text_of(div.find("dd")) for div in soup.select(".totals > div")}


@pytest.mark.parametrize(("currency", "amounts", "locale"), [
    ("JPY", {"subtotal": "15000", "shipping": "800", "total": "15800"}, "ja"),
    ("KWD", {"subtotal": "12.345", "shipping": "1.500", "total": "13.845"}, "ar"),
    ("EUR", {"subtotal": "1234.50", "shipping": "4.90", "total": "1239.40"}, "de"),
    ("INR", {"subtotal": "123456.00", "shipping": "0", "total": "123456.00"}, "hi"),
    ("BRL", {"subtotal": "99.90", "shipping": "10.00", "total": "109.90"}, "pt_BR"),
])
def test_money_is_babels_for_the_locale_and_currency(client, factory, merchant, currency, amounts, locale):
    order = factory.order(merchant, currency="USD", presentment_currency=currency,
                          totals={"subtotal": "1", "total": "1"},
                          presentment_totals=amounts,
                          line_items=[{"title": "Tea", "unit_price": "1", "presentment_unit_price": amounts["subtotal"]}])
    soup = page(client, factory.link(merchant, order), locale)
    i18n.activate(locale)
    shown = totals(soup)
    expected_total = format_currency(Decimal(amounts["total"]), currency, locale=locale)
    assert shown[i18n.gettext("Total")] == norm(expected_total)
    assert text_of(soup.select_one(".item__price")) == norm(
        format_currency(Decimal(amounts["subtotal"]), currency, locale=locale))
    # the currency's own digits: none for yen, three for the Kuwaiti dinar
    if currency == "JPY":
        assert shown["合計"].endswith("15,800")
    if currency == "KWD":
        assert shown[i18n.gettext("Total")].replace("٫", ".").translate(ARABIC_DIGITS).count("13.845") == 1


def test_dates_are_in_the_merchants_time_zone_and_locale(client, factory):
    shop = factory.merchant("tokyo", locale="ja", timezone="Asia/Tokyo", currency="JPY")
    # 20:30 UTC on 2 Nov is already 3 Nov in Tokyo
    order = factory.order(shop, currency="JPY", totals={"total": "1000"}, placed_at="2026-11-02T20:30:00Z",
                          line_items=[{"title": "Tea", "unit_price": "1000"}])
    tokyo = ZoneInfo("Asia/Tokyo")
    placed = datetime(2026, 11, 2, 20, 30, tzinfo=timezone.utc)
    for locale in ("ja", "de", "ar", "en"):
        soup = page(client, factory.link(shop, order), locale)
        expected = format_date(placed.astimezone(tokyo).date(), format="long", locale=locale)
        assert norm(expected) in text_of(soup.select_one(".order-date"))
        stamp = soup.select_one(".timeline time")
        assert text_of(stamp) == norm(format_datetime(placed, format="short", tzinfo=tokyo, locale=locale))
        zone = get_timezone_name(tokyo, width="long", zone_variant="generic", locale=locale)
        assert norm(zone) in text_of(soup.select_one(".timezone"))


def test_one_moment_in_two_shops_is_each_shops_own_time(client, factory):
    # Formatted dates are kept per moment, zone and locale (i18n.formatting): the same moment,
    # just shown for Tokyo, is New York's own date and time on a New York shop's page.
    placed = datetime(2026, 11, 2, 20, 30, tzinfo=timezone.utc)
    for slug, zone in (("tokyo", "Asia/Tokyo"), ("nyc", "America/New_York"), ("tokyo2", "Asia/Tokyo")):
        shop = factory.merchant(slug, locale="en", timezone=zone, currency="USD")
        order = factory.order(shop, currency="USD", totals={"total": "10"}, placed_at="2026-11-02T20:30:00Z",
                              line_items=[{"title": "Tea", "unit_price": "10"}])
        soup = page(client, factory.link(shop, order), "en")
        local = placed.astimezone(ZoneInfo(zone))
        assert norm(format_date(local.date(), format="long", locale="en")) in text_of(soup.select_one(".order-date"))
        assert text_of(soup.select_one(".timeline time")) == norm(
            format_datetime(placed, format="short", tzinfo=ZoneInfo(zone), locale="en"))


def test_delivered_relative_phrase_and_estimated_range(client, factory, merchant):
    delivered_at = datetime.now(timezone.utc) - timedelta(days=2, hours=1)
    order = factory.order(merchant, shipments=[
        {"tracking_number": "A1",  # status derived from the events, which also sets delivered_at
         "events": [{"at": delivered_at.isoformat(), "status": "delivered"}]},
        {"tracking_number": "B2", "status": "in_transit", "estimated_delivery": "2026-12-01",
         "estimated_delivery_end": "2026-12-04"},
    ])
    for locale in ("en", "fr", "pl", "he"):
        soup = page(client, factory.link(merchant, order), locale)
        relative = text_of(soup.select_one(".relative"))
        assert norm(format_timedelta(timedelta(days=-2), add_direction=True, locale=locale)) in relative
        eta = text_of(soup.select_one(".eta"))
        assert eta == norm(format_interval(date(2026, 12, 1), date(2026, 12, 4), skeleton="yMMMd", locale=locale))
    english = page(client, factory.link(merchant, order), "en")
    assert "2 days ago" in text_of(english.select_one(".relative"))
    assert text_of(english.select_one(".timezone")) == "Time zone: Coordinated Universal Time"


# -- locale resolution ---------------------------------------------------------------------------

@pytest.fixture
def link(factory, merchant):
    return factory.link(merchant, factory.order(merchant, locale="fr"))


def lang_of(response) -> str:
    return html(response).html["lang"]


def test_locale_chain_query_cookie_order_header_default(client, factory, link):
    assert lang_of(client.get(link)) == "fr"                                   # the order's checkout locale
    assert lang_of(client.get(link, headers={"Accept-Language": "de"})) == "fr"  # order beats the browser
    response = client.get(link, params={"lang": "ja"})                          # ?lang= beats all
    assert lang_of(response) == "ja" and response.cookies.get("portal_lang") == "ja"
    assert lang_of(client.get(link)) == "ja"                                   # …and is remembered
    client.cookies.clear()
    shop = factory.merchant("nolocale", locale="nb")
    no_locale_link = factory.link(shop, factory.order(shop))
    assert lang_of(client.get(no_locale_link, headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"})) == "sv"
    assert lang_of(client.get(no_locale_link, headers={"Accept-Language": "zh-TW"})) == "nb"  # no Traditional
    assert lang_of(client.get(no_locale_link, headers={"Accept-Language": "zh-CN"})) == "zh-Hans"
    assert lang_of(client.get(no_locale_link)) == "nb"                          # the merchant's default


def test_bad_input_falls_back_quietly(client, link):
    assert lang_of(client.get(link, params={"lang": "xx-NOPE"})) == "fr"
    assert lang_of(client.get(link, params={"lang": "../../etc"})) == "fr"
    for header in ("de;q=abc, ;;;, =", "*", "q=1", "x" * 5000, "de-DE;q=0.1,,,,ar;q=0.9"):
        response = client.get(link, headers={"Accept-Language": header})
        assert response.status_code == 200


def test_headers_and_html_attributes(client, link):
    response = client.get(link, params={"lang": "he"})
    assert response.headers["content-language"] == "he"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response.headers["vary"].split(",")}
    root = html(response).html
    assert (root["lang"], root["dir"]) == ("he", "rtl")
    root = html(client.get(link, params={"lang": "pt-BR"})).html
    assert (root["lang"], root["dir"]) == ("pt-BR", "ltr")


def test_enabled_locales_narrow_the_choice_and_the_switcher(client, factory, portal):
    shop = factory.merchant("narrow", locale="nb")
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, shop.id), {"locales": "nb,en,de"})
    shop_link = factory.link(shop, factory.order(shop, locale="fr"))
    assert lang_of(client.get(shop_link)) == "nb"             # French is not enabled: the default
    assert lang_of(client.get(shop_link, params={"lang": "ja"})) == "nb"
    soup = html(client.get(shop_link, params={"lang": "de"}))
    switcher = soup.select_one("form.lang-switch")
    assert switcher["method"] == "get" and switcher.get("action", "") == ""   # same page, no JavaScript
    assert [o["value"] for o in switcher.select("option")] == ["nb", "en", "de"]
    assert switcher.select_one("option[selected]")["value"] == "de"
    with session_scope(portal.engine) as session:
        with pytest.raises(MerchantError, match="locale"):
            apply_settings(session, session.get(Merchant, shop.id), {"locales": "nb,klingon-x"})


# -- approximate amounts -------------------------------------------------------------------------

def test_currency_codes_are_checked(client, factory, merchant):
    headers = {"Authorization": f"Bearer {factory.api_key(merchant)}"}
    response = client.post("/api/v1/orders", json=order_data(presentment_currency="EURO"), headers=headers)
    assert response.status_code == 422
    assert "presentment_currency" in {e["field"] for e in response.json()["errors"]}
    with session_scope(factory.portal.engine) as session:
        with pytest.raises(MerchantError, match="approx_currencies"):
            apply_settings(session, session.get(Merchant, merchant.id), {"approx_currencies": "EUR,XXQ"})
        with pytest.raises(MerchantError, match="approx_rates"):
            apply_settings(session, session.get(Merchant, merchant.id), {"approx_rates": "NOK/EUR=-1"})


@pytest.fixture
def nok_shop(factory, portal):
    shop = factory.merchant("fjell", locale="nb", currency="NOK", timezone="Europe/Oslo")
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, shop.id), {"approx_currencies": "EUR,USD,SEK"})
    return shop


def nok_order(factory, shop):
    return factory.order(shop, currency="NOK", presentment_currency="NOK",
                         totals={"subtotal": "1000", "total": "1000"},
                         line_items=[{"title": "Genser", "unit_price": "1000"}])


def test_approximate_amount_uses_the_bundled_ecb_rate_and_says_so(client, factory, nok_shop):
    link = factory.link(nok_shop, nok_order(factory, nok_shop))
    rate, rate_date, source = exchange.rate(nok_shop, "NOK", "EUR")
    assert source == exchange.SOURCE_ECB
    soup = page(client, link, "de")  # German suggests euros
    approx = soup.select_one("#approx")
    expected = format_currency((Decimal(1000) * rate).quantize(Decimal("0.01")), "EUR", locale="de")
    assert text_of(approx.select_one(".approx__amount")) == f"Ungefähr {norm(expected)}"
    note = text_of(approx.select_one(".approx__note"))
    assert "nicht der berechnete Betrag" in note
    assert format_date(rate_date, format="long", locale="de") in note
    assert f"1 NOK = {format_decimal(rate, format='#,##0.######', locale='de')} EUR" in note
    assert totals(soup)["Gesamt"] == norm(format_currency(1000, "NOK", locale="de"))  # charged

    assert page(client, link, "nb").select_one("#approx") is None  # Norwegian: already in kroner
    picked = client.get(link, params={"lang": "nb", "currency": "USD"})
    assert "USD" in text_of(html(picked).select_one("#approx .approx__note"))
    assert "USD" in text_of(page(client, link, "nb").select_one("#approx .approx__note"))  # remembered
    assert page(client, link, "nb", currency="").select_one("#approx") is None             # switched off
    assert page(client, link, "de", currency="GBP").select_one("#approx") is None          # not offered


def test_merchant_supplied_rate_wins_and_jpy_has_no_decimals(client, factory, portal):
    shop = factory.merchant("kobe", locale="en", currency="USD")
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, shop.id),
                       {"approx_currencies": "JPY", "approx_rates": "USD/JPY=150.5"})
    order = factory.order(shop, totals={"subtotal": "54.00", "total": "54.00"})
    soup = page(client, factory.link(shop, order), "en", currency="JPY")
    assert text_of(soup.select_one(".approx__amount")) == "Approximately ¥8,127"
    note = text_of(soup.select_one(".approx__note"))
    assert "Exchange rate set by the shop" in note and "1 USD = 150.5 JPY" in note


def test_no_estimate_without_the_merchant_setting(client, factory, merchant):
    link = factory.link(merchant, factory.order(merchant))
    soup = page(client, link, "de", currency="EUR")
    assert soup.select_one("#approx") is None
    assert soup.select_one(".approx-form") is None


SHIPPED_LOCALES = sorted(p.name for p in (Path(__file__).parent.parent / "locales").iterdir() if p.is_dir())
ZONES = ("UTC", "Europe/Oslo", "America/New_York", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe")
MOMENTS = (
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=timezone.utc),   # Oslo's clocks go forward at 01:00 UTC
    datetime(2026, 3, 29, 1, 0, 0, tzinfo=timezone.utc),
    datetime(2026, 10, 25, 0, 30, 15, tzinfo=timezone.utc),  # Oslo's 02:30 happens twice
    datetime(2026, 10, 25, 1, 30, 15, tzinfo=timezone.utc),
    datetime(2026, 11, 28, 13, 5, 7, 250_000, tzinfo=timezone.utc),
    datetime(2026, 11, 28, 13, 5, 48, tzinfo=timezone.utc),  # the same minute, other seconds
    datetime(2026, 11, 28, 23, 59, 59),                      # naive: UTC, as Babel reads it
)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_moment_is_babels_text_in_every_format_and_zone(locale):
    # A moment's text is put together from a cached date and a cached time of day
    # (i18n.datetime_); it must be what Babel's format_datetime writes, twice over (the second time
    # from the caches), however the zone, the locale's patterns or the precision they show differ.
    for zone in ZONES:
        i18n.activate(locale, tz=zone)
        for _ in range(2):
            for moment in MOMENTS:
                for fmt in ("short", "medium", "long", "full"):
                    expected = format_datetime(moment, format=fmt, tzinfo=ZoneInfo(zone), locale=locale)
                    assert i18n.datetime_(moment, fmt) == expected, (zone, moment, fmt)
                assert i18n.date_(moment, "long") == format_date(
                    (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(ZoneInfo(zone)),
                    format="long", locale=locale)
    i18n.activate("en", tz="UTC")


def test_a_rate_out_of_all_proportion_is_refused_and_a_stored_one_breaks_no_page(client, factory, portal):
    shop = factory.merchant("kobe", locale="en", currency="USD")
    with session_scope(portal.engine) as session:
        for rate in ("1e30", "0.0000000001", "1e-30"):
            with pytest.raises(MerchantError, match="approx_rates"):
                apply_settings(session, session.get(Merchant, shop.id), {"approx_rates": f"USD/JPY={rate}"})
        apply_settings(session, session.get(Merchant, shop.id), {"approx_currencies": "JPY", "approx_rates": "USD/JPY=150.5"})
    with session_scope(portal.engine) as session:  # as stored before rates had bounds
        stored = session.get(Merchant, shop.id)
        stored.settings = {**stored.settings, "approx_rates": {"date": "2026-12-01", "rates": {"USD/JPY": "1E+30"}}}
        session.add(stored)
    portal.forget_merchant("kobe")
    order = factory.order(shop, totals={"subtotal": "9999999.00", "total": "99999999999.00"})
    response = client.get(factory.link(shop, order), params={"lang": "en", "currency": "JPY"})
    assert response.status_code == 200
    assert html(response).select_one("#approx") is None


def test_the_currency_form_keeps_the_pages_language_not_the_raw_address(client, factory, nok_shop):
    link = factory.link(nok_shop, nok_order(factory, nok_shop))
    for asked in ("de-AT", "\x00", "fr"):
        response = client.get(link, params={"lang": asked, "currency": "EUR"})
        assert response.status_code == 200 and "\x00" not in response.text
        page = html(response)
        assert page.select_one(".approx-form input[name=lang]")["value"] == page.html["lang"]
    assert page.html["lang"] == "fr"


def test_a_currency_no_rate_converts_into_is_not_offered(client, factory, portal):
    shop = factory.merchant("fjord", locale="nb", currency="NOK")
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, shop.id), {"approx_currencies": "EUR,KWD,USD"})
    soup = page(client, factory.link(shop, nok_order(factory, shop)), "en")
    assert [o["value"] for o in soup.select("#approx-currency option")] == ["", "EUR", "USD"]
    with session_scope(portal.engine) as session:  # with the shop's own rate it can be picked
        apply_settings(session, session.get(Merchant, shop.id), {"approx_rates": "NOK/KWD=0.029"})
    portal.forget_merchant("fjord")
    soup = page(client, factory.link(shop, nok_order(factory, shop)), "en", currency="KWD")
    assert [o["value"] for o in soup.select("#approx-currency option")] == ["", "EUR", "KWD", "USD"]
    assert soup.select_one("#approx .approx__amount") is not None
