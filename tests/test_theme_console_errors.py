"""The theme editor's refusals (an image upload, custom CSS, a setting value) in the console user's
language, under the field they concern, with a 400 and nothing saved."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from portal.store.db import session_scope
from portal.store.models import Merchant, ThemeImage
from portal.theming import service
from portal.theming.images import MAX_UPLOAD_BYTES
from tests.conftest import html, text_of
from tests.test_theme_console import save, shop, token  # noqa: F401 (shop and token are fixtures)
from tests.test_theme_i18n import speak

TOO_BIG = b"\x89PNG" + b"0" * (MAX_UPLOAD_BYTES * 2 - 4)  # 1,600,000 bytes
CSS = ".a { color: red }\n@import 'https://evil.example/x.css';"


def bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (20, 80, 160)).save(out, format="BMP")
    return out.getvalue()


def assert_nothing_saved(portal, shop) -> None:
    with session_scope(portal.engine) as session:
        merchant = session.get(Merchant, shop.id)
        assert service.revision(session, merchant, service.DRAFT) is None
        assert (merchant.theme_settings or {}).get("logo", "") == ""
        assert session.exec(select(ThemeImage)).all() == []


@pytest.mark.parametrize("locale, too_big, wrong_format, css", [
    ("de", "die Datei ist 1600 KB groß; erlaubt sind höchstens 800 KB",
     "BMP-Dateien werden nicht angenommen; laden Sie ein PNG-, JPEG-, GIF- oder WebP-Bild hoch",
     "Zeile 2: @import ist nicht erlaubt: eigenes CSS darf keine anderen Stylesheets laden"),
    ("en", "the file is 1600 KB; at most 800 KB are allowed",
     "BMP files are not accepted; upload a PNG, JPEG, GIF or WebP image",
     "line 2: @import is not allowed: custom CSS cannot load other stylesheets"),
])
def test_refusals_are_in_the_users_language(client, portal, shop, token, locale, too_big, wrong_format, css):
    speak(client, locale)
    for name, data, message in [("big.png", TOO_BIG, too_big), ("logo.bmp", bmp(), wrong_format)]:
        response = save(client, token, files={"logo": (name, data, "image/png")})
        assert response.status_code == 400
        page = html(response)
        assert text_of(page.select_one("#setting-logo-error")) == message
        assert f"Logo: {message}" in text_of(page.select_one("#theme-errors"))  # the field's label, not its key
        assert_nothing_saved(portal, shop)

    response = save(client, token, custom_css=CSS)
    assert response.status_code == 400
    page = html(response)
    assert text_of(page.select_one("#setting-custom_css-error")) == css
    label = "Eigenes CSS" if locale == "de" else "Custom CSS"
    assert f"{label}: {css}" in text_of(page.select_one("#theme-errors"))
    assert page.select_one("#setting-custom_css").get_text().strip() == CSS  # what was typed is kept
    assert_nothing_saved(portal, shop)


def test_a_german_user_reads_every_refusal_of_one_save_under_its_field(client, portal, shop, token):
    speak(client, "de")
    just_over = b"\x89PNG" + b"0" * (MAX_UPLOAD_BYTES - 3)
    response = save(client, token, files={"logo": ("big.png", just_over, "image/png")}, font="comic",
                    custom_css=".a { background: url(javascript:alert(1)) }")
    assert response.status_code == 400
    page = html(response)
    assert text_of(page.select_one("#theme-errors p")).startswith("Nichts wurde gespeichert.")
    logo_error = text_of(page.select_one("#setting-logo-error"))
    assert logo_error == "die Datei ist 801 KB groß; erlaubt sind höchstens 800 KB"  # rounded up, never "800 KB"
    assert text_of(page.select_one("#setting-font-error")).startswith("'comic' ist keine verfügbare Schrift; erlaubt: "
                                                                      "einer der Werte system, humanist")
    # tinycss2's own words about the broken url() follow, in English.
    assert text_of(page.select_one("#setting-custom_css-error")).startswith(
        "Zeile 1: url(javascript:…) ist nicht erlaubt: ein Stylesheet darf kein Skript ausführen; Zeile 1: ")
    assert_nothing_saved(portal, shop)


def test_choosing_a_theme_that_is_not_installed_is_refused_in_german(client, portal, shop, token):
    speak(client, "de")
    response = client.post("/admin/theme/choose", data={"csrf_token": token, "theme": "neon"})
    assert response.status_code == 400
    assert "'neon' ist kein installiertes Design; installiert: bold, classic, minimal" in text_of(
        html(response).select_one("#theme-errors"))
    assert_nothing_saved(portal, shop)


def test_a_phone_photo_is_refused_on_the_form_with_what_was_typed(client, portal, shop, token):
    """A 5 MB photo: the form comes back with the reason under the logo and the CSS as typed
    (Starlette's bare English "Content Too Large" answered anything over 2.4 MB)."""
    speak(client, "de")
    photo = b"\x89PNG" + b"0" * 5_000_000
    response = save(client, token, files={"logo": ("IMG_0042.png", photo, "image/png")}, custom_css=".a { color: red }")
    assert response.status_code == 400
    page = html(response)
    assert text_of(page.select_one("#setting-logo-error")) == "die Datei ist 5001 KB groß; erlaubt sind höchstens 800 KB"
    assert page.select_one("#setting-custom_css").get_text().strip() == ".a { color: red }"
    assert_nothing_saved(portal, shop)


def test_a_body_past_what_is_read_is_explained_on_the_page(client, portal, shop, token):
    speak(client, "de")
    response = save(client, token, files={"logo": ("huge.png", b"\x89PNG" + b"0" * 17_000_000, "image/png")})
    assert response.status_code == 413 and response.headers["content-type"].startswith("text/html")
    assert "höchstens 800 KB" in text_of(html(response).select_one("#theme-errors"))
    assert_nothing_saved(portal, shop)


def test_font_names_are_in_the_users_language(client, shop, token):
    speak(client, "de")
    page = html(client.get("/admin/theme"))
    names = [text_of(option) for option in page.select("#setting-font option")]
    assert "Systemschrift" in names and "System UI" not in names
