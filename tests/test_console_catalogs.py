"""Every console page in every shipped language shows no English catalog string left
untranslated (the console's counterpart of test_i18n_catalogs' shopper-page check)."""

from __future__ import annotations

from portal import console_auth, i18n
from portal.i18n import tooling
from portal.store.db import session_scope
from tests.conftest import html
from tests.console_pages import console_paths, seed_console
from tests.test_i18n_catalogs import PATHS, REQUIRED, english_sources, template, visible_strings  # noqa: F401
from tests.test_security import login


def test_console_pages_have_no_untranslated_strings(client, portal, factory, template):  # noqa: F811
    ids = seed_console(portal, factory)
    sources = english_sources(template)
    assert login(client, "acme").status_code == 303
    paths = [p for p in console_paths(client.app, ids) if p != "/admin/theme/preview"]  # a shopper's page
    english = set()
    for path in paths:
        english |= visible_strings(html(client.get(path))) & sources.keys()
    assert len(english) > 100  # the pages really show catalog strings

    untranslated: dict[str, list[str]] = {}
    for locale in sorted(REQUIRED - {"en"}):
        with session_scope(portal.engine) as session:
            console_auth.set_locale(session, ids["merchant_id"], ids["user_id"], locale)
        client.headers["Accept-Language"] = locale.replace("_", "-")  # the log-in page's language
        translations = i18n.catalogs().translations(locale)
        same = {text for text, contexts in sources.items()
                if any((translations.pgettext(c, text) if c else translations.gettext(text)) == text for c in contexts)}
        # A word that is also another string's translation ("Sending" is Norwegian for "Shipment").
        same |= {form for message in tooling.read_catalog(PATHS.catalog(locale), locale) if message.id
                 for form in (message.string if isinstance(message.string, (list, tuple)) else (message.string,))}
        for path in paths:
            response = client.get(path)
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            assert response.headers["content-language"] == i18n.html_lang(locale), path
            page = html(response)
            for quoted in page.select('[lang="en"]'):  # English on purpose (the Translations page's sources)
                quoted.decompose()
            leftovers = (visible_strings(page) & sources.keys()) - same
            if leftovers:
                untranslated[f"{locale} {path}"] = sorted(leftovers)
    assert untranslated == {}
