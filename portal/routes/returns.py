"""The shopper's return request form: /{shop}/orders/{token}/returns (GET shows it, POST sends it).

Works without JavaScript; the order's signed link is what lets the shopper in, as on the order page.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.i18n import gettext
from portal.merchants import Merchant
from portal.orders import return_rules, returns
from portal.orders.returns import ReturnInputError
from portal.routes import shopper
from portal.routes.shopper import FULL, Site
from portal.security import CSRF_FIELD
from portal.web import portal_of

# Longer than any field the form has (a comment of 1,000 characters): cut before the rules read it.
FIELD_MAX = 4000


async def _page(request: Request, merchant: Merchant, site: Site, order_id: int, form: dict[str, str],
                errors: dict[str, str], status_code: int = 200) -> Response:
    portal = portal_of(request)

    def load():
        with portal.session() as session:
            return returns.order_for_form(session, merchant, order_id)

    found = await portal.read(load)
    if found is None:
        raise HTTPException(404)
    order, offer = found
    token = request.path_params["token"]
    return site.render(request, merchant, "return_form.html", {
        "order": order, "returns": offer, "form": form, "errors": errors,
        "order_path": site.path(request, "order_page", shop=merchant.slug, token=token),
        "form_path": site.path(request, "return_form", shop=merchant.slug, token=token),
    }, status_code=status_code, headers={"Cache-Control": "private, no-store"})


async def return_form(request: Request, site: Site = FULL) -> Response:
    merchant, stamp = await site.open(request, with_order=True)
    if stamp is None:
        return shopper.invalid_link(request, merchant, site)
    if not return_rules.enabled(merchant):
        raise HTTPException(404)
    locale = request.state.locale
    if request.method != "POST":
        return await _page(request, merchant, site, stamp.id, {}, {})

    raw = await request.form()
    form: dict[str, Any] = {name: value[:FIELD_MAX] for name, value in raw.items() if isinstance(value, str)}
    if not site.form_token_ok(request, merchant, form.get(CSRF_FIELD, "")):
        error = gettext("The form expired. Check your choices and send it again.")
        return await _page(request, merchant, site, stamp.id, form, {"form": error}, 403)
    portal = portal_of(request)

    def save() -> None:
        with portal.session() as session:
            returns.request_return(session, merchant, stamp.id, form, locale)

    try:
        await portal.write(save)
    except ReturnInputError as exc:
        return await _page(request, merchant, site, stamp.id, form, exc.errors, 422)
    path = site.path(request, "order_page", shop=merchant.slug, token=request.path_params["token"])
    return RedirectResponse(f"{path}#panel-returns", status_code=303)


routes = [
    Route("/{shop:shop}/orders/{token}/returns", return_form, methods=["GET", "POST"], name="return_form"),
]
