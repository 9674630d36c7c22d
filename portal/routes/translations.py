"""Console pages for a merchant's wording: override any shopper-facing string per locale, export
and import a locale as .po or CSV, and the merchant's own texts (support message) per language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import i18n, merchants
from portal.i18n import gettext, merchant_texts, overrides
from portal.hosts import absolute_url
from portal.merchants import Merchant, apply_settings
from portal.i18n.overrides import Entry, OverrideError
from portal.routes.admin import read_form, require_merchant
from portal.web import portal_of
from portal.pages import render


def _locale(request: Request, merchant: Merchant, raw: str | None) -> tuple[str, str | None]:
    """The locale the page works on, and an error when the asked-for code is not a locale."""
    if raw:
        code = i18n.normalise_locale(raw[:16])
        if code is None:
            return merchant.default_locale, f"{raw[:16]!r} is not a language code Babel knows (e.g. de, pt_BR, is)."
        return code, None
    return merchant.default_locale, None


def _page_url(request: Request, locale: str, q: str = "", saved: str = "") -> str:
    query = {"locale": locale, **({"q": q} if q else {}), **({"saved": saved} if saved else {})}
    return absolute_url(request, "admin_translations") + "?" + urlencode(query)


def _rows(request: Request, merchant: Merchant, locale: str, q: str) -> list[dict[str, Any]]:
    portal = portal_of(request)
    mine = portal.translation_overrides(merchant).get(locale, {})
    shipped = locale in portal.catalogs.available()
    needle = q.casefold()
    rows = []
    for source in overrides.sources(portal.settings.locales_dir):
        if source.plural is None:
            current = overrides.shipped_text(portal.catalogs, locale, source) if shipped else ""
        else:
            current = " / ".join(overrides.shipped_forms(portal.catalogs, locale, source)) if shipped else ""
        value = mine.get(source.key)
        forms = list(value) if isinstance(value, tuple) else ([value] if value else [])
        haystack = " ".join([source.msgid, source.plural or "", current, *forms]).casefold()
        if needle and needle not in haystack:
            continue
        rows.append({"source": source, "shipped": current, "forms": forms})
    return rows


async def _render(request: Request, merchant: Merchant, locale: str, q: str = "", *,
                  errors: list[str] | None = None, failed: dict[str, Any] | None = None,
                  status_code: int = 200) -> Response:
    portal = portal_of(request)
    rows = await run_in_threadpool(_rows, request, merchant, locale, q)
    available = portal.available_locales(merchant)
    return render(request, "admin/translations.html", {
        "edit_locale": locale,
        "edit_locale_name": i18n.locale_display_name(locale),
        "edit_dir": i18n.text_direction(locale),
        "shipped": locale in portal.catalogs.available(),
        "enabled": locale in portal.enabled_locales(merchant),
        "choices": [(code, i18n.locale_display_name(code)) for code in sorted(set(available) | {locale})],
        "plural_count": overrides.plural_count(locale), "max_text": overrides.MAX_TEXT,
        "rows": rows, "q": q, "errors": errors or [], "failed": failed or {},
        "saved": request.query_params.get("saved", ""),
        "texts": {key: (merchant.settings.get("texts", {}).get(key, {}) or {}).get(locale, "")
                  for key in merchant_texts.KEYS},
        "text_labels": merchant_texts.labels(),
        "shop_languages": [(code, i18n.locale_display_name(code), code in portal.enabled_locales(merchant))
                           for code in available],
    }, status_code=status_code)


async def translations_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    locale, error = _locale(request, merchant, request.query_params.get("locale"))
    q = request.query_params.get("q", "")[:200]
    return await _render(request, merchant, locale, q, errors=[error] if error else None,
                         status_code=422 if error else 200)


# The override form's text areas, and the source text it names (which may span lines).
_OVERRIDE_AREAS = ("msgctxt", "msgid", "text", *(f"text_{index}" for index in range(6)))


def _entry_from_form(request: Request, form: FormData, locale: str) -> Entry | None:
    index = overrides.source_index(portal_of(request).settings.locales_dir)
    source = index.get((str(form.get("msgctxt") or ""), str(form.get("msgid") or "")))
    if source is None:
        return None
    if source.plural is None:
        forms: tuple[str, ...] = (str(form.get("text") or "")[:overrides.MAX_TEXT + 1],)
    else:
        forms = tuple(str(form.get(f"text_{i}") or "")[:overrides.MAX_TEXT + 1]
                      for i in range(overrides.plural_count(locale)))
        if not any(forms):
            forms = ("",)
    return Entry(source, forms)


async def save_override(request: Request) -> Response:
    merchant = await require_merchant(request)
    form = await read_form(request, multiline=_OVERRIDE_AREAS)
    locale, error = _locale(request, merchant, str(form.get("locale") or ""))
    q = str(form.get("q") or "")[:200]
    entry = _entry_from_form(request, form, locale)
    if error or entry is None:
        return await _render(request, merchant, locale, q, status_code=422,
                             errors=[error or gettext("That string is not part of the portal any more; "
                                                      "reload the page.")])

    def save() -> None:
        with portal_of(request).session() as session:
            fresh = merchants.by_id(session, merchant.id)
            overrides.apply(session, fresh, locale, [entry])

    try:
        await run_in_threadpool(save)
    except OverrideError as exc:
        return await _render(request, merchant, locale, q, errors=exc.problems, status_code=422,
                             failed={"key": entry.source.key, "forms": list(entry.forms)})
    return RedirectResponse(_page_url(request, locale, q, saved=entry.source.msgid[:80]), status_code=303)


async def export(request: Request) -> Response:
    merchant = await require_merchant(request)
    portal = portal_of(request)
    locale, error = _locale(request, merchant, request.query_params.get("locale"))
    if error:
        return await _render(request, merchant, locale, errors=[error], status_code=422)
    as_csv = request.query_params.get("format") == "csv"

    def build() -> bytes:
        with portal.session() as session:
            if as_csv:
                return overrides.export_csv(session, merchant, locale, portal.settings.locales_dir,
                                            portal.catalogs).encode("utf-8")
            return overrides.export_po(session, merchant, locale, portal.settings.locales_dir, portal.catalogs)

    body = await run_in_threadpool(build)
    filename = f"{merchant.slug}-{locale}.{'csv' if as_csv else 'po'}"
    media = "text/csv; charset=utf-8" if as_csv else "text/x-gettext-translation; charset=utf-8"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                     "Cache-Control": "private, no-store"})


async def import_file(request: Request) -> Response:
    merchant = await require_merchant(request)
    portal = portal_of(request)
    form = await read_form(request)
    locale, error = _locale(request, merchant, str(form.get("locale") or ""))
    upload = form.get("file")
    if error or not isinstance(upload, UploadFile) or not upload.filename:
        await form.close()
        return await _render(request, merchant, locale, status_code=422,
                             errors=[error or gettext("Choose a .po or .csv file to import.")])
    filename = upload.filename
    data = await upload.read(overrides.MAX_FILE_BYTES + 1)
    await form.close()

    def store() -> int:
        with portal.session() as session:
            fresh = merchants.by_id(session, merchant.id)
            changed = overrides.import_file(session, fresh, locale, filename, data,
                                            portal.settings.locales_dir, portal.catalogs)
            if locale not in portal.catalogs.available():
                merchant_texts.enable_locale(session, fresh, locale)  # a language only this shop has
            return changed

    try:
        changed = await run_in_threadpool(store)
    except OverrideError as exc:
        return await _render(request, merchant, locale, status_code=422,
                             errors=[gettext("Nothing was imported:"), *exc.problems])
    return RedirectResponse(_page_url(request, locale, saved=f"{changed} texts imported"), status_code=303)


async def save_texts(request: Request) -> Response:
    merchant = await require_merchant(request)
    form = await read_form(request, multiline=tuple(merchant_texts.KEYS))
    locale, error = _locale(request, merchant, str(form.get("locale") or ""))
    values = {key: str(form.get(key) or "") for key in merchant_texts.KEYS}

    def store() -> None:
        with portal_of(request).session() as session:
            merchant_texts.save(session, merchants.by_id(session, merchant.id), locale, values)

    try:
        if error:
            raise merchant_texts.MerchantTextError(error)
        await run_in_threadpool(store)
    except merchant_texts.MerchantTextError as exc:
        return await _render(request, merchant, locale, errors=[str(exc)], status_code=422)
    return RedirectResponse(_page_url(request, locale, saved="your texts"), status_code=303)


async def save_languages(request: Request) -> Response:
    """Which languages shoppers may choose, and the shop's default language."""
    merchant = await require_merchant(request)
    portal = portal_of(request)
    form = await read_form(request)
    available = portal.available_locales(merchant)
    chosen = [code for code in available if form.get(f"enable_{code}") is not None]
    default = str(form.get("default_locale") or "")[:16]
    locale = str(form.get("locale") or merchant.default_locale)[:16]
    if not chosen or default not in chosen:
        return await _render(request, merchant, locale, status_code=422,
                             errors=[gettext("Enable at least one language, including the default one. Nothing was changed.")])

    def store() -> None:
        with portal.session() as session:
            # Every language ticked: store "all", so languages added later are offered too.
            values = {"locales": "" if chosen == available else ",".join(chosen), "locale": default}
            apply_settings(session, merchants.by_id(session, merchant.id), values)

    await run_in_threadpool(store)
    return RedirectResponse(_page_url(request, locale, saved="languages"), status_code=303)


routes = [
    Route("/admin/translations", translations_page, methods=["GET"], name="admin_translations"),
    Route("/admin/translations/override", save_override, methods=["POST"], name="admin_translation_save"),
    Route("/admin/translations/export", export, methods=["GET"], name="admin_translations_export"),
    Route("/admin/translations/import", import_file, methods=["POST"], name="admin_translations_import"),
    Route("/admin/translations/texts", save_texts, methods=["POST"], name="admin_texts_save"),
    Route("/admin/translations/languages", save_languages, methods=["POST"], name="admin_languages_save"),
]
