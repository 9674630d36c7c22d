"""Theme discovery and one cached Jinja environment per theme.

Loader chain for a theme: its own `templates/` -> its parent's -> `portal/templates`, plus the
`default:` prefix so a theme can `{% extends "default:order.html" %}` and replace one block.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from portal import i18n

BASE_TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_THEME = "classic"


class ThemeError(ValueError):
    """A theme that cannot be used, with the reason."""


@dataclass(frozen=True)
class Theme:
    name: str
    path: Path
    label: str
    description: str = ""
    parent: str | None = None
    version: str = "1"
    settings_schema: dict[str, Any] = field(default_factory=dict)

    @property
    def templates_dir(self) -> Path:
        return self.path / "templates"

    @property
    def static_dir(self) -> Path:
        return self.path / "static"


def load_theme(path: Path) -> Theme:
    manifest = path / "theme.toml"
    if not manifest.is_file():
        raise ThemeError(f"{path.name}: missing theme.toml")
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ThemeError(f"{manifest}: not valid TOML ({exc})") from None
    name = data.get("name", path.name)
    if name != path.name:
        raise ThemeError(f"{manifest}: name {name!r} must match its folder {path.name!r}")
    return Theme(
        name=name,
        path=path,
        label=str(data.get("label", name.title())),
        description=str(data.get("description", "")),
        parent=data.get("parent") or None,
        version=str(data.get("version", "1")),
        settings_schema=dict(data.get("settings", {})),
    )


class ThemeRegistry:
    """Themes found under `themes/`, and their Jinja environments (built once, then reused)."""

    def __init__(self, themes_dir: Path, globals_: dict[str, Any] | None = None) -> None:
        self.themes_dir = Path(themes_dir)
        self.globals = globals_ or {}
        self._themes: dict[str, Theme] = {}
        self._environments: dict[str, Environment] = {}
        self.reload()

    def reload(self) -> None:
        self._themes = {}
        self._environments = {}
        if self.themes_dir.is_dir():
            for entry in sorted(self.themes_dir.iterdir()):
                if entry.is_dir() and (entry / "theme.toml").exists():
                    try:
                        theme = load_theme(entry)
                    except ThemeError:
                        continue  # `portal theme check` reports it; a broken theme is never served
                    self._themes[theme.name] = theme

    def names(self) -> list[str]:
        return sorted(self._themes)

    def get(self, name: str | None) -> Theme | None:
        return self._themes.get(name or "")

    def chain(self, name: str | None) -> list[Theme]:
        chain: list[Theme] = []
        theme = self.get(name) or self.get(DEFAULT_THEME)
        while theme is not None and theme not in chain:
            chain.append(theme)
            theme = self.get(theme.parent)
        return chain

    def environment(self, name: str | None) -> Environment:
        key = name if self.get(name) else DEFAULT_THEME
        env = self._environments.get(key)
        if env is None:
            env = self._environments[key] = self._build(key)
        return env

    def _build(self, name: str) -> Environment:
        loaders = [FileSystemLoader(str(t.templates_dir)) for t in self.chain(name) if t.templates_dir.is_dir()]
        loaders.append(FileSystemLoader(str(BASE_TEMPLATES)))
        loaders.append(PrefixLoader({"default": FileSystemLoader(str(BASE_TEMPLATES))}, delimiter=":"))
        env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(["html", "xml"], default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            auto_reload=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_callables(  # type: ignore[attr-defined]
            i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
        )
        env.filters.update(
            money=i18n.money,
            date=i18n.date_,
            datetime=i18n.datetime_,
            relative=i18n.relative,
        )
        env.globals.update(self.globals)
        env.globals["theme_name"] = name
        return env
