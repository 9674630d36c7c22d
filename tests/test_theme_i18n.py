"""The theme editor in the console user's language: every bundled theme's words (theme.toml labels,
descriptions, help and choice names) come from the catalog; a theme's words the catalog lacks show
as written."""

from __future__ import annotations

import tomllib
from collections.abc import Callable

import pytest

from portal import i18n
from portal.i18n import tooling
from portal.settings import PROJECT_ROOT
from portal.theming import words
from tests.conftest import console_login, html, text_of
from tests.test_i18n_catalogs import visible_strings

THEMES = PROJECT_ROOT / "themes"
BUNDLED = sorted(p.name for p in THEMES.iterdir() if (p / "theme.toml").is_file())
# A theme from elsewhere: none of its words are in the catalog.
HARBOUR = '''name = "harbour"
label = "Harbour"
description = "Sails and rope, in navy."

[settings.sail]
type = "choice"
label = "Sail shape"
help = "Square-rigged or lateen, as on the old ferries."
choices = ["square_rigged", "lateen"]
'''


@pytest.fixture
def settings(settings, tmp_path):
    root = tmp_path / "themes"
    root.mkdir()
    for name in BUNDLED:
        (root / name).symlink_to(THEMES / name)
    (root / "harbour").mkdir()
    (root / "harbour" / "theme.toml").write_text(HARBOUR, encoding="utf-8")
    return settings.model_copy(update={"themes_dir": root})


@pytest.fixture
def shop(factory):
    return factory.merchant("acme", name="Acme Outdoor")


def speak(client, locale: str) -> None:
    """Choose the console language on the account page, as a user does."""
    token = html(client.get("/admin/account")).find("input", {"name": "csrf_token"})["value"]
    assert client.post("/admin/account", data={"csrf_token": token, "locale": locale}).status_code == 303


def edit(client, token, theme: str):
    assert client.post("/admin/theme/choose", data={"csrf_token": token, "theme": theme}).status_code == 303
    response = client.get("/admin/theme")
    assert response.status_code == 200
    return html(response)


def manifest(name: str) -> dict:
    return tomllib.loads((THEMES / name / "theme.toml").read_text(encoding="utf-8"))


def assert_theme_shown(page, data: dict, tr: Callable[[str], str]) -> None:
    """The theme list and the settings form say each word of `data` (a theme.toml) as `tr` gives it."""
    name = data["name"]
    choice = page.select_one(f'label[for="theme-{name}"]')
    assert text_of(choice.strong) == tr(data["label"])
    assert text_of(choice.select_one(".hint")) == tr(data["description"])
    assert tr(data["label"]) in text_of(page.select_one("#settings h2"))
    for key, setting in data.get("settings", {}).items():
        field = page.select_one(f"#setting-{key}").find_parent("div")
        assert text_of(field.select_one(f'label[for="setting-{key}"]')) == tr(setting["label"]), key
        if "help" in setting:
            assert text_of(field.select_one(f"#setting-{key}-hint")).startswith(tr(setting["help"])), key
        if setting["type"] == "choice":
            shown = [text_of(o) for o in field.select("option")]
            assert shown == [tr(words.choice_name(value)) for value in setting["choices"]], key
        if setting["type"] == "image" and field.select_one("img"):
            assert tr(setting["label"]) in field.select_one("img")["alt"]


def test_bundled_theme_words_are_in_the_catalog():
    template = {m.id for m in tooling.read_catalog(tooling.Paths().template) if m.id}
    for name in BUNDLED:
        missing = [text for text, _ in words.messages(manifest(name)) if text not in template]
        assert missing == [], name


def test_a_german_user_reads_every_bundled_theme_in_german(client, factory, shop):
    token = console_login(client, factory, shop)
    speak(client, "de")
    german = i18n.catalogs().translations("de")
    for name in BUNDLED:
        data = manifest(name)
        english = {text for text, _ in words.messages(data)}
        differ = {text for text in english if german.gettext(text) != text}
        assert len(differ) >= len(english) - 3, name  # "Logo", "Minimal" … read the same in German
        page = edit(client, token, name)
        assert_theme_shown(page, data, german.gettext)
        assert visible_strings(page) & differ == set(), name


def test_an_english_user_reads_the_words_as_written(client, factory, shop):
    token = console_login(client, factory, shop)
    speak(client, "en")
    for name in BUNDLED:
        assert_theme_shown(edit(client, token, name), manifest(name), lambda text: text)


def test_a_theme_whose_words_are_not_in_the_catalog_shows_them_as_written(client, factory, shop):
    token = console_login(client, factory, shop)
    speak(client, "de")
    page = edit(client, token, "harbour")
    assert_theme_shown(page, tomllib.loads(HARBOUR), lambda text: text)
    assert text_of(page.select_one("h1")) == "Design"  # the console's own words are still German
    assert "Square rigged" in [text_of(o) for o in page.select("#setting-sail option")]


def test_switch_and_contrast_notices_name_the_setting_in_german(client, factory, shop):
    token = console_login(client, factory, shop)
    speak(client, "de")
    page = edit(client, token, "bold")
    assert "Kräftig" in text_of(page.select_one(".theme-flash"))
    page = edit(client, token, "classic")
    response = client.post("/admin/theme/settings", data={"csrf_token": token, "action": "save",
                                                          "accent_colour": "#ffee55"})
    assert response.status_code == 303
    notice = text_of(html(client.get("/admin/theme")).select_one(".contrast-notices"))
    assert notice.startswith("Akzentfarbe (accent_colour): #ffee55 wurde zu #")
    assert "dem Seitenhintergrund #f6f7f9 und dem Kartenhintergrund #ffffff" in notice
    assert "WCAG AA verlangt 4,5:1" in notice
