"""Shipped catalogs: complete against a fresh extraction of the sources, compiling, with the
right plural forms; and every locale renders the shopper pages without a leftover English string.

When this fails after you added or changed a shopper-facing string: run `make i18n`, then
translate the new entries in every locales/*/LC_MESSAGES/messages.po (docs/i18n.md).
"""

from __future__ import annotations

import gettext
import io

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from portal import i18n
from portal.i18n import tooling
from tests.conftest import html

REQUIRED = {"en", "de", "fr", "es", "it", "nl", "pt_BR", "sv", "nb", "da", "fi", "pl", "ja", "zh_Hans",
            "hi", "ar", "he"}
PATHS = tooling.Paths()


@pytest.fixture(scope="module")
def template():
    return tooling.extract(PATHS)


def test_every_required_language_ships_a_catalog():
    assert REQUIRED <= set(PATHS.shipped())


def test_template_on_disk_matches_the_sources(template):
    on_disk = {tooling._key(m) for m in tooling.read_catalog(PATHS.template) if m.id}
    fresh = {tooling._key(m) for m in template if m.id}
    assert fresh - on_disk == set(), "new strings: run `make i18n`"
    assert on_disk - fresh == set(), "removed strings: run `make i18n`"
    assert len(fresh) > 100


@pytest.mark.parametrize("locale", sorted(PATHS.shipped()))
def test_catalog_is_complete_and_compiles(locale, template):
    catalog = tooling.read_catalog(PATHS.catalog(locale), locale)
    problems = list(tooling.check_catalog(catalog, template))
    assert problems == [], f"{locale}: " + "\n".join(problems)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    compiled = Translations(buffer)
    translated = [m for m in catalog if m.id and not m.pluralizable]
    assert compiled.gettext(translated[0].id) == translated[0].string


@pytest.mark.parametrize(("locale", "counts", "expected"), [
    ("pl", (1, 2, 5, 22, 25), ["Przesyłka", "Przesyłki", "Przesyłki", "Przesyłki", "Przesyłki"]),
    ("ar", (0, 1, 2, 3, 11), ["الشحنات", "الشحنة", "الشحنتان", "الشحنات", "الشحنات"]),
    ("fr", (0, 1, 2), ["Colis", "Colis", "Colis"]),
    ("ja", (1, 5), ["配送", "配送"]),
])
def test_plural_forms_follow_the_language(locale, counts, expected):
    i18n.configure(PATHS.locales)
    i18n.activate(locale)
    assert [i18n.ngettext("Shipment", "Shipments", n) for n in counts] == expected


def test_polish_seconds_use_three_forms():
    i18n.configure(PATHS.locales)
    i18n.activate("pl")
    source = ("You have tried several times in a short while. Please try again in %(count)s second.",
              "You have tried several times in a short while. Please try again in %(count)s seconds.")
    words = [i18n.ngettext(*source, n) % {"count": n} for n in (1, 3, 5)]
    assert [w.rsplit(" ", 1)[-1] for w in words] == ["sekundę.", "sekundy.", "sekund."]


@pytest.mark.parametrize(("source", "text", "problem"), [
    ("Shipped with %(carrier)s", "Versandt mit %(spediteur)s", "unknown placeholder %(spediteur)s"),
    ("Shipped with %(carrier)s", "Versandt", "missing placeholder %(carrier)s"),
    ("Total", "100% sicher", "a lone % must be written %%"),
    ("Shipped with %(carrier)s", "Versandt mit %(carrier)d", "%(carrier)d must be written exactly %(carrier)s"),
    ("Shipped with %(carrier)s", "Versandt mit %(carrier)9s", "%(carrier)9s must be written exactly %(carrier)s"),
    ("Total", "Gesamt %s", "unknown placeholder %s (the source has none)"),
    ("Total", "<b>Gesamt</b>", "markup is not allowed"),
    ('Order <span dir="ltr">%(number)s</span>', "Bestellung %(number)s", "markup must be exactly"),
    ('Order <span dir="ltr">%(number)s</span>', 'Bestellung <span dir="ltr">%(number)s</span> >',
     "broken markup"),
])
def test_validation_refuses_broken_translations(source, text, problem):
    problems = tooling.validate_translation(source, text)
    assert any(problem in p for p in problems), problems


def test_validation_accepts_good_translations():
    assert tooling.validate_translation("Total", "100%% Gesamt") == []
    assert tooling.validate_translation('Order <span dir="ltr">%(number)s</span>',
                                           'הזמנה <span dir="ltr">%(number)s</span>') == []
    # "one second" may drop the count in a plural form
    assert tooling.validate_translation("in %(count)s second", "بعد ثانية واحدة", plural_form=True) == []


