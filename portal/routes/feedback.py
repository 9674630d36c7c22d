"""Delivery feedback: the shopper's form on the order page (POST /{shop}/orders/{token}/feedback) and
the console's list of it (/admin/feedback)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import inputs
from portal.i18n import gettext
from portal.links import OrderFormTokens
from portal.orders import feedback
from portal.pages import render
from portal.routes.admin import check_fields, require_merchant
from portal.routes.shopper import FULL, invalid_link
from portal.security import CSRF_FIELD
from portal.web import portal_of, url_path


async def give(request: Request) -> Response:
    merchant, stamp = await FULL.open(request, with_order=True)
    if stamp is None:
        return invalid_link(request, merchant, FULL)
    portal = portal_of(request)
    token = request.path_params["token"]
    form = await request.form()
    rating = str(form.get("rating") or "")[:16]
    comment = str(form.get("comment") or "")[:feedback.COMMENT_MAX * 2]
    order_url = FULL.path(request, "order_page", shop=merchant.slug, token=token)

    def save() -> None:
        with portal.session() as session:
            feedback.give(session, merchant.id, stamp.id, rating, comment)

    forms = OrderFormTokens(portal.settings.resolved_secret_key)
    if not forms.valid(portal.signer.public_id(token) or "", stamp.link_nonce, str(form.get(CSRF_FIELD) or "")):
        error = gettext("This form has expired. Please send it again.")
    else:
        try:
            await portal.write(save)
            return RedirectResponse(f"{order_url}#feedback", status_code=303)
        except feedback.FeedbackError as exc:
            error = str(exc)

    def load():
        with portal.session() as session:
            return feedback.form_page(session, merchant.id, stamp.id)

    found = await portal.read(load)
    if found is None:  # deleted meanwhile
        return invalid_link(request, merchant, FULL)
    order, view = found
    return FULL.render(request, merchant, "feedback.html", {
        "order": order, "view": {"feedback": view}, "error": error, "form": {"rating": rating, "comment": comment},
        "feedback_url": url_path(request.app, "order_feedback", shop=merchant.slug, token=token),
        "order_url": order_url,
    }, status_code=422, headers={"Cache-Control": "private, no-store"})


async def console_list(request: Request) -> Response:
    merchant = await require_merchant(request)
    check_fields(request.query_params.multi_items())
    wanted = request.query_params.get("rating", "")
    rating = int(wanted) if wanted in {str(r) for r in feedback.RATINGS} else None
    number = inputs.page_number(request.query_params.get("page", ""))

    def load():
        with portal_of(request).session() as session:
            return feedback.for_console(session, merchant.id, rating, number)

    found = await run_in_threadpool(load)
    return render(request, "admin/feedback.html", {
        "found": found, "rating": rating, "ratings": feedback.RATINGS,
    })


routes = [
    Route("/{shop:shop}/orders/{token}/feedback", give, methods=["POST"], name="order_feedback"),
    Route("/admin/feedback", console_list, methods=["GET"], name="admin_feedback"),
]
