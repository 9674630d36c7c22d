"""Console: choose a theme, edit its settings (logo upload, custom CSS), preview the draft, publish
atomically, restore the previous settings.

Edits go to a draft; shoppers see nothing until *Publish*. Colours that would be unreadable are
corrected (WCAG AA) and the page says which.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route, request_response

from portal import merchants
from portal.i18n import gettext
from portal.orders import order_view, upsert
from portal.hosts import absolute_url
from portal.merchants import Merchant
from portal.routes.admin import read_form, check_fields, require_merchant
from portal.routes.shopper import FULL, order_context
from portal.routes.theme_assets import merchant_stylesheet
from portal.routes.upload_limit import UploadLimit, declared_length
from portal.security import CSRF_FIELD, csrf_valid
from portal.theming import service, words
from portal.theming.images import MAX_UPLOAD_BYTES, ImageError
from portal.theming.schema import CUSTOM_CSS, FONT_STACKS, SettingsError
from portal.theming.service import ThemeConfig
from portal.theming.view import build_view
from portal.web import portal_of
from portal.i18n.labels import N_
from portal.pages import activate, render

FLASH = "theme_flash"
# Read up to this much, so an image larger than the cap (a phone's photo) is refused on the form,
# with what was typed kept; a larger body is refused unread (upload_limit).
UPLOAD_BODY_LIMIT = 16_000_000


def _state(request: Request, merchant: Merchant) -> dict[str, Any]:
    with portal_of(request).session() as session:
        return {
            "draft": service.revision(session, merchant, service.DRAFT),
            "previous": service.revision(session, merchant, service.PREVIOUS),
        }


def _field_errors(errors: list[str]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for error in errors:
        name, _, message = error.partition(": ")
        by_field.setdefault(name, []).append(message)
    return by_field


def _named_errors(errors: list[str], theme: Any) -> list[str]:
    """The list above the form: each "name: reason" with the setting's label, as the form shows it."""
    labels = {name: words.translate(spec.label) for name, spec in theme.settings_schema.items()}
    labels.update({CUSTOM_CSS: gettext("Custom CSS"), "theme": gettext("Theme")})
    named = []
    for error in errors:
        name, _, message = error.partition(": ")
        named.append(f"{labels[name]}: {message}" if message and name in labels else error)
    return named


async def theme_page(request: Request, form_values: dict[str, Any] | None = None,
                     errors: list[str] | None = None, status_code: int = 200) -> Response:
    merchant = await require_merchant(request)
    portal = portal_of(request)
    state = await run_in_threadpool(_state, request, merchant)
    editing = state["draft"] or service.live(merchant)
    theme = portal.themes.resolve(editing.theme)
    values = {**editing.values, **(form_values or {})}
    return render(request, "admin/theme.html", {
        "themes": [portal.themes.get(name) for name in portal.themes.names()],
        "live": service.live(merchant),
        "editing": editing,
        "edited_theme": theme,
        "values": values,
        "settings": list(theme.settings_schema.values()),
        "fonts": FONT_STACKS,
        "image_prefix": path_prefix(request, merchant),
        "errors": _named_errors(errors or [], theme),
        "field_errors": _field_errors(errors or []),
        "flash": request.session.pop(FLASH, None),
        "max_upload_kb": MAX_UPLOAD_BYTES // 1000,
        "theme_word": words.translate,
        "theme_choice": words.choice,
        **state,
    }, status_code=status_code)


def path_prefix(request: Request, merchant: Merchant) -> str:
    return str(request.app.url_path_for("theme_image", shop=merchant.slug, ref="x"))[:-1]