def test_check_reports_missing_fuzzy_and_untranslated(template, tmp_path):
    catalog = tooling.read_catalog(PATHS.catalog("de"), "de")
    first, second, third = [m for m in catalog if m.id and not m.pluralizable][:3]
    catalog.delete(first.id, first.context)
    second.flags.add("fuzzy")
    third.string = ""
    problems = "\n".join(tooling.check_catalog(catalog, template))
    assert f"{first.id!r}: missing" in problems
    assert f"{second.id!r}: fuzzy" in problems
    assert f"{third.id!r}: untranslated" in problems


# -- rendered pages ------------------------------------------------------------------------------

SHOPPER_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


def visible_strings(soup) -> set[str]:
    found = {" ".join(s.split()) for s in soup.find_all(string=True)
             if s.parent.name not in ("script", "style") and s.strip()}
    for tag in soup.find_all(True):
        found.update(" ".join(str(tag[a]).split()) for a in SHOPPER_ATTRIBUTES if tag.has_attr(a))
    return found


@pytest.fixture
def rich_order(factory, merchant):
    return factory.order(
        merchant,
        fulfillment_status="partially_fulfilled",
        payment_status="partially_refunded",
        return_status="requested",
        shipments=[
            {"carrier": "ups", "tracking_number": "1Z999AA10123456784", "status": "delivered",
             "events": [{"at": "2026-11-03T09:00:00Z", "status": "in_transit", "message": "Departed facility"},
                        {"at": "2026-11-04T15:00:00Z", "status": "delivered"}]},
            {"tracking_number": "UNKNOWN-1", "status": "in_transit", "estimated_delivery": "2026-11-20",
             "estimated_delivery_end": "2026-11-22"},
        ],
    )


def english_sources(template) -> dict[str, set[str | None]]:
    """Each plain English text, with every context it is written under ("Open" the status, and
    pgettext("action", "Open"))."""
    sources: dict[str, set[str | None]] = {}
    for message in template:
        if not message.id:
            continue
        for text in (message.id if message.pluralizable else (message.id,)):
            if "%" not in text and "<" not in text:
                sources.setdefault(text, set()).add(message.context)
    return sources


def test_pages_have_no_untranslated_shopper_strings(client, factory, merchant, rich_order, template):
    link = factory.link(merchant, rich_order)
    sources = english_sources(template)
    english = visible_strings(html(client.get(link + "?lang=en")))
    assert len(english & sources.keys()) > 30  # the page really shows catalog strings

    untranslated: dict[str, list[str]] = {}
    for locale in sorted(REQUIRED - {"en"}):
        translations = i18n.catalogs().translations(locale)
        # Strings a language legitimately writes as English does ("Details", "Total"…).
        same = {text for text, contexts in sources.items()
                if any((translations.pgettext(context, text) if context else translations.gettext(text)) == text
                       for context in contexts)}
        for url in (link, f"/{merchant.slug}/track", f"/{merchant.slug}/orders/not-a-token",
                    f"/{merchant.slug}/no/such/page"):
            response = client.get(url, params={"lang": locale.replace("_", "-")})
            assert response.headers["content-language"] == i18n.html_lang(locale), url
            leftovers = (visible_strings(html(response)) & sources.keys()) - same
            if leftovers:
                untranslated[f"{locale} {url}"] = sorted(leftovers)
    assert untranslated == {}


def test_update_moves_a_catalog_to_babels_plural_rule_keeping_every_translated_form():
    """A catalog written for an older Babel (French with two forms, Arabic with the "many" and
    "other" forms the other way round) is rewritten to the installed rule without losing a form."""
    french = Catalog(locale="fr")
    french.mime_headers = [("Plural-Forms", "nplurals=2; plural=(n > 1);")]
    french.add(("%(count)s second", "%(count)s seconds"), ("%(count)s seconde", "%(count)s secondes"))
    assert tooling.follow_plural_rule(french, "fr")
    assert french.num_plurals == 3
    forms = french[("%(count)s second", "%(count)s seconds")].string  # one, many (millions), other
    assert forms == ("%(count)s seconde", "%(count)s secondes", "%(count)s secondes")
    assert not tooling.follow_plural_rule(french, "fr")  # already current: unchanged

    arabic = Catalog(locale="ar")
    arabic.mime_headers = [("Plural-Forms", "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
                                            "n%100>=3 && n%100<=10 ? 3 : n%100>=0 && n%100<=2 ? 4 : 5);")]
    arabic.add(("Shipment", "Shipments"), ("zero", "one", "two", "few", "hundreds", "elevens"))
    tooling.follow_plural_rule(arabic, "ar")
    plural = gettext.c2py(arabic.plural_expr)
    by_count = {n: arabic[("Shipment", "Shipments")].string[plural(n)] for n in (0, 1, 2, 5, 11, 101)}
    assert by_count == {0: "zero", 1: "one", 2: "two", 5: "few", 11: "elevens", 101: "hundreds"}
