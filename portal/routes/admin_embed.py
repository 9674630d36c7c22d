"""Console page "Embed in your storefront": the ready-to-paste snippet and the allowed origins."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import embed, i18n
from portal.merchants import Merchant
from portal.routes.admin import read_form, require_merchant, save_settings
from portal.web import portal_of
from portal.pages import render


def merchant_snippet(request: Request, merchant: Merchant) -> str:
    base = portal_of(request).settings.base_url.rstrip("/")
    app = request.app
    # The no-script link is read by the merchant's shoppers, so it is in the shop's default language.
    console_locale = i18n.get_locale()
    i18n.activate(merchant.default_locale)
    fallback_text = i18n.gettext("Track your order")
    i18n.activate(console_locale)
    return embed.snippet(
        script_url=base + str(app.url_path_for("static", path="embed.js")),
        shop=merchant.slug,
        fallback_url=base + str(app.url_path_for("lookup_form", shop=merchant.slug)),
        fallback_text=fallback_text,
    )


async def embed_settings(request: Request) -> Response:
    merchant = await require_merchant(request)
    error = None
    origins = ", ".join(embed.allowed_origins(merchant.embed_origins))
    status = 200
    if request.method == "POST":
        form = await read_form(request, multiline=("embed_origins",))
        origins = str(form.get("embed_origins") or "")[:4000]
        saved = await save_settings(request, merchant, {"embed_origins": origins}, "admin_embed")
        if not isinstance(saved, str):
            return saved
        error, status = saved, 422
    return render(request, "admin/embed.html", {
        "snippet": merchant_snippet(request, merchant),
        "origins": origins,
        "error": error,
        "saved": request.query_params.get("saved") == "1",
    }, status_code=status)


routes = [
    Route("/admin/embed", embed_settings, methods=["GET", "POST"], name="admin_embed"),
]
