"""Platform webhook receivers: verify the signature on the raw body, then parse, then apply once.

Every verified delivery lands in the merchant's delivery log (console) with its result and reason;
the platform gets its 200 only after the order and the receipt are committed. A delivery that
cannot be verified is only counted (portal.webhook_refusals), and a client that sends too many of
them is answered 429: strangers can neither fill the log nor push real entries out of it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal.i18n.labels import N_
from portal.i18n.messages import Message
from portal.ingest import deliveries, platform_orders, webhook_refusals
from portal.ingest.platforms import bigcommerce, payloads, shopify, woocommerce
from portal.ingest.platform_orders import Delivery, Outcome, Rejected
from portal.merchants import Merchant
from portal.routes.api import ApiError, api_error_response, authenticate
from portal.routes.shopper import client_key
from portal.security import hmac_signature_valid
from portal.web import merchant_or_404, portal_of

# Rejections answer with the API's error shape: {"error": code, "message": reason}.
_ERROR_CODES = {400: "malformed_json", 401: "bad_signature", 413: "too_large", 422: "unprocessable"}

# Our own headers for deliveries that a merchant's integration (not the platform) sends.
SIGNATURE_HEADER = "x-portal-hmac-sha256"
DELIVERY_HEADER = "x-portal-delivery-id"


def _answer(outcome: Outcome) -> JSONResponse:
    if outcome.result == "rejected":
        return JSONResponse({"error": _ERROR_CODES.get(outcome.http_status, "rejected"), "message": outcome.reason},
                            status_code=outcome.http_status)
    return JSONResponse({"result": outcome.result, "reason": outcome.reason, "order": outcome.order_number},
                        status_code=outcome.http_status)


async def _reject(request: Request, merchant: Merchant, delivery: Delivery, why: Message | str, status: int) -> Response:
    """Answer a verified delivery that never reached the database, after noting it in the delivery log."""
    outcome = Outcome("rejected", why, http_status=status)
    await portal_of(request).write(deliveries.log_outcome, portal_of(request).engine, merchant, delivery, outcome)
    return _answer(outcome)


async def _unverified(request: Request, merchant: Merchant, platform: str, kind: str, outcome: Outcome) -> Response:
    """Answer a delivery that could not be verified: counted, not logged; past the client's limit,
    429 without touching the database (a delivery that is signed right is never held back)."""
    portal = portal_of(request)
    wait = await portal.hit_limit(portal.settings.unverified_webhook_rate_limit, "webhook-unverified", client_key(request))
    if wait is not None:
        return JSONResponse({"error": "rate_limited",
                             "message": f"too many deliveries that could not be verified: retry in {wait} s"},
                            status_code=429, headers={"Retry-After": str(wait)})
    await portal.write(webhook_refusals.count, portal.engine, merchant.id, platform, kind)
    return _answer(outcome)


def _delivery(platform: str, topic: str, delivery_id: str | None, raw: bytes = b"") -> Delivery:
    digest = payloads.body_hash(raw) if raw else ""
    # Without a platform delivery id, identical bodies are the same delivery.
    delivery_id = (delivery_id or "").strip()[:128] or (f"sha256:{digest}" if digest else "")
    return Delivery(platform, topic[:64], delivery_id, digest)


async def _body(request: Request, merchant: Merchant, platform: str, topic: str, delivery_id: str | None,
                authenticated: bool = False) -> tuple[bytes, Delivery] | Response:
    """The raw body and its Delivery, or the 413 answer for a body too large to read (logged only
    for an `authenticated` sender; a webhook's signature cannot be checked without its body)."""
    try:
        raw = await request.body()
    except HTTPException as exc:
        if exc.status_code != 413:
            raise
        why = Message(N_("body larger than %(limit)s bytes"), {"limit": portal_of(request).settings.max_body_bytes})
        if authenticated:
            return await _reject(request, merchant, _delivery(platform, topic, delivery_id), why, 413)
        return await _unverified(request, merchant, platform, webhook_refusals.TOO_LARGE,
                                 Outcome("rejected", why, http_status=413))
    return raw, _delivery(platform, topic, delivery_id, raw)


async def _verify(request: Request, merchant: Merchant, platform: str, raw: bytes, signature: str | None,
                  secrets: list[str | None]) -> Response | None:
    """None when the body is signed with one of the secrets, else the answer that refuses it."""
    if not any(secrets):
        kind, reason = webhook_refusals.NO_SECRET, f"no {platform} webhook secret is set for this shop"
    elif not hmac_signature_valid(raw, signature, secrets):
        kind, reason = webhook_refusals.BAD_SIGNATURE, "signature does not match the webhook secret"
    else:
        return None
    return await _unverified(request, merchant, platform, kind, Outcome("rejected", reason, http_status=401))


async def _apply(request: Request, merchant: Merchant, delivery: Delivery, raw: bytes, plan: platform_orders.Plan) -> Response:
    """Parse (only now: the body is authentic) and apply in one committed transaction."""
    try:
        payload = payloads.parse_json(raw)
    except Rejected as exc:
        return await _reject(request, merchant, delivery, exc.why, exc.status)
    # Deliveries waiting for the writer together share one transaction (Portal.write_grouped).
    outcome = await portal_of(request).write_grouped(
        deliveries.receive_many, deliveries.receive, merchant, delivery, platform_orders.prepare(plan, merchant, delivery.topic, payload))
    return _answer(outcome)


async def _signed(request: Request, platform: str, topic: str, delivery_id: str | None, signature: str | None,
                  secrets: list[str | None], plan: platform_orders.Plan) -> Response:
    merchant: Merchant = request.state.merchant
    read = await _body(request, merchant, platform, topic, delivery_id)
    if isinstance(read, Response):
        return read
    raw, delivery = read
    refused = await _verify(request, merchant, platform, raw, signature, secrets)
    return refused if refused is not None else await _apply(request, merchant, delivery, raw, plan)


async def shopify_webhook(request: Request) -> Response:
    merchant = await merchant_or_404(request)
    headers = request.headers
    return await _signed(
        request, shopify.PLATFORM, headers.get("x-shopify-topic", "").strip().lower(),
        headers.get("x-shopify-webhook-id"), headers.get("x-shopify-hmac-sha256"),
        [merchant.shopify_webhook_secret, merchant.shopify_previous_webhook_secret], shopify.plan,
    )


async def woocommerce_webhook(request: Request) -> Response:
    merchant = await merchant_or_404(request)
    headers = request.headers
    topic = headers.get("x-wc-webhook-topic", "").strip().lower()
    read = await _body(request, merchant, woocommerce.PLATFORM, topic, headers.get("x-wc-webhook-delivery-id"))
    if isinstance(read, Response):
        return read
    raw, delivery = read
    ping = woocommerce.PING_RE.match(raw.strip())
    if ping and "x-wc-webhook-signature" not in headers:
        # WooCommerce checks the URL with an unsigned ping when a webhook is saved: it carries no data.
        outcome = Outcome("ignored", f"ping from WooCommerce webhook {ping.group(1).decode()}: the URL works")
        return await _unverified(request, merchant, woocommerce.PLATFORM, webhook_refusals.PING, outcome)
    refused = await _verify(request, merchant, woocommerce.PLATFORM, raw, headers.get("x-wc-webhook-signature"),
                            [merchant.woocommerce_webhook_secret])
    return refused if refused is not None else await _apply(request, merchant, delivery, raw, woocommerce.plan)


async def bigcommerce_webhook(request: Request) -> Response:
    merchant = await merchant_or_404(request)
    headers = request.headers
    return await _signed(
        request, bigcommerce.PLATFORM, "",
        headers.get(DELIVERY_HEADER), headers.get(SIGNATURE_HEADER),
        [merchant.bigcommerce_webhook_secret], bigcommerce.plan,
    )


async def bigcommerce_orders(request: Request) -> Response:
    """The full-order endpoint for a merchant's integration: the API key says which shop it is."""
    try:
        merchant = await run_in_threadpool(authenticate, request)
    except ApiError as exc:
        return api_error_response(exc)
    request.state.merchant = merchant
    read = await _body(request, merchant, bigcommerce.PLATFORM, "", request.headers.get(DELIVERY_HEADER),
                       authenticated=True)
    if isinstance(read, Response):
        return read
    raw, delivery = read
    return await _apply(request, merchant, delivery, raw, bigcommerce.plan)


routes = [
    Route("/webhooks/shopify/{shop}", shopify_webhook, methods=["POST"], name="webhook_shopify"),
    Route("/webhooks/bigcommerce/{shop}", bigcommerce_webhook, methods=["POST"], name="webhook_bigcommerce"),
    Route("/webhooks/woocommerce/{shop}", woocommerce_webhook, methods=["POST"], name="webhook_woocommerce"),
    Route("/api/v1/bigcommerce/orders", bigcommerce_orders, methods=["POST"], name="api_bigcommerce_orders"),
]