async def choose_theme(request: Request) -> Response:
    merchant = await require_merchant(request)
    form = await read_form(request)
    name = str(form.get("theme") or "")[:64]
    themes = portal_of(request).themes
    if themes.get(name) is None:
        return await theme_page(request, errors=[f"theme: {service.not_installed(themes, name)}"], status_code=400)

    def save() -> list[str]:
        with portal_of(request).session() as session:
            fresh = merchants.by_id(session, merchant.id)
            current = service.draft_or_live(session, fresh)
            # Values carry over: settings both themes share (logo, accent colour …) keep working,
            # re-checked against the new theme's backgrounds.
            values, notices = service.check(themes, name, {}, current.values, fix_contrast=True)
            service.save_draft(session, fresh, ThemeConfig(name, values))
            return notices

    notices = await run_in_threadpool(save)
    request.session[FLASH] = {"message": gettext("Draft switched to %(theme)s. Preview it, then publish.")
                              % {"theme": words.translate(themes.get(name).label)},
                              "notices": notices}
    return RedirectResponse(absolute_url(request, "admin_theme") + "#settings", status_code=303)


def _changes_from_form(form: FormData, schema: dict) -> tuple[dict[str, Any], dict[str, UploadFile]]:
    changes: dict[str, Any] = {}
    uploads: dict[str, UploadFile] = {}
    for name, spec in schema.items():
        if spec.type == "toggle":
            changes[name] = "on" if form.get(name) else "off"
        elif spec.type == "image":
            upload = form.get(name)
            if isinstance(upload, UploadFile) and upload.filename:
                uploads[name] = upload
            elif form.get(f"remove_{name}"):
                changes[name] = ""
        elif name in form:
            changes[name] = str(form.get(name) or "")[:1000]
    if CUSTOM_CSS in form:
        changes[CUSTOM_CSS] = str(form.get(CUSTOM_CSS) or "")
    return changes, uploads


