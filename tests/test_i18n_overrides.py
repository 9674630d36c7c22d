"""Merchant translation overrides: console edits, escaping, refusals, .po/CSV export and import,
a language without a shipped catalog, and the merchant's own texts per language."""

from __future__ import annotations

import pytest

from portal.store import queries
from portal.store.db import session_scope
from portal.store.models import Merchant, TranslationOverride
from tests.conftest import html, text_of
from tests.test_custom_statuses import login


@pytest.fixture
def shop(factory):
    return factory.merchant("nordlys", name="Nordlys Ull", locale="nb", currency="NOK",
                            support_email="hei@nordlys.example")


@pytest.fixture
def token(client, factory, shop):
    return login(client, factory, shop)


def timeline_title(client, link: str, lang: str) -> str:
    return text_of(html(client.get(link, params={"lang": lang})).find(id="panel-timeline-title"))


# The console names problems in the merchant's language (this shop's default is nb) unless the
# browser asks for another.
CONSOLE_IN_ENGLISH = {"Accept-Language": "en"}


def override(client, token, locale, msgid, text, headers=CONSOLE_IN_ENGLISH):
    return client.post("/admin/translations/override", headers=headers,
                       data={"csrf_token": token, "locale": locale, "msgid": msgid, "msgctxt": "", "text": text})


def stored(portal, shop) -> list[TranslationOverride]:
    with session_scope(portal.engine) as session:
        return list(queries.translation_overrides(session, shop.id))


def test_override_changes_the_page_at_once_for_that_merchant_only(client, factory, shop, token):
    other = factory.merchant("hygge", name="Hygge", locale="da")
    link = factory.link(shop, factory.order(shop))
    other_link = factory.link(other, factory.order(other))
    assert timeline_title(client, link, "de") == "Verlauf"

    assert override(client, token, "de", "Timeline", "Was bisher geschah").status_code == 303
    assert timeline_title(client, link, "de") == "Was bisher geschah"
    assert timeline_title(client, link, "en") == "Timeline"        # other locales keep theirs
    assert timeline_title(client, other_link, "de") == "Verlauf"   # other merchants too

    page = html(client.get("/admin/translations", params={"locale": "de", "q": "timeline"}))
    row = page.find("tr", {"data-msgid": "Timeline"})
    assert row.find("textarea").get_text() == "Was bisher geschah"
    assert len(page.find_all("tr", class_="translation-row")) < 5  # the search narrowed the list

    assert override(client, token, "de", "Timeline", "").status_code == 303  # empty: back to built-in
    assert timeline_title(client, link, "de") == "Verlauf"


def test_override_text_is_escaped_but_keeps_the_sources_markup(client, factory, shop, token):
    link = factory.link(shop, factory.order(shop, number="#2001"))
    assert override(client, token, "de", "Timeline", "Tom & Jerry's <Verlauf>").status_code == 422
    assert override(client, token, "de", "Timeline", "Tom & Jerry's \"Verlauf\"").status_code == 303
    response = client.get(link, params={"lang": "de"})
    assert timeline_title(client, link, "de") == "Tom & Jerry's \"Verlauf\""
    assert "Tom &amp; Jerry" in response.text

    assert override(client, token, "de", 'Order <span dir="ltr">%(number)s</span>',
                    'Auftrag & Co <span dir="ltr">%(number)s</span>').status_code == 303
    heading = html(client.get(link, params={"lang": "de"})).find("h1")
    assert text_of(heading) == "Auftrag & Co #2001"
    assert heading.find("span", dir="ltr").get_text() == "#2001"


BROKEN = [
    ("Shipped with %(carrier)s", "Versandt mit %(firma)s", "unknown placeholder %(firma)s"),
    ("Shipped with %(carrier)s", "Versandt", "missing placeholder %(carrier)s"),
    ("Timeline", "100% Verlauf", "a lone % must be written %%"),
    ("Timeline", "<script>alert(1)</script>", "markup is not allowed"),
    ('Order <span dir="ltr">%(number)s</span>', "Auftrag <b>%(number)s</b>", "markup must be exactly"),
]


def test_broken_overrides_are_refused_and_the_page_keeps_its_text(client, factory, portal, shop, token):
    link = factory.link(shop, factory.order(shop))
    assert override(client, token, "de", "Timeline", "Chronik").status_code == 303
    for msgid, text, reason in BROKEN:
        response = override(client, token, "de", msgid, text)
        assert response.status_code == 422, text
        assert reason in text_of(html(response).find(id="translation-errors"))
        # the refused text stays in the form for correcting
        row = html(response).find("tr", {"data-msgid": msgid})
        assert text in [field.get("value") or field.get_text() for field in row.select("textarea, input[name=text]")]
    assert [row.text for row in stored(portal, shop)] == ["Chronik"]
    assert timeline_title(client, link, "de") == "Chronik"


