"""Theme packages: discovery, inheritance, the loader chain, broken themes, shopper pages themed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from portal.app import create_app
from portal.theming.check import check_theme
from portal.theming.themes import ThemeRegistry
from tests.conftest import Factory, html, text_of

THEMES = Path(__file__).resolve().parent.parent / "themes"


def make_theme(root: Path, name: str, manifest: str, templates: dict[str, str] | None = None,
               static: dict[str, str] | None = None) -> Path:
    folder = root / name
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text(f'name = "{name}"\n' + manifest)
    for path, text in (templates or {}).items():
        (folder / "templates" / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / "templates" / path).write_text(text)
    for path, text in (static or {}).items():
        (folder / "static").mkdir(exist_ok=True)
        (folder / "static" / path).write_text(text)
    return folder


@pytest.fixture
def themes_dir(tmp_path) -> Path:
    root = tmp_path / "themes"
    shutil.copytree(THEMES / "classic", root / "classic")
    return root


def test_builtin_themes_load_and_pass_their_own_check():
    registry = ThemeRegistry(THEMES)
    assert {"classic", "minimal", "bold"} <= set(registry.names())
    assert registry.errors == {}
    for name in ("classic", "minimal", "bold"):
        theme, problems = check_theme(THEMES / name, registry)
        assert problems == [], name
        # Every built-in theme offers a light/dark choice and a logo.
        assert theme.settings_schema["colour_scheme"].choices.keys() == {"auto", "light", "dark"}
        assert theme.settings_schema["logo"].type == "image"


def test_child_theme_inherits_settings_palette_and_templates(themes_dir):
    make_theme(themes_dir, "kid", 'parent = "classic"\n[palette.light]\naccent = "#006644"\n',
               {"lookup.html": '{% extends "default:lookup.html" %}{% block lookup_head %}<h1 class="kid">Kid</h1>{% endblock %}'})
    registry = ThemeRegistry(themes_dir)
    kid = registry.get("kid")
    assert kid is not None and registry.errors == {}
    assert "corners" in kid.settings_schema  # from classic
    assert kid.palette["light"]["accent"] == "#006644"
    assert kid.palette["light"]["bg"] == registry.get("classic").palette["light"]["bg"]
    assert [t.name for t in registry.chain("kid")] == ["kid", "classic"]
    source = registry.environment("kid").loader.get_source(registry.environment("kid"), "lookup.html")[0]
    assert "kid" in source
    # One environment per theme, reused.
    assert registry.environment("kid") is registry.environment("kid")
    assert registry.environment("nope") is registry.environment("classic")


@pytest.mark.parametrize("manifest, templates, message", [
    ("this is = = not toml", {}, "not valid TOML"),
    ('[settings.x]\ntype = "sparkles"', {}, "type must be one of"),
    ('[settings.x]\ntype = "choice"\ndefault = "c"\nchoices = ["a", "b"]', {}, "default 'c' is not allowed"),
    ('[settings.x]\ntype = "colour"\npalette = "nope"', {}, "a colour needs `palette`"),
    ('[palette.light]\naccent = "blue"', {}, "use a hex colour"),
    ('parent = "ghost"', {}, "parent theme 'ghost' is not installed"),
    ("", {"lookup.html": "{% block content %}{% endblok %}"}, "line 1"),
    ('stylesheets = ["missing.css"]', {}, "stylesheets not found"),
])
def test_broken_themes_are_reported_and_never_served(themes_dir, manifest, templates, message):
    make_theme(themes_dir, "broken", manifest, templates)
    registry = ThemeRegistry(themes_dir)
    assert "broken" not in registry.names()
    assert message in registry.errors["broken"]
    assert registry.resolve("broken").name == "classic"


def test_missing_manifest_and_wrong_name(themes_dir):
    (themes_dir / "empty").mkdir()
    folder = make_theme(themes_dir, "renamed", "")
    (folder / "theme.toml").write_text('name = "other"\n')
    _, problems = check_theme(themes_dir / "empty", ThemeRegistry(themes_dir))
    assert problems == ["empty: missing theme.toml"]
    assert "must match its folder" in ThemeRegistry(themes_dir).errors["renamed"]


def test_check_flags_unknown_overrides_contrast_and_css(themes_dir):
    folder = make_theme(
        themes_dir, "sloppy", 'stylesheets = ["theme.css", "more.css"]\n[palette.light]\nmuted = "#bbbbbb"\n',
        {"ordr.html": "typo", "theme/_hero.html": "<div></div>"},
        {"theme.css": ".a { color: red; } }",
         "more.css": ".b { background: url(wave.png); }\n.c { background: url('/theme-assets/static/sloppy/w.png'); }"},
    )
    _, problems = check_theme(folder, ThemeRegistry(themes_dir))
    text = "\n".join(problems)
    assert "templates/ordr.html: overrides no template" in text
    assert "_hero" not in text  # the theme's own partials live under templates/theme/
    assert "[palette.light] muted #bbbbbb on bg" in text
    assert "static/theme.css, line 1" in text
    assert "static/more.css, line 1: url(wave.png) is relative; write /theme-assets/static/sloppy/wave.png" in text
    assert text.count("is relative") == 1


def test_shopper_pages_use_the_merchant_theme(client, factory):
    bold = factory.merchant("acme", name="Acme Outdoor", theme="bold", theme_settings={"tagline": "Go outside <b>now</b>"})
    plain = factory.merchant("plain", name="Plain Shop")
    order = factory.order(bold)
    page = html(client.get(factory.link(bold, order)))
    assert "theme-bold" in page.body["class"]
    assert page.select_one(".hero h1") is not None  # bold's own order.html
    # Merchant text is data, never a template, and always escaped.
    assert text_of(page.select_one(".brand__tagline")) == "Go outside <b>now</b>"
    sheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert len(sheets) == 1 and sheets[0].startswith("/acme/theme.css?v=")
    css = client.get(sheets[0]).text  # portal.css, then bold's own stylesheet, then the shop's settings
    portal_css, bold_css = ((THEMES.parent / "static/portal.css").read_text(), (THEMES / "bold/static/theme.css").read_text())
    assert portal_css in css and bold_css in css and css.index(portal_css) < css.index(bold_css) < css.index("Generated from")

    lookup = html(client.get("/plain/track"))
    assert "theme-classic" in lookup.body["class"]
    assert lookup.select_one(".hero") is None
    error = html(client.get("/acme/orders/not-a-token"))
    assert "theme-bold" in error.body["class"]
    missing = client.get("/acme/nothing-here")
    assert missing.status_code == 404 and "theme-bold" in html(missing).body["class"]
    unknown = html(client.get("/no-such-shop/track"))
    assert "theme-classic" in unknown.body["class"]
    palette = client.get(unknown.select("link[rel=stylesheet]")[-1]["href"])
    assert palette.status_code == 200 and "--color-accent: #2454c5;" in palette.text
    assert plain.theme == "classic"


def test_merchant_on_a_removed_theme_still_gets_a_page(client, factory):
    gone = factory.merchant("gone", theme="deleted-theme", theme_settings={"accent_colour": "#000000"})
    response = client.get("/gone/track")
    assert response.status_code == 200
    assert "theme-classic" in html(response).body["class"]
    assert gone.slug == "gone"


def test_a_theme_template_that_does_not_compile_fails_its_pages_not_the_start_up(settings, themes_dir, caplog):
    # Parses (so the theme loads), but an unknown filter fails only when Jinja compiles it, which
    # start-up now does for every shopper template.
    make_theme(themes_dir, "odd", 'parent = "classic"\n',
               {"order.html": '{% extends "default:order.html" %}{% block title %}{{ "x" | nosuchfilter }}{% endblock %}'})
    settings.themes_dir = themes_dir
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:  # the lifespan warms up: must not raise
        factory = Factory(app.state.portal)
        factory.app_router = app
        calm = factory.merchant("calm")
        odd = factory.merchant("oddshop", theme="odd")
        fine = client.get(factory.link(calm, factory.order(calm)))
        broken = client.get(factory.link(odd, factory.order(odd)))
    assert fine.status_code == 200 and "#1001" in text_of(html(fine).find("main"))  # other shops' pages work
    # The odd shop's shopper gets the themed error page with a way to look the order up, no traceback.
    page = html(broken)
    assert broken.status_code == 500 and text_of(page.select_one(".error-page h1")) == "Something went wrong"
    assert page.select_one(".error-page a.button")["href"] == "/oddshop/track"
    assert "odd: template order.html does not compile" in caplog.text  # what the operator's log says