async def _too_large(request: Request) -> Response:
    return await theme_page(request, status_code=413, errors=[gettext(
        "What you sent is larger than %(total)s MB in all, so nothing was read or saved. Each image may be "
        "at most %(image)s KB; make it smaller and upload it again.") % {
            "total": UPLOAD_BODY_LIMIT // 1_000_000, "image": MAX_UPLOAD_BYTES // 1000}])


async def save_settings(request: Request) -> Response:
    merchant = await require_merchant(request)
    portal = portal_of(request)
    state = await run_in_threadpool(_state, request, merchant)
    editing: ThemeConfig = state["draft"] or service.live(merchant)
    theme = portal.themes.resolve(editing.theme)
    declared = declared_length(request.scope)
    if declared is not None and declared > UPLOAD_BODY_LIMIT:
        return await _too_large(request)  # refused unread
    try:
        async with request.form(max_part_size=UPLOAD_BODY_LIMIT) as form:  # closes the uploaded files
            if not csrf_valid(request.session, str(form.get(CSRF_FIELD) or "")):
                raise HTTPException(
                    status_code=403, detail=gettext("The form expired. Go back, reload the page and try again."))
            check_fields(form.multi_items(), multiline=(CUSTOM_CSS,))
            changes, uploads = _changes_from_form(form, theme.settings_schema)
            # Read no further than just past the cap; the parser already counted the whole file.
            files = {name: (await upload.read(MAX_UPLOAD_BYTES + 1), upload.size) for name, upload in uploads.items()}
            action = form.get("action")
    except HTTPException as exc:
        if exc.status_code == 413:  # a body without a declared length ran past the limit
            return await _too_large(request)
        raise

    def save() -> list[str]:
        with portal.session() as session:
            fresh = merchants.by_id(session, merchant.id)
            errors = []
            for name, (data, size) in files.items():
                try:
                    changes[name] = service.store_image(session, fresh, data, size).ref
                except ImageError as exc:
                    errors.append(f"{name}: {exc}")
            try:
                values, notices = service.check(portal.themes, theme.name, changes, editing.values, fix_contrast=True)
            except SettingsError as exc:
                errors.extend(exc.errors)
            if errors:
                raise SettingsError(errors)  # rolls back the images stored above: nothing is saved
            service.save_draft(session, fresh, ThemeConfig(theme.name, values))
            return notices

    try:
        notices = await run_in_threadpool(save)
    except SettingsError as exc:
        shown = {k: v for k, v in changes.items() if theme.settings_schema.get(k) is None or
                 theme.settings_schema[k].type != "image"}
        return await theme_page(request, form_values=shown, errors=exc.errors, status_code=400)
    request.session[FLASH] = {"message": gettext("Draft saved. Shoppers still see the published theme."),
                              "notices": notices}
    target = "admin_theme_preview" if action == "preview" else "admin_theme"
    return RedirectResponse(absolute_url(request, target), status_code=303)


def _preview_data(request: Request, merchant: Merchant):
    with portal_of(request).session() as session:
        config = service.draft_or_live(session, merchant)
        latest = upsert.search(session, merchant.id, per_page=1).orders
        view = order_view.build(session, merchant, latest[0]) if latest else None
        return config, view


async def preview(request: Request) -> Response:
    """The order page (or the lookup page) as shoppers would see it with the draft."""
    merchant = await require_merchant(request)
    activate(request, merchant)  # in a shopper's language, with the shop's own texts, not the console's
    config, view = await run_in_threadpool(_preview_data, request, merchant)
    path_for = lambda name, **params: str(request.app.url_path_for(name, **params))  # noqa: E731
    theme = build_view(portal_of(request).themes, path_for, config.theme, config.values, merchant.slug,
                       ("admin_theme_preview_css", {}))
    page = "lookup" if view is None or request.query_params.get("page") == "lookup" else "order"
    context = {"preview": {"page": page, "has_order": view is not None}}
    if page == "order":
        context.update(order_context(view))
        template = "order.html"
    else:
        context["form"] = {}
        template = "lookup.html"
    return FULL.render(request, merchant, template, context, theme=theme,
                       headers={"Cache-Control": "private, no-store"})


async def preview_css(request: Request) -> Response:
    merchant = await require_merchant(request)
    config, _ = await run_in_threadpool(_preview_data, request, merchant)
    response = merchant_stylesheet(request, config.theme, config.values, merchant.slug)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _action(do, message: str, nothing: str):
    async def handler(request: Request) -> Response:
        merchant = await require_merchant(request)
        await read_form(request)

        def run() -> bool:
            with portal_of(request).session() as session:
                return do(session, merchants.by_id(session, merchant.id))

        done = await run_in_threadpool(run)
        request.session[FLASH] = {"message": gettext(message if done else nothing)}
        return RedirectResponse(absolute_url(request, "admin_theme"), status_code=303)
    return handler


publish = _action(service.publish, N_("Published: shoppers now see the new theme."), N_("There was no draft to publish."))
restore = _action(service.restore_previous,
                  N_("Restored the previous theme settings (the replaced ones can be restored in turn)."),
                  N_("There are no previous settings to restore."))
discard = _action(service.discard_draft, N_("Draft discarded."), N_("There was no draft to discard."))

routes = [
    Route("/admin/theme", theme_page, methods=["GET"], name="admin_theme"),
    Route("/admin/theme/choose", choose_theme, methods=["POST"], name="admin_theme_choose"),
    Route("/admin/theme/settings", UploadLimit(request_response(save_settings), lambda _scope: UPLOAD_BODY_LIMIT),
          methods=["POST"], name="admin_theme_settings"),
    Route("/admin/theme/preview", preview, methods=["GET"], name="admin_theme_preview"),
    Route("/admin/theme/preview.css", preview_css, methods=["GET"], name="admin_theme_preview_css"),
    Route("/admin/theme/publish", publish, methods=["POST"], name="admin_theme_publish"),
    Route("/admin/theme/restore", restore, methods=["POST"], name="admin_theme_restore"),
    Route("/admin/theme/discard", discard, methods=["POST"], name="admin_theme_discard"),
]
