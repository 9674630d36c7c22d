"""`portal theme check PATH`: everything that would stop a theme from being served, in one list."""

from __future__ import annotations

import re
from pathlib import Path

import tinycss2

from portal.theming.palette import problems as palette_problems
from portal.theming.schema import ThemeError
from portal.theming.themes import BASE_TEMPLATES, Theme, ThemeRegistry, load_theme, read_manifest

# Templates under this folder are a theme's own partials, included by its overrides; every other
# template must replace one the portal has, or it would silently never be used.
OWN_TEMPLATES_DIR = "theme/"
# url(...) naming neither an absolute path, a scheme nor a fragment.
RELATIVE_URL = re.compile(r"""url\(\s*['"]?(?![a-z][a-z0-9+.-]*:|/|#)([^'")\s]+)""", re.IGNORECASE)


def check_theme(path: Path, installed: ThemeRegistry) -> tuple[Theme | None, list[str]]:
    """The loaded theme (None if it cannot load) and every problem found."""
    path = Path(path)
    if not path.is_dir():
        return None, [f"{path}: not a folder"]
    try:
        parent_name = read_manifest(path).get("parent") or None
        parent = installed.get(parent_name) if parent_name else None
        if parent_name and parent is None:
            return None, [f"{path / 'theme.toml'}: parent theme {parent_name!r} is not installed "
                          f"(installed: {', '.join(installed.names())})"]
        theme = load_theme(path, parent)
    except ThemeError as exc:
        return None, [str(exc)]
    found: list[str] = []
    known = _base_templates() | {name for t in installed.chain(parent_name) if parent_name for name in t.template_names()}
    for name in theme.template_names():
        if not name.startswith(OWN_TEMPLATES_DIR) and name not in known:
            found.append(f"templates/{name}: overrides no template of the portal (its own partials go under "
                         f"templates/{OWN_TEMPLATES_DIR})")
    found.extend(palette_problems(theme.palette))
    for spec in theme.settings_schema.values():
        if spec.type == "colour" and spec.default != theme.palette["light"][spec.palette or ""]:
            found.append(f"setting {spec.name!r}: default {spec.default} differs from [palette.light] "
                         f"{spec.palette} = {theme.palette['light'][spec.palette or '']}; leave `default` out")
    for sheet in theme.stylesheets:
        text = (theme.static_dir / sheet).read_text(encoding="utf-8")
        for node in tinycss2.parse_stylesheet(text):
            if node.type == "error":
                found.append(f"static/{sheet}, line {node.source_line}: {node.message}")
        for match in RELATIVE_URL.finditer(text):
            # Pages get the theme's stylesheets inside the shop's one stylesheet, served from another path.
            found.append(f"static/{sheet}, line {text.count(chr(10), 0, match.start()) + 1}: url({match[1]}) is "
                         f"relative; write /theme-assets/static/{theme.name}/{match[1]}")
    return theme, found


def _base_templates() -> set[str]:
    return {p.relative_to(BASE_TEMPLATES).as_posix() for p in BASE_TEMPLATES.rglob("*.html")}
