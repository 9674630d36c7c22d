"""Theme discovery and one cached Jinja environment per theme.

A theme is a folder `themes/<name>/` with `theme.toml` (name, label, description, parent, version,
palette, settings schema), `templates/` (only the templates it overrides) and `static/` (its
stylesheet, built on the custom properties of static/portal.css). Loader chain for a theme: its own
`templates/` -> its parent's -> `portal/templates`, plus the `default:` prefix so a theme can
`{% extends "default:order.html" %}` and replace one block.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from typing import Any

from jinja2 import (BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, TemplateSyntaxError,
                    select_autoescape)
from jinja2.bccache import Bucket

from portal import i18n
from portal.theming.palette import BASE_PALETTE, parse_palette
from portal.theming.schema import SettingSpec, ThemeError, parse_schema

__all__ = ["BASE_TEMPLATES", "DEFAULT_THEME", "Theme", "ThemeError", "ThemeRegistry", "content_hashes", "load_theme",
           "read_manifest"]

BASE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_THEME = "classic"
MANIFEST_KEYS = {"name", "label", "description", "parent", "version", "stylesheets", "palette", "settings"}


class CompiledTemplates(BytecodeCache):
    """Compiled templates, shared by every theme environment of this process: a template file is
    compiled once, not once per theme and per app. Sound because every environment that
    `ThemeRegistry` builds has the same options; Jinja keys an entry by template name and file, and
    compiles again when the file's contents no longer match."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


@dataclass(frozen=True)
class Theme:
    name: str
    path: Path
    label: str
    description: str = ""
    parent: str | None = None
    version: str = "1"
    # Inherited from the parent theme, then overridden by this one's theme.toml.
    palette: dict[str, dict[str, str]] = field(default_factory=lambda: {k: dict(v) for k, v in BASE_PALETTE.items()})
    settings_schema: dict[str, SettingSpec] = field(default_factory=dict)
    stylesheets: tuple[str, ...] = ()
    # Static file path -> short content hash, for cache-busting URLs.
    static_hashes: dict[str, str] = field(default_factory=dict)
    # static/favicon.svg as a data: URL (the page names it inline: no request of its own), or None.
    favicon: str | None = None

    @property
    def templates_dir(self) -> Path:
        return self.path / "templates"

    @property
    def static_dir(self) -> Path:
        return self.path / "static"

    def template_names(self) -> list[str]:
        if not self.templates_dir.is_dir():
            return []
        return sorted(p.relative_to(self.templates_dir).as_posix() for p in self.templates_dir.rglob("*.html"))


def read_manifest(path: Path) -> dict[str, Any]:
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
    unknown = set(data) - MANIFEST_KEYS
    if unknown:
        raise ThemeError(f"{manifest}: unknown keys {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(MANIFEST_KEYS))})")
    return data


def content_hashes(directory: Path) -> dict[str, str]:
    """Every file under `directory` (relative POSIX path) -> a short hash of its content, for URLs that
    name one version (`?v=<hash>`) and may be cached for a year."""
    if not directory.is_dir():
        return {}
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in sorted(directory.rglob("*")) if p.is_file()}


def _data_url(svg: Path) -> str | None:
    if not svg.is_file():
        return None
    return "data:image/svg+xml," + quote(" ".join(svg.read_text(encoding="utf-8").split()), safe=" =:/'")


def load_theme(path: Path, parent: Theme | None = None) -> Theme:
    """Read and validate one theme; `parent` is the already-loaded theme its manifest names."""
    data = read_manifest(path)
    try:
        palette = parse_palette(data.get("palette", {}), parent.palette if parent else BASE_PALETTE)
        schema = {**(parent.settings_schema if parent else {}), **parse_schema(data.get("settings", {}), palette["light"])}
    except ThemeError as exc:
        raise ThemeError(f"{path / 'theme.toml'}: {exc}") from None
    hashes = content_hashes(path / "static")
    stylesheets = data.get("stylesheets", ["theme.css"] if "theme.css" in hashes else [])
    missing = [s for s in stylesheets if s not in hashes]
    if missing:
        raise ThemeError(f"{path / 'theme.toml'}: stylesheets not found in static/: {', '.join(missing)}")
    theme = Theme(
        name=data.get("name", path.name), path=path, label=str(data.get("label", path.name.title())),
        description=str(data.get("description", "")), parent=data.get("parent") or None,
        version=str(data.get("version", "1")), palette=palette, settings_schema=schema,
        stylesheets=tuple(stylesheets), static_hashes=hashes, favicon=_data_url(path / "static" / "favicon.svg"),
    )
    _check_template_syntax(theme)
    return theme


