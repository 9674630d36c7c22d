"""What a template needs to know about the merchant's theme: stylesheets, images, options, scheme."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portal.theming import stylesheet
from portal.theming.schema import resolve
from portal.theming.themes import Theme, ThemeRegistry

PathFor = Callable[..., str]


@dataclass(frozen=True)
class ThemeView:
    name: str
    values: dict[str, Any]
    stylesheets: list[str]
    scheme: str = "auto"
    images: dict[str, str] = field(default_factory=dict)
    classes: str = ""
    # The logo, else the theme's own icon (`static/favicon.svg` in it or a parent, inline), else None.
    favicon: str | None = None

    def image(self, name: str) -> str | None:
        """URL of an image setting (e.g. "logo"), or None when the merchant has none."""
        return self.images.get(name)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def _classes(theme: Theme, values: dict[str, Any]) -> str:
    # Choices, toggles and whether an image is set become classes, so a theme's CSS can vary layout without templates.
    classes = []
    for spec in theme.settings_schema.values():
        css_name = spec.name.replace("_", "-")
        if spec.type == "choice":
            classes.append(f"opt-{css_name}-{values[spec.name]}")
        elif spec.type in ("toggle", "image") and values[spec.name]:
            classes.append(f"opt-{css_name}")
    return " ".join(classes)


def theme_favicon(theme: Theme, themes: ThemeRegistry) -> str | None:
    return next((member.favicon for member in themes.chain(theme.name) if member.favicon), None)


def image_prefix(path_for: PathFor, shop: str) -> str:
    return path_for("theme_image", shop=shop, ref="x")[:-1]


def build_view(themes: ThemeRegistry, path_for: PathFor, theme_name: str | None, stored: dict[str, Any],
               shop: str | None, css_route: tuple[str, dict[str, str]] | None) -> ThemeView:
    """`css_route` names the route serving the generated stylesheet (live, draft preview, defaults)."""
    theme = themes.resolve(theme_name)
    stored = stored if theme.name == theme_name else {}
    values = resolve(theme.settings_schema, stored)
    prefix = image_prefix(path_for, shop) if shop else ""
    sheet = stylesheet.cached(theme, stored if shop else {}, prefix, themes.stylesheet_base(theme))
    route, params = css_route or ("theme_palette_css", {"theme": theme.name})
    images = {name: prefix + value for name, value in values.items()
              if shop and theme.settings_schema[name].type == "image" and value}
    return ThemeView(
        name=theme.name,
        values=values,
        stylesheets=[path_for(route, **params) + f"?v={sheet.digest}"],
        scheme=str(values.get(stylesheet.SCHEME_SETTING, "auto")),
        images=images,
        classes=_classes(theme, values),
        favicon=images.get("logo") or theme_favicon(theme, themes),
    )
