"""Platform webhook receivers: verify the signature on the raw body, then parse, then apply once.

Every attempt lands in the merchant's delivery log (console) with its result and reason; the
platform gets its 200 only after the order and the receipt are committed.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal import ingest
from portal.ingest import Delivery, Outcome, Rejected
from portal.platforms import bigcommerce, shopify, woocommerce
from portal.routes.api import ApiError, api_error_response, authenticate
from portal.security import hmac_signature_valid
from portal.store.models import Merchant
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


async def _logged(request: Request, merchant: Merchant, delivery: Delivery, outcome: Outcome) -> JSONResponse:
    """Answer a delivery that never reached the database, after noting it in the delivery log."""
    await portal_of(request).write(ingest.log_outcome, portal_of(request).engine, merchant, delivery, outcome)
    return _answer(outcome)


async def _reject(request: Request, merchant: Merchant, delivery: Delivery, reason: str, status: int) -> Response:
    return await _logged(request, merchant, delivery, Outcome("rejected", reason, http_status=status))


async def _read_body(request: Request, merchant: Merchant, delivery: Delivery) -> bytes:
    try:
        return await request.body()
    except HTTPException as exc:
        if exc.status_code == 413:
            limit = portal_of(request).settings.max_body_bytes
            await _reject(request, merchant, delivery, f"body larger than {limit} bytes", 413)
        raise


def _delivery(platform: str, topic: str, delivery_id: str | None, raw: bytes = b"") -> Delivery:
    digest = ingest.body_hash(raw) if raw else ""
    # Without a platform delivery id, identical bodies are the same delivery.
    delivery_id = (delivery_id or "").strip()[:128] or (f"sha256:{digest}" if digest else "")
    return Delivery(platform, topic[:64], delivery_id, digest)


async def _body(request: Request, merchant: Merchant, platform: str, topic: str,
                delivery_id: str | None) -> tuple[bytes, Delivery]:
    raw = await _read_body(request, merchant, _delivery(platform, topic, delivery_id))
    return raw, _delivery(platform, topic, delivery_id, raw)


def _signature_problem(platform: str, raw: bytes, signature: str | None, secrets: list[str | None]) -> str | None:
    if not any(secrets):
        return f"no {platform} webhook secret is set for this shop"
    if not hmac_signature_valid(raw, signature, secrets):
        return "signature does not match the webhook secret"
    return None


async def _apply(request: Request, merchant: Merchant, delivery: Delivery, raw: bytes, plan: ingest.Plan) -> Response:
    """Parse (only now: the body is authentic) and apply in one committed transaction."""
    try:
        payload = ingest.parse_json(raw)
    except Rejected as exc:
        return await _reject(request, merchant, delivery, exc.reason, exc.status)
    # Deliveries waiting for the writer together share one transaction (Portal.write_grouped).
    outcome = await portal_of(request).write_grouped(
        ingest.receive_many, ingest.receive, merchant, delivery, ingest.prepare(plan, merchant, delivery.topic, payload))
    return _answer(outcome)


async def _signed(request: Request, platform: str, topic: str, delivery_id: str | None, signature: str | None,
                  secrets: list[str | None], plan: ingest.Plan) -> Response:
    merchant: Merchant = request.state.merchant
    raw, delivery = await _body(request, merchant, platform, topic, delivery_id)
    problem = _signature_problem(platform, raw, signature, secrets)
    if problem:
        return await _reject(request, merchant, delivery, problem, 401)
    return await _apply(request, merchant, delivery, raw, plan)


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
    raw, delivery = await _body(request, merchant, woocommerce.PLATFORM, topic, headers.get("x-wc-webhook-delivery-id"))
    ping = woocommerce.PING_RE.match(raw.strip())
    if ping and "x-wc-webhook-signature" not in headers:
        # WooCommerce checks the URL with an unsigned ping when a webhook is saved: it carries no data.
        outcome = Outcome("ignored", f"ping from WooCommerce webhook {ping.group(1).decode()}: the URL works")
        return await _logged(request, merchant, delivery, outcome)
    problem = _signature_problem(woocommerce.PLATFORM, raw, headers.get("x-wc-webhook-signature"),
                                 [merchant.woocommerce_webhook_secret])
    if problem:
        return await _reject(request, merchant, delivery, problem, 401)
    return await _apply(request, merchant, delivery, raw, woocommerce.plan)


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
    raw, delivery = await _body(request, merchant, bigcommerce.PLATFORM, "", request.headers.get(DELIVERY_HEADER))
    return await _apply(request, merchant, delivery, raw, bigcommerce.plan)


routes = [
    Route("/webhooks/shopify/{shop}", shopify_webhook, methods=["POST"], name="webhook_shopify"),
    Route("/webhooks/bigcommerce/{shop}", bigcommerce_webhook, methods=["POST"], name="webhook_bigcommerce"),
    Route("/webhooks/woocommerce/{shop}", woocommerce_webhook, methods=["POST"], name="webhook_woocommerce"),
    Route("/api/v1/bigcommerce/orders", bigcommerce_orders, methods=["POST"], name="api_bigcommerce_orders"),
]