def _check_template_syntax(theme: Theme) -> None:
    env = Environment(extensions=["jinja2.ext.i18n"])
    for name in theme.template_names():
        source = (theme.templates_dir / name).read_text(encoding="utf-8")
        try:
            env.parse(source, name=name)
        except TemplateSyntaxError as exc:
            raise ThemeError(f"{theme.templates_dir / name}, line {exc.lineno}: {exc.message}") from None


class ThemeRegistry:
    """Themes found under `themes/`, and their Jinja environments (built once, then reused)."""

    def __init__(self, themes_dir: Path, globals_: dict[str, Any] | None = None,
                 base_stylesheet: Path | None = None) -> None:
        self.themes_dir = Path(themes_dir)
        self.globals = globals_ or {}
        # static/portal.css: every page's stylesheet starts with it (theming/stylesheet.py).
        self.base_stylesheet = base_stylesheet
        self._stylesheet_bases: dict[str, str] = {}
        self._themes: dict[str, Theme] = {}
        self._environments: dict[str, Environment] = {}
        self.errors: dict[str, str] = {}
        self.reload()

    def reload(self) -> None:
        self._themes, self._environments, self.errors = {}, {}, {}
        self._stylesheet_bases = {}
        manifests: dict[str, Path] = {}
        if self.themes_dir.is_dir():
            manifests = {p.name: p for p in sorted(self.themes_dir.iterdir()) if p.is_dir() and (p / "theme.toml").exists()}
        for name in manifests:
            self._load(name, manifests, ())

    def _load(self, name: str, manifests: dict[str, Path], seen: tuple[str, ...]) -> Theme | None:
        if name in self._themes or name in self.errors:
            return self._themes.get(name)
        try:
            if name in seen:
                raise ThemeError(f"{name}: parent themes form a loop ({' -> '.join([*seen, name])})")
            parent_name = read_manifest(manifests[name]).get("parent") or None
            parent = None
            if parent_name:
                if parent_name not in manifests:
                    raise ThemeError(f"{name}: parent theme {parent_name!r} is not installed")
                parent = self._load(parent_name, manifests, (*seen, name))
                if parent is None:
                    raise ThemeError(f"{name}: parent theme {parent_name!r} is broken")
            self._themes[name] = load_theme(manifests[name], parent)
        except ThemeError as exc:
            # `portal theme list` and `portal theme check` report it; a broken theme is never served.
            self.errors[name] = str(exc)
        return self._themes.get(name)

    def names(self) -> list[str]:
        return sorted(self._themes)

    def get(self, name: str | None) -> Theme | None:
        return self._themes.get(name or "")

    def resolve(self, name: str | None) -> Theme:
        """The theme to render with: the named one, or the default when it is missing or broken."""
        theme = self.get(name) or self.get(DEFAULT_THEME)
        if theme is None:
            raise ThemeError(f"neither {name!r} nor the default theme {DEFAULT_THEME!r} is installed")
        return theme

    def chain(self, name: str | None) -> list[Theme]:
        chain: list[Theme] = []
        theme = self.get(name) or self.get(DEFAULT_THEME)
        while theme is not None and theme not in chain:
            chain.append(theme)
            theme = self.get(theme.parent)
        return chain

    def stylesheet_base(self, theme: Theme) -> str:
        """static/portal.css, then the stylesheets of the theme's chain, parent first: read once."""
        base = self._stylesheet_bases.get(theme.name)
        if base is None:
            files = [self.base_stylesheet] if self.base_stylesheet and self.base_stylesheet.is_file() else []
            files += [member.static_dir / sheet for member in reversed(self.chain(theme.name))
                      for sheet in member.stylesheets]
            base = self._stylesheet_bases[theme.name] = "".join(
                f"/* {path.name} */\n{path.read_text(encoding='utf-8')}\n" for path in files)
        return base

    def shopper_templates(self, name: str | None) -> list[str]:
        """The templates a shopper's pages can render with this theme: all but the console's
        `admin/` and the e-mails' `email/`, and the `default:` alias of each one the theme (or a
        parent) overrides, which its own version extends."""
        overridden = {template for theme in self.chain(name) for template in theme.template_names()}
        return [t for t in self.environment(name).list_templates(extensions=["html"])
                if not t.removeprefix("default:").startswith(("admin/", "email/"))
                and (not t.startswith("default:") or t.removeprefix("default:") in overridden)]

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
            bytecode_cache=COMPILED_TEMPLATES,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        i18n.install(env)
        env.filters.update(
            money=i18n.money,
            date=i18n.date_,
            datetime=i18n.datetime_,
            relative=i18n.relative,
            number=i18n.number,
        )
        env.globals.update(self.globals)
        env.globals["theme_name"] = name
        return env