def test_plural_override_has_one_text_per_plural_form(client, factory, shop, token, portal):
    data = {"csrf_token": token, "locale": "pl", "msgid": "Shipment", "msgctxt": "",
            "text_0": "Paczka", "text_1": "Paczki", "text_2": "Paczek"}
    assert client.post("/admin/translations/override", data=data).status_code == 303
    assert stored(portal, shop)[0].plural_forms == ["Paczka", "Paczki", "Paczek"]
    order = factory.order(shop, shipments=[{"tracking_number": "A1"}, {"tracking_number": "B2"}])
    title = html(client.get(factory.link(shop, order), params={"lang": "pl"})).find(id="panel-shipments-title")
    assert text_of(title) == "Paczki"


def test_export_po_and_csv_then_reimport_changes_nothing(client, shop, token, portal):
    override(client, token, "fr", "Timeline", "Chronologie")
    po = client.get("/admin/translations/export", params={"locale": "fr", "format": "po"})
    assert po.status_code == 200
    assert 'msgid "Timeline"\nmsgstr "Chronologie"' in po.text
    assert 'msgid "Tracking number"\nmsgstr "Numéro de suivi"' in po.text  # shipped text for the rest
    csv_export = client.get("/admin/translations/export", params={"locale": "fr", "format": "csv"})
    assert csv_export.text.splitlines()[0] == "msgctxt,msgid,msgid_plural,translation,translation[1],translation[2]"
    assert ",Timeline,,Chronologie" in csv_export.text

    for name, body in (("fr.po", po.content), ("fr.csv", csv_export.content)):
        response = client.post("/admin/translations/import", data={"csrf_token": token, "locale": "fr"},
                               files={"file": (name, body)})
        assert response.status_code == 303, response.text
        assert "0 texts imported" in response.headers["location"].replace("+", " ")
    assert [(row.msgid, row.text) for row in stored(portal, shop)] == [("Timeline", "Chronologie")]


def test_import_refuses_the_whole_file_naming_each_bad_line(client, shop, token, portal):
    po = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Timeline"\nmsgstr "Historique"\n\n'            # fine, but must not be stored alone
        'msgid "Shipped with %(carrier)s"\nmsgstr "Expédié par %(transporteur)s"\n\n'   # line 8
        'msgid "Not a portal string"\nmsgstr "Peu importe"\n'   # line 11
    )
    response = client.post("/admin/translations/import", data={"csrf_token": token, "locale": "fr"},
                           files={"file": ("fr.po", po.encode())}, headers=CONSOLE_IN_ENGLISH)
    assert response.status_code == 422
    errors = text_of(html(response).find(id="translation-errors"))
    assert "line 8" in errors and "%(transporteur)s" in errors
    assert "line 11" in errors and "not a string of the portal" in errors
    assert stored(portal, shop) == []

    bad_csv = "msgctxt,msgid,msgid_plural,translation\n,Timeline,,Historique\n,Total,,<b>Total</b>\n"
    response = client.post("/admin/translations/import", data={"csrf_token": token, "locale": "fr"},
                           files={"file": ("fr.csv", bad_csv.encode())}, headers=CONSOLE_IN_ENGLISH)
    assert response.status_code == 422
    assert "line 3" in text_of(html(response).find(id="translation-errors"))
    assert stored(portal, shop) == []

    garbage = client.post("/admin/translations/import", data={"csrf_token": token, "locale": "fr"},
                          files={"file": ("fr.po", b'msgid "Total"\nmsgstr "Total"\nnonsense\n')},
                          headers=CONSOLE_IN_ENGLISH)
    assert garbage.status_code == 422
    assert "line 3: not a valid .po file" in text_of(html(garbage).find(id="translation-errors"))


def test_a_language_without_a_shipped_catalog_comes_from_an_import(client, factory, shop, token, portal):
    with session_scope(portal.engine) as session:
        session.get(Merchant, shop.id).enabled_locales = "nb,en"
    link = factory.link(shop, factory.order(shop))
    assert html(client.get(link, params={"lang": "is"})).html["lang"] == "nb"  # not offered yet

    po = 'msgid "Timeline"\nmsgstr "Tímalína"\n\nmsgid "Shipment"\nmsgid_plural "Shipments"\nmsgstr[0] "Sending"\nmsgstr[1] "Sendingar"\n'
    response = client.post("/admin/translations/import", data={"csrf_token": token, "locale": "is"},
                           files={"file": ("is.po", po.encode())})
    assert response.status_code == 303, response.text

    page = html(client.get(link, params={"lang": "is"}))
    assert page.html["lang"] == "is"
    assert text_of(page.find(id="panel-timeline-title")) == "Tímalína"
    assert ("is", "Íslenska") in [(o["value"], o.get_text()) for o in page.select("#lang-select option")]
    assert text_of(page.find(id="panel-items-title")) == "Items"  # untranslated: English source


