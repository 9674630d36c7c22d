"""The one stylesheet a page links: static/portal.css, the theme's own stylesheets (parent first),
then what is generated for the merchant: palette (light, dark), settings, filtered custom CSS.

One file, so a first view costs one request for all its styles; it is served from its own URL
with a content hash (CSP allows no inline style), and the generated part comes last, so its custom
properties win.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portal.theming.custom_css import served_css
from portal.theming.palette import schemes
from portal.theming.schema import CUSTOM_CSS, FONT_STACKS, SettingSpec, resolve

SCHEME_SETTING = "colour_scheme"  # a choice: auto (follow the device), light or dark


@dataclass(frozen=True)
class Stylesheet:
    css: str

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.css.encode()).hexdigest()[:16]


def _block(selector: str, colours: Mapping[str, str]) -> str:
    lines = "".join(f"  --color-{key}: {value};\n" for key, value in sorted(colours.items()))
    return f"{selector} {{\n{lines}}}\n"


def _setting_properties(schema: Mapping[str, SettingSpec], values: Mapping[str, Any],
                        image_url: Callable[[str], str]) -> dict[str, str]:
    props: dict[str, str] = {}
    for spec in schema.values():
        if not spec.css:
            continue
        value = values.get(spec.name, spec.default)
        if spec.type == "font":
            props[spec.css] = FONT_STACKS[value][1]
        elif spec.type == "choice" and spec.choices.get(value):
            props[spec.css] = spec.choices[value]
        elif spec.type == "image":
            props[spec.css] = f'url("{image_url(value)}")' if value else "none"
    return props


def build(palette: Mapping[str, Mapping[str, str]], schema: Mapping[str, SettingSpec],
          stored: Mapping[str, Any], image_url: Callable[[str], str], base: str = "") -> Stylesheet:
    """`base`: the files the generated rules follow (static/portal.css and the theme's stylesheets)."""
    values = resolve(schema, stored)
    colours = schemes(palette, schema, values)
    props = _setting_properties(schema, values, image_url)
    parts = [
        base,
        "/* Generated from the theme's palette and the merchant's settings. */\n",
        _block(":root", colours["light"]),
        "@media (prefers-color-scheme: dark) {\n" + _block(":root:not(.scheme-light)", colours["dark"]) + "}\n",
        _block(":root.scheme-dark", colours["dark"]),
        # Paper is white whatever the screen: print with the light colours (specificity beats both above).
        "@media print {\n" + _block(":root:root:root", colours["light"]) + "}\n",
    ]
    if props:
        parts.append(":root {\n" + "".join(f"  {k}: {v};\n" for k, v in sorted(props.items())) + "}\n")
    custom = served_css(str(stored.get(CUSTOM_CSS) or ""))
    if custom:
        # Appended last so it can override.
        parts.append("/* The merchant's custom CSS. */\n" + custom + "\n")
    return Stylesheet("".join(parts))


_CACHE: dict[tuple[int, str, str], tuple[Any, Stylesheet]] = {}
_CACHE_SIZE = 512


def cached(theme: Any, stored: Mapping[str, Any], image_prefix: str, base: str = "") -> Stylesheet:
    """build() for a Theme, memoised: pages link the stylesheet by digest on every request. `base` is
    the theme's (ThemeRegistry.stylesheet_base), so the theme alone keys it."""
    key = (id(theme), json.dumps(dict(stored), sort_keys=True, default=str), image_prefix)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is theme:  # the theme is kept in the entry, so its id is not reused
        return hit[1]
    sheet = build(theme.palette, theme.settings_schema, stored, lambda ref: image_prefix + ref, base)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (theme, sheet)
    return sheet
