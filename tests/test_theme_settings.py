"""Theme settings: typed validation, WCAG contrast refusal and correction, the generated stylesheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.theming import contrast, service
from portal.theming.schema import SettingsError
from portal.theming.stylesheet import build
from portal.theming.themes import ThemeRegistry

THEMES = Path(__file__).resolve().parent.parent / "themes"


@pytest.fixture(scope="module")
def registry() -> ThemeRegistry:
    return ThemeRegistry(THEMES)


def check(registry, theme, changes, fix=False, base=None):
    return service.check(registry, theme, changes, base or {}, fix_contrast=fix)


def test_good_values_are_cleaned(registry):
    values, notices = check(registry, "classic", {
        "accent_colour": "#25A", "font": "humanist", "corners": "round", "show_item_images": "off",
        "colour_scheme": "dark", "custom_css": ".brand { letter-spacing: .1em }",
    })
    assert values["accent_colour"] == "#2255aa"
    assert values["show_item_images"] is False
    assert values["custom_css"] == ".brand { letter-spacing: .1em }"
    assert notices == []


@pytest.mark.parametrize("changes, message", [
    ({"accent_colour": "blue"}, "accent_colour: 'blue' is not a colour; use a hex colour such as #2454c5"),
    ({"font": "Comic Sans"}, "font: 'Comic Sans' is not an available font; use one of system,"),
    ({"corners": "wobbly"}, "corners: 'wobbly' is not allowed; use one of square, soft, round"),
    ({"show_item_images": "maybe"}, "show_item_images: 'maybe' is not allowed; use on or off"),
    ({"logo": "../../etc/passwd"}, "logo: upload an image"),
    ({"sparkle": "1"}, "sparkle: this theme has no such setting"),
    ({"custom_css": "@import url(https://evil.example/x.css);"}, "custom_css: line 1: @import is not allowed"),
])
def test_bad_values_name_the_field_and_what_is_allowed(registry, changes, message):
    with pytest.raises(SettingsError) as caught:
        check(registry, "classic", changes)
    assert message in str(caught.value)


def test_text_is_capped_and_single_line(registry):
    with pytest.raises(SettingsError, match="tagline: 81 characters is too long"):
        check(registry, "bold", {"tagline": "x" * 81})
    with pytest.raises(SettingsError, match="line breaks"):
        check(registry, "bold", {"tagline": "one\ntwo"})


def test_every_error_is_reported_at_once(registry):
    with pytest.raises(SettingsError) as caught:
        check(registry, "classic", {"accent_colour": "nope", "font": "nope", "custom_css": "a{} </style>"})
    assert {error.split(":")[0] for error in caught.value.errors} == {"accent_colour", "font", "custom_css"}


def test_unknown_theme(registry):
    with pytest.raises(SettingsError, match="'neon' is not an installed theme; installed: bold, classic, minimal"):
        check(registry, "neon", {})


def test_unreadable_colour_is_refused_with_ratio_and_suggestion(registry):
    with pytest.raises(SettingsError) as caught:
        check(registry, "classic", {"accent_colour": "#ffdd00"})
    message = str(caught.value)
    assert "accent_colour: #ffdd00 has contrast 1." in message
    assert "WCAG AA needs 4.5:1" in message
    suggestion = message.rsplit(" ", 1)[-1]
    assert contrast.ratio(suggestion, "#ffffff") >= 4.5


def test_unreadable_colour_is_corrected_on_request(registry):
    values, notices = check(registry, "classic", {"accent_colour": "#ffdd00"}, fix=True)
    fixed = values["accent_colour"]
    assert fixed != "#ffdd00"
    assert contrast.ratio(fixed, "#ffffff") >= 4.5 and contrast.ratio(fixed, "#f6f7f9") >= 4.5
    assert "Accent colour (accent_colour): #ffdd00 was changed to " + fixed in notices[0]


def test_background_colour_keeps_every_text_colour_readable(registry):
    values, notices = check(registry, "classic", {"background_colour": "#333333"}, fix=True)
    light = registry.get("classic").palette["light"]
    bg = values["background_colour"]
    assert all(contrast.ratio(light[k], bg) >= 4.5 for k in ("text", "muted", "accent", "good", "bad"))
    assert notices


def test_fill_colours_pick_readable_text(registry):
    values, notices = check(registry, "bold", {"hero_colour": "#ffee00"})
    assert notices == []
    css = build(registry.get("bold").palette, registry.get("bold").settings_schema, values, str).css
    assert "--color-hero: #ffee00;" in css and "--color-hero-text: #111111;" in css


def test_stylesheet_has_light_dark_print_and_settings(registry):
    theme = registry.get("classic")
    css = build(theme.palette, theme.settings_schema,
                {"accent_colour": "#1a4fa0", "font": "old_style", "corners": "square", "custom_css": ".x{color:red}"},
                str).css
    light, dark = css.split("@media (prefers-color-scheme: dark)")[0], css.split(":root.scheme-dark")[1]
    assert "--color-accent: #1a4fa0;" in light
    # The dark variant is the merchant's hue, lightened until it reads on the dark surfaces.
    dark_accent = dark.split("--color-accent: ")[1][:7]
    assert dark_accent != "#1a4fa0"
    assert contrast.ratio(dark_accent, theme.palette["dark"]["surface"]) >= 4.5
    assert "@media print" in css
    assert '--font-body: "Iowan Old Style"' in css
    assert "--radius: 2px;" in css
    assert css.rstrip().endswith(".x{color:red}")


def test_stored_values_that_no_longer_fit_fall_back_to_defaults(registry):
    theme = registry.get("minimal")
    css = build(theme.palette, theme.settings_schema, {"width": "gigantic", "font": 12}, str).css
    assert "--max-width: 38rem;" in css