def test_merchant_texts_per_language_fall_back_to_the_default_language(client, factory, shop, token):
    for locale, text in (("nb", "Vi svarer innen en dag."), ("de", "Wir antworten innerhalb eines Tages.")):
        response = client.post("/admin/translations/texts", data={
            "csrf_token": token, "locale": locale, "support_message": text, "lookup_intro": ""})
        assert response.status_code == 303
    link = factory.link(shop, factory.order(shop))

    def support(lang):
        return text_of(html(client.get(link, params={"lang": lang})).find(class_="support-message"))

    assert support("de") == "Wir antworten innerhalb eines Tages."
    assert support("nb") == "Vi svarer innen en dag."
    assert support("fr") == "Vi svarer innen en dag."  # no French text: the shop's default language
    too_long = client.post("/admin/translations/texts", data={
        "csrf_token": token, "locale": "de", "support_message": "x" * 1001})
    assert too_long.status_code == 422
    assert support("de") == "Wir antworten innerhalb eines Tages."


def test_console_translation_pages_need_a_login(client):
    assert client.get("/admin/translations").status_code == 303
    assert client.get("/admin/translations/export?locale=de").status_code == 303


def test_console_chooses_the_shops_languages(client, factory, shop, token, portal):
    link = factory.link(shop, factory.order(shop))
    response = client.post("/admin/translations/languages", data={
        "csrf_token": token, "enable_nb": "on", "enable_sv": "on", "default_locale": "sv"})
    assert response.status_code == 303
    page = html(client.get(link, headers={"Accept-Language": "de"}))
    assert page.html["lang"] == "sv"  # German is not enabled any more: the new default
    assert [o["value"] for o in page.select("#lang-select option")] == ["nb", "sv"]

    refused = client.post("/admin/translations/languages", data={
        "csrf_token": token, "enable_nb": "on", "default_locale": "de"})
    assert refused.status_code == 422
    with session_scope(portal.engine) as session:
        assert session.get(Merchant, shop.id).enabled_locales == "nb,sv"


