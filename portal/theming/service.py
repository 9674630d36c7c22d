"""A merchant's theme: validate values, keep a draft, publish atomically, restore the previous one.

Live settings are the merchant row (`theme`, `theme_settings`); a draft and the previously live
settings are ThemeRevision rows. Publishing and restoring each happen in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from portal.i18n import gettext
from portal.store import queries
from portal.store.models import Merchant, ThemeImage, ThemeRevision, utcnow
from portal.theming.custom_css import CustomCssError, filter_css
from portal.theming.images import ImageError, ProcessedImage, process_image
from portal.theming.palette import enforce_contrast
from portal.theming.schema import CUSTOM_CSS, IMAGE_REF_RE, SettingsError, validate
from portal.theming.themes import ThemeRegistry

DRAFT = "draft"
PREVIOUS = "previous"


@dataclass
class ThemeConfig:
    theme: str
    values: dict[str, Any] = field(default_factory=dict)


def live(merchant: Merchant) -> ThemeConfig:
    return ThemeConfig(merchant.theme, dict(merchant.theme_settings or {}))


def _revision(session: Session, merchant: Merchant, kind: str) -> ThemeRevision | None:
    return queries.theme_revision(session, merchant.id, kind)


def revision(session: Session, merchant: Merchant, kind: str) -> ThemeConfig | None:
    row = _revision(session, merchant, kind)
    return ThemeConfig(row.theme, dict(row.setting_values)) if row else None


def draft_or_live(session: Session, merchant: Merchant) -> ThemeConfig:
    return revision(session, merchant, DRAFT) or live(merchant)


def check(themes: ThemeRegistry, theme_name: str, changes: Mapping[str, Any], base: Mapping[str, Any],
          fix_contrast: bool) -> tuple[dict[str, Any], list[str]]:
    """`base` with `changes` applied, every value checked; SettingsError lists every problem.

    With `fix_contrast`, unreadable colours are corrected and the returned notices say which;
    without it they are refused like any other bad value.
    """
    theme = themes.get(theme_name)
    if theme is None:
        raise SettingsError([f"theme: {not_installed(themes, theme_name)}"])
    errors: list[str] = []
    changes = dict(changes)
    cleaned: dict[str, Any] = {}
    if CUSTOM_CSS in changes:
        try:
            cleaned[CUSTOM_CSS] = filter_css(str(changes.pop(CUSTOM_CSS) or ""))
        except CustomCssError as exc:
            errors.extend(f"{CUSTOM_CSS}: {e}" for e in exc.errors)
    try:
        cleaned.update(validate(theme.settings_schema, changes))
    except SettingsError as exc:
        errors.extend(exc.errors)
    if errors:
        raise SettingsError(errors)
    merged = {**base, **cleaned}
    colours = {k: v for k, v in merged.items()
               if k in theme.settings_schema and theme.settings_schema[k].type == "colour"}
    fixed, notices = enforce_contrast(theme.palette, theme.settings_schema, colours, fix=fix_contrast)
    merged.update(fixed)
    return merged, notices


def not_installed(themes: ThemeRegistry, name: str) -> str:
    """Why `name` cannot be used, in the active language (a broken theme's own problem stays English:
    it is for the theme's author)."""
    params = {"theme": repr(name), "installed": ", ".join(themes.names()), "problem": themes.errors.get(name)}
    if params["problem"]:
        return (gettext("%(theme)s is not an installed theme (it is broken: %(problem)s); installed: %(installed)s")
                % params)
    return gettext("%(theme)s is not an installed theme; installed: %(installed)s") % params


def save_draft(session: Session, merchant: Merchant, config: ThemeConfig) -> None:
    row = _revision(session, merchant, DRAFT) or ThemeRevision(merchant_id=merchant.id, kind=DRAFT, theme=config.theme)
    row.theme, row.setting_values, row.updated_at = config.theme, dict(config.values), utcnow()
    session.add(row)
    session.flush()


def discard_draft(session: Session, merchant: Merchant) -> bool:
    row = _revision(session, merchant, DRAFT)
    if row is not None:
        session.delete(row)
        session.flush()
    return row is not None


def _make_live(session: Session, merchant: Merchant, config: ThemeConfig) -> None:
    """The current live settings become `previous`; `config` goes live (one transaction)."""
    current = live(merchant)
    row = _revision(session, merchant, PREVIOUS) or ThemeRevision(merchant_id=merchant.id, kind=PREVIOUS, theme=current.theme)
    row.theme, row.setting_values, row.updated_at = current.theme, current.values, utcnow()
    session.add(row)
    merchant.theme, merchant.theme_settings = config.theme, dict(config.values)
    merchant.version += 1
    session.add(merchant)
    session.flush()


def publish(session: Session, merchant: Merchant) -> bool:
    draft = _revision(session, merchant, DRAFT)
    if draft is None:
        return False
    _make_live(session, merchant, ThemeConfig(draft.theme, dict(draft.setting_values)))
    session.delete(draft)
    session.flush()
    return True


def restore_previous(session: Session, merchant: Merchant) -> bool:
    """Swap the live and previous settings, so a restore can itself be undone the same way."""
    previous = revision(session, merchant, PREVIOUS)
    if previous is None:
        return False
    _make_live(session, merchant, previous)
    return True


def store_image(session: Session, merchant: Merchant, data: bytes, size: int | None = None) -> ProcessedImage:
    """`size`: the file's whole size when `data` was cut short (see process_image)."""
    image = process_image(data, size)
    if queries.theme_image(session, merchant.id, image.digest) is None:
        session.add(ThemeImage(merchant_id=merchant.id, digest=image.digest, ext=image.ext,
                               width=image.width, height=image.height, data=image.data))
        session.flush()
    return image


def image_by_ref(session: Session, merchant_id: int, ref: str) -> ThemeImage | None:
    if not IMAGE_REF_RE.match(ref):
        return None
    digest, ext = ref.split(".")
    return queries.theme_image(session, merchant_id, digest, ext)


def apply_from_cli(session: Session, themes: ThemeRegistry, merchant: Merchant, theme_name: str | None,
                   changes: Mapping[str, str]) -> list[str]:
    """`portal merchant set SLUG theme=NAME theme.<setting>=VALUE`: same checks as the console.

    Colours that would be unreadable are refused (an operator typed them on purpose). An image
    setting takes a path to an image file. Goes live at once; the previous settings can be restored.
    Returns the errors (nothing is changed when there are any).
    """
    name = theme_name or merchant.theme
    theme = themes.get(name)
    changes = dict(changes)
    errors: list[str] = []
    if theme is not None:
        for key, value in list(changes.items()):
            spec = theme.settings_schema.get(key)
            if spec is not None and spec.type == "image" and value and not IMAGE_REF_RE.match(value):
                try:
                    changes[key] = store_image(session, merchant, Path(value).expanduser().read_bytes()).ref
                except OSError as exc:
                    errors.append(f"{key}: cannot read {value!r} ({exc.strerror or exc})")
                except ImageError as exc:
                    errors.append(f"{key}: {exc}")
    try:
        values, _ = check(themes, name, changes, live(merchant).values, fix_contrast=False)
    except SettingsError as exc:
        errors.extend(exc.errors)
    if errors:
        return errors
    _make_live(session, merchant, ThemeConfig(name, values))
    return []
