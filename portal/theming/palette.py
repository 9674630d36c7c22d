"""Palettes (light and dark) and the contrast rules a merchant's colours must keep.

A theme's palette lives in theme.toml, not in its CSS, so the portal knows every colour a page
uses and can check (and fix) contrast before anything is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal import i18n
from portal.i18n import gettext
from portal.theming import contrast, words
from portal.theming.schema import SettingsError, SettingSpec, ThemeError

SCHEMES = ("light", "dark")
# Colours used for text on the page and card backgrounds: each must read on both.
FOREGROUND = ("text", "muted", "accent", "good", "info", "warn", "bad")
BACKGROUND = ("bg", "surface")
# The same values as static/portal.css, so an unthemed page and a theme without a palette agree.
BASE_PALETTE: dict[str, dict[str, str]] = {
    "light": {
        "bg": "#f6f7f9", "surface": "#ffffff", "text": "#1d2330", "muted": "#555e6e", "border": "#d9dde4",
        "accent": "#2454c5", "good": "#1d6b3a", "info": "#1f4f99", "warn": "#8a5300", "bad": "#a4262c",
    },
    "dark": {
        "bg": "#12151b", "surface": "#1b2029", "text": "#e8ebf0", "muted": "#aab2c0", "border": "#333a47",
        "accent": "#8fb0ff", "good": "#6fd394", "info": "#8fb0ff", "warn": "#f0b35a", "bad": "#ff8a8f",
    },
}


def parse_palette(raw: Any, inherited: Mapping[str, Mapping[str, str]] = BASE_PALETTE) -> dict[str, dict[str, str]]:
    if not isinstance(raw, Mapping):
        raise ThemeError("[palette] must hold [palette.light] and [palette.dark] tables of colours")
    palette = {scheme: dict(inherited[scheme]) for scheme in SCHEMES}
    for scheme, colours in raw.items():
        if scheme not in SCHEMES or not isinstance(colours, Mapping):
            raise ThemeError(f"[palette.{scheme}]: only [palette.light] and [palette.dark] are allowed")
        for key, value in colours.items():
            colour = contrast.normalise_hex(str(value))
            if colour is None or not key.replace("_", "").isalnum():
                raise ThemeError(f"[palette.{scheme}] {key} = {value!r}: use a hex colour such as #2454c5")
            palette[scheme][key] = colour
    return palette


def problems(palette: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Text colours of a theme's own palette that fail WCAG AA (for `portal theme check`)."""
    found = []
    for scheme in SCHEMES:
        colours = palette[scheme]
        for fg in FOREGROUND:
            for bg in BACKGROUND:
                r = contrast.ratio(colours[fg], colours[bg])
                if r < contrast.AA_TEXT:
                    found.append(f"[palette.{scheme}] {fg} {colours[fg]} on {bg} {colours[bg]}: "
                                 f"contrast {r:.2f}:1, WCAG AA needs {contrast.AA_TEXT}:1")
    return found


def _role(key: str) -> str:
    return "foreground" if key in FOREGROUND else "background" if key in BACKGROUND else "fill"


def enforce_contrast(palette: Mapping[str, Mapping[str, str]], schema: Mapping[str, SettingSpec],
                     values: Mapping[str, Any], fix: bool) -> tuple[dict[str, Any], list[str]]:
    """Check the merchant's colours against the light palette.

    With `fix`, a colour that fails is replaced by the nearest one that passes and a notice says so;
    without, the colours are refused with the ratio and that suggestion. Fill colours (hero, header
    bands) never fail: the text on them is picked for contrast.
    """
    values = dict(values)
    light = dict(palette["light"])
    colour_specs = [s for s in schema.values() if s.type == "colour" and s.name in values]
    notices: list[str] = []
    errors: list[str] = []
    # Backgrounds first: foreground colours are then judged against the backgrounds that will be used.
    ordered = sorted(colour_specs, key=lambda s: _role(s.palette or "") != "background")
    for spec in ordered:
        key, colour = spec.palette or "", values[spec.name]
        role = _role(key)
        if role == "fill":
            light[key] = colour
            continue
        # The console shows notices and errors in the merchant's language (the CLI in English).
        if role == "background":
            against = [light[fg] for fg in FOREGROUND]
            # Translators: fills %(against)s of the contrast notice and error below.
            what = gettext("the text colours of this theme")
            towards: tuple[str, ...] = (contrast.WHITE, "#000000")
        else:
            against = [light[bg] for bg in BACKGROUND]
            # Translators: fills %(against)s of the contrast notice and error below; %(page)s and %(card)s are colours.
            what = (gettext("the page background %(page)s and the card background %(card)s")
                    % {"page": light["bg"], "card": light["surface"]})
            towards = ("#000000", contrast.WHITE)
        if contrast.readable(colour, against):
            light[key] = colour
            continue
        worst = min(contrast.ratio(colour, other) for other in against)
        better = contrast.nearest_readable(colour, against, towards=towards)
        params = {"setting": words.translate(spec.label), "name": spec.name, "colour": colour, "better": better,
                  "ratio": i18n.number(worst, "0.00"), "against": what, "needed": i18n.number(contrast.AA_TEXT)}
        if fix and better is not None:
            # Translators: %(setting)s is a theme setting's label, %(name)s its key; %(ratio)s and %(needed)s are
            # contrast ratios ("4.5" in "4.5:1").
            notices.append(gettext("%(setting)s (%(name)s): %(colour)s was changed to %(better)s so text stays "
                                   "readable (contrast was %(ratio)s:1 against %(against)s; WCAG AA needs "
                                   "%(needed)s:1)") % params)
            values[spec.name] = light[key] = better
            continue
        if better:
            error = gettext("%(colour)s has contrast %(ratio)s:1 against %(against)s, WCAG AA needs %(needed)s:1; "
                            "the nearest colour that passes is %(better)s") % params
        else:
            error = (gettext("%(colour)s has contrast %(ratio)s:1 against %(against)s, WCAG AA needs %(needed)s:1")
                     % params)
        errors.append(f"{spec.name}: {error}")
    if errors:
        raise SettingsError(errors)
    return values, notices


def schemes(palette: Mapping[str, Mapping[str, str]], schema: Mapping[str, SettingSpec],
            values: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The light and dark colours a page uses, with the merchant's colours (and a dark variant of each)."""
    light, dark = dict(palette["light"]), dict(palette["dark"])
    for spec in schema.values():
        if spec.type != "colour" or not spec.palette or spec.palette not in light:
            continue
        key, colour = spec.palette, values.get(spec.name, spec.default)
        if colour == spec.default:
            continue  # the theme's own light and dark colours, designed as a pair
        light[key] = colour
        role = _role(key)
        if role == "fill":
            dark[key] = colour
        elif role == "foreground":
            # The merchant picked a colour for a light page; on a dark one the same hue, lightened
            # just enough to read, keeps the brand and the contrast.
            backgrounds = [dark[bg] for bg in BACKGROUND]
            dark[key] = contrast.nearest_readable(colour, backgrounds, towards=(contrast.WHITE,)) or dark[key]
        # A merchant's light background has no place on a dark page: the theme's dark one stays.
    for colours in (light, dark):
        for key in [k for k in colours if _role(k) == "fill" and k != "border"] + ["accent"]:
            colours[f"{key}-text"] = contrast.text_on(colours[key])
    return {"light": light, "dark": dark}
