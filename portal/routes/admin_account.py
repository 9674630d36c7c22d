"""Console page "Your account": the language this login reads the console in, and logging out
everywhere (after a confirmation page)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import console_auth, i18n
from portal.hosts import absolute_url
from portal.routes.admin import ENDED_EVERYWHERE, console_user, end_every_session, read_form, require_merchant
from portal.web import portal_of
from portal.pages import choose_console_locale, render


def _languages() -> list[tuple[str, str]]:
    """Every shipped language, each named in itself, in the order of those names."""
    names = [(code, i18n.locale_display_name(code)) for code in console_auth.console_locales()]
    return sorted(names, key=lambda pair: pair[1].casefold())


async def account_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    user = console_user(request)
    chosen, error, status = user.locale or "", None, 200
    if request.method == "POST":
        form = await read_form(request)
        chosen = str(form.get("locale") or "").strip()[:16]

        def save() -> str | None:
            with portal_of(request).session() as session:
                return console_auth.set_locale(session, merchant.id, user.id, chosen)

        try:
            await run_in_threadpool(save)
        except ValueError as exc:
            error, status = str(exc), 400
        else:
            return RedirectResponse(absolute_url(request, "admin_account") + "?saved=1", status_code=303)
    return render(request, "admin/account.html", {
        "user": user, "chosen": chosen, "languages": _languages(), "error": error,
        "browser_language": i18n.locale_display_name(choose_console_locale(request)),
        "saved": request.query_params.get("saved") == "1",
    }, status_code=status)


async def logout_everywhere(request: Request) -> Response:
    """GET: the confirmation (works without JavaScript); POST (from it): end every session of this
    login on every device, this one included, and show the log-in page saying so."""
    await require_merchant(request)
    if request.method == "GET":
        return render(request, "admin/logout_everywhere.html", {"user": console_user(request)})
    await read_form(request)
    await end_every_session(request)
    request.session[ENDED_EVERYWHERE] = True
    return RedirectResponse(absolute_url(request, "admin_login"), status_code=303)


routes = [
    Route("/admin/account", account_page, methods=["GET", "POST"], name="admin_account"),
    Route("/admin/account/logout-everywhere", logout_everywhere, methods=["GET", "POST"],
          name="admin_logout_everywhere"),
]
