"""A theme's settings schema (from theme.toml) and the validation of a merchant's values against it.

Types: colour, font, image, choice, toggle, text. Every setting has a default, so a merchant who
sets nothing still gets a complete, readable page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.i18n import gettext, ngettext
from portal.i18n.labels import N_
from portal.theming.contrast import normalise_hex

SETTING_TYPES = ("colour", "font", "image", "choice", "toggle", "text")
TYPE_ALIASES = {"color": "colour", "bool": "toggle", "boolean": "toggle", "string": "text"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Values a theme author may write into CSS through a choice: no braces, semicolons or markup.
SAFE_CSS_VALUE_RE = re.compile(r"^[-a-zA-Z0-9 .,%#()'\"/]*$")
IMAGE_REF_RE = re.compile(r"^[0-9a-f]{64}\.(?:png|webp)$")
TEXT_MAX = 200
# Setting every theme has without declaring it: the merchant's own (filtered) stylesheet.
CUSTOM_CSS = "custom_css"

# System font stacks only: nothing is fetched from a font service (CSP font-src 'self', privacy),
# and each stack ends in a generic family, so every script (Devanagari, Arabic, …) still renders.
# Names shown in the console's font menus (translated there), and the CSS stacks they stand for.
FONT_STACKS: dict[str, tuple[str, str]] = {
    "system": (N_("System UI"), 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif'),
    "humanist": (N_("Humanist sans"), 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", "Noto Sans", sans-serif'),
    "geometric": (N_("Geometric sans"), 'Avenir, Montserrat, Corbel, "URW Gothic", "Noto Sans", sans-serif'),
    "grotesque": (N_("Grotesque sans"), 'Inter, Roboto, "Helvetica Neue", "Arial Nova", "Nimbus Sans", Arial, "Noto Sans", sans-serif'),
    "rounded": (N_("Rounded sans"), 'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, "Arial Rounded MT", Calibri, "Noto Sans", sans-serif'),
    "industrial": (N_("Condensed industrial"), 'Bahnschrift, "DIN Alternate", "Franklin Gothic Medium", "Nimbus Sans Narrow", "Noto Sans", sans-serif'),
    "transitional": (N_("Transitional serif"), 'Charter, "Bitstream Charter", "Sitka Text", Cambria, "Noto Serif", serif'),
    "old_style": (N_("Old-style serif"), '"Iowan Old Style", "Palatino Linotype", "URW Palladio L", P052, "Noto Serif", serif'),
    "didone": (N_("Didone serif"), 'Didot, "Bodoni MT", "Noto Serif Display", "URW Palladio L", P052, Sylfaen, serif'),
    "monospace": (N_("Monospace"), 'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, "DejaVu Sans Mono", monospace'),
}


class ThemeError(ValueError):
    """A theme that cannot be used, with the reason."""


class SettingsError(ValueError):
    """Values refused by a theme's schema; `errors` name each field and what it allows."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class SettingSpec:
    name: str
    type: str
    label: str
    default: Any
    help: str = ""
    css: str | None = None  # the custom property a font or choice sets
    palette: str | None = None  # the palette colour a colour setting replaces
    choices: dict[str, str] = field(default_factory=dict)  # value -> CSS value ("" when none)
    max_length: int = 80

    def allowed(self) -> str:
        """What this setting accepts, in words, for error messages (fills %(allowed)s below)."""
        if self.type == "colour":
            return gettext("a hex colour such as #2454c5")
        if self.type in ("font", "choice"):
            values = ", ".join(FONT_STACKS if self.type == "font" else self.choices)
            # Translators: %(values)s lists the values to type, as written ("square, soft, round").
            return gettext("one of %(values)s") % {"values": values}
        if self.type == "toggle":
            # Translators: "on" and "off" are the values to type; keep them as written.
            return gettext("on or off")
        if self.type == "image":
            return gettext("a PNG, JPEG, GIF or WebP image")
        return (ngettext("text of at most %(max)s character", "text of at most %(max)s characters", self.max_length)
                % {"max": self.max_length})


