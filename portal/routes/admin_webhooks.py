"""Console page "Webhooks": receiver URLs, the webhook secrets, the delivery log and the counts of
deliveries that could not be verified."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import merchants
from portal.i18n import gettext
from portal.i18n.labels import N_
from portal.ingest import deliveries, webhook_refusals
from portal.merchants import Merchant
from portal.routes.admin import read_form, require_merchant, save_settings
from portal.web import portal_of
from portal.pages import render

# Form field (and `portal merchant set` key) -> label (translated when shown). Secrets are never shown back.
SECRET_FIELDS = {
    "shopify_webhook_secret": N_("Shopify webhook secret"),
    "shopify_previous_webhook_secret": N_("Shopify previous secret (accepted during a rotation)"),
    "woocommerce_webhook_secret": N_("WooCommerce webhook secret"),
    "bigcommerce_webhook_secret": N_("BigCommerce integration secret"),
}
LOG_ROWS = 100
PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce", "bigcommerce": "BigCommerce"}


def receiver_urls(request: Request, merchant: Merchant) -> dict[str, str]:
    base = portal_of(request).settings.base_url.rstrip("/")
    app = request.app
    return {
        "Shopify": base + str(app.url_path_for("webhook_shopify", shop=merchant.slug)),
        "WooCommerce": base + str(app.url_path_for("webhook_woocommerce", shop=merchant.slug)),
        gettext("BigCommerce (signed)"): base + str(app.url_path_for("webhook_bigcommerce", shop=merchant.slug)),
        gettext("BigCommerce (API key)"): base + str(app.url_path_for("api_bigcommerce_orders")),
    }


def _changes(form) -> dict[str, str]:
    """A blank field keeps the stored secret; the "remove" box clears it."""
    changes = {}
    for name in SECRET_FIELDS:
        value = str(form.get(name) or "").strip()
        if form.get(f"clear_{name}"):
            changes[name] = ""
        elif value:
            changes[name] = value[:1000]
    return changes


async def webhooks_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    portal = portal_of(request)
    error, status = None, 200
    if request.method == "POST":
        form = await read_form(request)
        saved = await save_settings(request, merchant, _changes(form), "admin_webhooks", SECRET_FIELDS)
        if not isinstance(saved, str):
            return saved
        error, status = saved, 422

    def load():
        with portal.session() as session:
            return (merchants.by_id(session, merchant.id), deliveries.log(session, merchant.id, LOG_ROWS),
                    webhook_refusals.last_day(session, merchant.id))

    fresh, log, refusals = await run_in_threadpool(load)
    return render(request, "admin/webhooks.html", {
        "urls": receiver_urls(request, merchant),
        "secrets": [(name, gettext(label), bool(getattr(fresh, name))) for name, label in SECRET_FIELDS.items()],
        # Each entry with its reason in the console's language (False: the English as stored).
        "deliveries": [(entry, *deliveries.reason_text(entry)) for entry in log],
        "refusals": refusals,
        "platform_names": PLATFORM_NAMES,
        "error": error,
        "saved": request.query_params.get("saved") == "1",
    }, status_code=status)


routes = [
    Route("/admin/webhooks", webhooks_page, methods=["GET", "POST"], name="admin_webhooks"),
]