def test_cli_exports_and_imports_a_merchants_texts(shop, portal, settings, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from portal.cli import main

    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    good = tmp_path / "da.csv"
    good.write_text("msgctxt,msgid,msgid_plural,translation,translation[1]\n,Timeline,,Tidslinje\n")
    result = CliRunner().invoke(main, ["i18n", "import", "nordlys", "da", str(good)])
    assert result.exit_code == 0, result.output
    exported = CliRunner().invoke(main, ["i18n", "export", "nordlys", "da"])
    assert 'msgid "Timeline"\nmsgstr "Tidslinje"' in exported.output

    bad = tmp_path / "da.po"
    bad.write_text('msgid "Shipped with %(carrier)s"\nmsgstr "Sendt med %(fragtfirma)s"\n')
    refused = CliRunner().invoke(main, ["i18n", "import", "nordlys", "da", str(bad)])
    assert refused.exit_code != 0
    assert "line 1" in refused.output and "nothing was imported" in refused.output
    assert [row.text for row in stored(portal, shop)] == ["Tidslinje"]


# -- overrides are format strings: only the source's placeholders, exactly as the source writes them

ORDER_HEADING = 'Order <span dir="ltr">%(number)s</span>'


def store_directly(portal, shop, locale, msgid, text):
    """An override as it could be stored before the placeholder rules (the old console accepted it)."""
    with session_scope(portal.engine) as session:
        session.add(TranslationOverride(merchant_id=shop.id, locale=locale, msgctxt="", msgid=msgid, text=text))
        session.get(Merchant, shop.id).version += 1


@pytest.mark.parametrize(("msgid", "text"), [
    (ORDER_HEADING, 'Auftrag <span dir="ltr">%(number)d</span>'),         # a number conversion: 500
    (ORDER_HEADING, 'Auftrag <span dir="ltr">%(number)2000000s</span>'),  # a width: 2 MB every page
    (ORDER_HEADING, 'Auftrag <span dir="ltr">%(nummer)s</span>'),         # an unknown name: 500
    (ORDER_HEADING, 'Auftrag <span dir="ltr">%s</span>'),                 # positional: the raw dict
    ("Shipped with %(carrier)s", "Versandt mit %(carrier)d"),             # formatted in Python code
])
def test_a_stored_override_that_breaks_formatting_falls_back_to_the_catalog(
        client, factory, portal, shop, msgid, text, caplog):
    link = factory.link(shop, factory.order(shop, number="#2001", shipments=[
        {"tracking_number": "1Z999", "carrier": "UPS"}]))
    store_directly(portal, shop, "de", msgid, text)
    store_directly(portal, shop, "de", "Timeline", "Chronik")  # a good one beside it still applies

    with caplog.at_level("WARNING", logger="portal"):
        response = client.get(link, params={"lang": "de"})
    assert response.status_code == 200
    assert len(response.content) < 200_000
    page = html(response)
    assert text_of(page.find("h1")) == "Bestellung #2001"  # the shipped German text
    assert "Versandt mit UPS" in text_of(page)
    assert text_of(page.find(id="panel-timeline-title")) == "Chronik"
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1 and msgid in warnings[0]


REFUSED_HEADINGS = [
    ('Auftrag <span dir="ltr">%(number)d</span>', "%(number)d must be written exactly %(number)s"),
    ('Auftrag <span dir="ltr">%(number)2000000s</span>', "%(number)2000000s must be written exactly %(number)s"),
    ('Auftrag <span dir="ltr">%(number).1s</span>', "%(number).1s must be written exactly %(number)s"),
    ('Auftrag <span dir="ltr">%s</span>', "unknown placeholder %s (the source has %(number)s)"),
    ('Auftrag <span dir="ltr">%(number)s</span>' + "!" * 2000, "at most 2000 characters"),
]
def import_file(client, token, locale, name, body):
    return client.post("/admin/translations/import", data={"csrf_token": token, "locale": locale},
                       files={"file": (name, body.encode())}, headers=CONSOLE_IN_ENGLISH)


@pytest.mark.parametrize(("text", "problem"), REFUSED_HEADINGS)
def test_an_override_must_use_the_sources_placeholders_exactly_on_every_way_in(
        client, portal, shop, token, settings, monkeypatch, tmp_path, text, problem):
    from click.testing import CliRunner

    from portal.cli import main

    def errors(response):
        assert response.status_code == 422
        return text_of(html(response).find(id="translation-errors"))

    form = override(client, token, "de", ORDER_HEADING, text)
    assert problem in errors(form)

    escaped = text.replace('"', '\\"')
    po = f'msgid ""\nmsgstr ""\n\nmsgid "{ORDER_HEADING.replace(chr(34), chr(92) + chr(34))}"\nmsgstr "{escaped}"\n'
    from_po = errors(import_file(client, token, "de", "de.po", po))
    assert "line 4" in from_po and problem in from_po

    quoted = text.replace('"', '""')
    csv_body = f'msgctxt,msgid,msgid_plural,translation\n,"{ORDER_HEADING.replace(chr(34), chr(34) * 2)}",,"{quoted}"\n'
    from_csv = errors(import_file(client, token, "de", "de.csv", csv_body))
    assert "line 2" in from_csv and problem in from_csv

    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    (tmp_path / "de.po").write_text(po)
    from_cli = CliRunner().invoke(main, ["i18n", "import", "nordlys", "de", str(tmp_path / "de.po")])
    assert from_cli.exit_code != 0 and problem in from_cli.output

    assert stored(portal, shop) == []


def test_the_console_names_the_problem_in_the_merchants_language(client, shop, token):
    response = override(client, token, "de", ORDER_HEADING, 'Auftrag <span dir="ltr">%(number)d</span>',
                        headers={"Accept-Language": "de"})
    assert response.status_code == 422
    assert text_of(html(response).find(id="translation-errors")) == (
        "'Order <span dir=\"ltr\">%(number)s</span>': %(number)d muss genau als %(number)s geschrieben werden")


RETRY = "You have tried several times in a short while. Please try again in %(count)s second."


def test_each_plural_form_is_checked_against_its_source(client, portal, shop, token):
    forms = {"text_0": "Spróbuj za %(count)s sekundę.", "text_1": "Spróbuj za %(count)d sekundy.",
             "text_2": "Spróbuj za %(count)s sekund."}
    response = client.post("/admin/translations/override", headers=CONSOLE_IN_ENGLISH, data={
        "csrf_token": token, "locale": "pl", "msgid": RETRY, "msgctxt": "", **forms})
    assert response.status_code == 422
    assert text_of(html(response).find(id="translation-errors")) == (
        f"'{RETRY}' (form 1): %(count)d must be written exactly %(count)s")
    assert stored(portal, shop) == []


def test_a_bad_override_installed_without_the_checks_still_renders_the_catalog_text(caplog):
    from jinja2 import Environment

    from portal import i18n

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    i18n.install(env)
    template = env.from_string(
        '<h1>{% trans number="#7" %}Order <span dir="ltr">{{ number }}</span>{% endtrans %}</h1>')
    i18n.activate("de", overrides={ORDER_HEADING: 'Auftrag <span dir="ltr">%(number)d</span>'})
    with caplog.at_level("WARNING", logger="portal"):
        assert template.render() == '<h1>Bestellung <span dir="ltr">#7</span></h1>'
    assert [record.levelname for record in caplog.records] == ["WARNING"]