def _spec(name: str, raw: Any, light: Mapping[str, str]) -> SettingSpec:
    where = f"setting {name!r}"
    if not NAME_RE.match(name) or name == CUSTOM_CSS:
        raise ThemeError(f"{where}: names use lower-case letters, digits and _ (and {CUSTOM_CSS!r} is built in)")
    if not isinstance(raw, Mapping):
        raise ThemeError(f"{where}: must be a table with at least `type`")
    kind = TYPE_ALIASES.get(str(raw.get("type", "")), str(raw.get("type", "")))
    if kind not in SETTING_TYPES:
        raise ThemeError(f"{where}: type must be one of {', '.join(SETTING_TYPES)}")
    choices: dict[str, str] = {}
    raw_choices = raw.get("choices", {})
    if kind == "choice":
        if isinstance(raw_choices, list):
            raw_choices = {str(value): "" for value in raw_choices}
        if not isinstance(raw_choices, Mapping) or not raw_choices:
            raise ThemeError(f"{where}: a choice needs `choices` (a list, or a table of value = CSS value)")
        choices = {str(k): str(v) for k, v in raw_choices.items()}
        for value, css_value in choices.items():
            if not NAME_RE.match(value) or not SAFE_CSS_VALUE_RE.match(css_value):
                raise ThemeError(f"{where}: choice {value!r} = {css_value!r} is not a plain name and CSS value")
    css = raw.get("css")
    if css is not None and not re.match(r"^--[a-z][a-z0-9-]*$", str(css)):
        raise ThemeError(f"{where}: css must name a custom property such as --radius")
    palette = raw.get("palette")
    if kind == "colour" and palette not in light:
        raise ThemeError(f"{where}: a colour needs `palette`, the palette colour it replaces "
                         f"(one of {', '.join(light)})")
    spec = SettingSpec(
        name=name, type=kind, label=str(raw.get("label", name.replace("_", " ").capitalize())),
        default=None, help=str(raw.get("help", "")), css=css, palette=palette, choices=choices,
        max_length=min(int(raw.get("max_length", 80)), TEXT_MAX),
    )
    default = raw.get("default", light.get(palette or "") if kind == "colour" else _implicit_default(spec))
    try:
        default = clean_value(spec, default)
    except ValueError as exc:
        raise ThemeError(f"{where}: default {default!r} is not allowed ({exc})") from None
    return SettingSpec(**{**spec.__dict__, "default": default})


def _implicit_default(spec: SettingSpec) -> Any:
    return {"font": "system", "image": "", "toggle": False, "text": "",
            "choice": next(iter(spec.choices), "")}.get(spec.type)


def parse_schema(raw: Any, light: Mapping[str, str]) -> dict[str, SettingSpec]:
    """Settings from theme.toml; `light` is the theme's light palette (colour defaults come from it)."""
    if not isinstance(raw, Mapping):
        raise ThemeError("[settings] must be a table of settings")
    return {name: _spec(name, value, light) for name, value in raw.items()}


def _refused(message: str, spec: SettingSpec, value: Any) -> ValueError:
    # %(value)s is the value as typed, quoted ('comic'); %(allowed)s is SettingSpec.allowed().
    return ValueError(gettext(message) % {"value": repr(value), "allowed": spec.allowed()})


def clean_value(spec: SettingSpec, value: Any) -> Any:
    """The stored form of one value, or ValueError saying what is allowed (in the active language:
    the console user's in a request, English for a theme's defaults and the CLI)."""
    if spec.type == "toggle":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("on", "true", "yes", "1"):
            return True
        if text in ("off", "false", "no", "0", ""):
            return False
        raise _refused(N_("%(value)s is not allowed; use %(allowed)s"), spec, value)
    if value is None:
        raise _refused(N_("a value is required; use %(allowed)s"), spec, value)
    text = str(value).strip()
    if spec.type == "colour":
        colour = normalise_hex(text)
        if colour is None:
            raise _refused(N_("%(value)s is not a colour; use %(allowed)s"), spec, text)
        return colour
    if spec.type == "font":
        if text not in FONT_STACKS:
            raise _refused(N_("%(value)s is not an available font; use %(allowed)s"), spec, text)
        return text
    if spec.type == "choice":
        if text not in spec.choices:
            raise _refused(N_("%(value)s is not allowed; use %(allowed)s"), spec, text)
        return text
    if spec.type == "image":
        if text and not IMAGE_REF_RE.match(text):
            raise ValueError(gettext("upload an image (PNG, JPEG, GIF or WebP)"))
        return text
    if len(text) > spec.max_length:
        raise ValueError(ngettext("%(count)s character is too long; use %(allowed)s",
                                  "%(count)s characters is too long; use %(allowed)s", len(text))
                         % {"count": len(text), "allowed": spec.allowed()})
    if any(ord(ch) < 32 for ch in text):
        raise ValueError(gettext("line breaks and control characters are not allowed"))
    return text


def validate(schema: Mapping[str, SettingSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    """Clean every value or raise SettingsError naming each bad one; nothing half-applied."""
    cleaned: dict[str, Any] = {}
    errors: list[str] = []
    for name, value in values.items():
        spec = schema.get(name)
        if spec is None:
            known = ", ".join(sorted([*schema, CUSTOM_CSS]))
            problem = gettext("this theme has no such setting (it has: %(settings)s)") % {"settings": known}
            errors.append(f"{name}: {problem}")
            continue
        try:
            cleaned[name] = clean_value(spec, value)
        except ValueError as exc:
            errors.append(f"{spec.name}: {exc}")
    if errors:
        raise SettingsError(errors)
    return cleaned


def resolve(schema: Mapping[str, SettingSpec], stored: Mapping[str, Any]) -> dict[str, Any]:
    """What the page uses: stored values where still valid for this theme, defaults elsewhere.

    Stored values outlive a theme switch (a merchant who switches back keeps them), so a value
    the current schema no longer accepts falls back to the default instead of breaking the page.
    """
    values: dict[str, Any] = {}
    for name, spec in schema.items():
        try:
            values[name] = clean_value(spec, stored[name]) if name in stored else spec.default
        except ValueError:
            values[name] = spec.default
    return values
