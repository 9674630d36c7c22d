"""Platform webhook receivers: verify the signature on the raw body, then parse, then apply once.

Every attempt lands in the merchant's delivery log (console) with its result and reason; the
platform gets its 200 only after the order and the receipt are committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from sqlmodel import Session

from portal import ingest
from portal.ingest import Delivery, Outcome, Rejected
from portal.platforms import shopify
from portal.security import hmac_signature_valid
from portal.store.models import Merchant
from portal.web import merchant_or_404, portal_of

# Rejections answer with the API's error shape: {"error": code, "message": reason}.
_ERROR_CODES = {400: "malformed_json", 401: "bad_signature", 413: "too_large", 422: "unprocessable"}

Handler = Callable[[Session, Merchant, str, Any], Outcome]


def _answer(outcome: Outcome) -> JSONResponse:
    if outcome.result == "rejected":
        return JSONResponse({"error": _ERROR_CODES.get(outcome.http_status, "rejected"), "message": outcome.reason},
                            status_code=outcome.http_status)
    return JSONResponse({"result": outcome.result, "reason": outcome.reason, "order": outcome.order_number},
                        status_code=outcome.http_status)


async def _reject(request: Request, merchant: Merchant, delivery: Delivery, reason: str, status: int) -> Response:
    outcome = Outcome("rejected", reason, http_status=status)
    await run_in_threadpool(ingest.log_outcome, portal_of(request).engine, merchant, delivery, outcome)
    return _answer(outcome)


async def _read_body(request: Request, merchant: Merchant, delivery: Delivery) -> bytes:
    try:
        return await request.body()
    except HTTPException as exc:
        if exc.status_code == 413:
            limit = portal_of(request).settings.max_body_bytes
            outcome = Outcome("rejected", f"body larger than {limit} bytes", http_status=413)
            await run_in_threadpool(ingest.log_outcome, portal_of(request).engine, merchant, delivery, outcome)
        raise


async def receive(request: Request, platform: str, topic: str, delivery_id: str | None, signature: str | None,
                  secrets: list[str | None], handler: Handler) -> Response:
    """The pipeline every platform shares: size limit, signature, JSON, one committed transaction."""
    merchant: Merchant = request.state.merchant
    delivery = Delivery(platform, topic, (delivery_id or "").strip()[:128], "")
    raw = await _read_body(request, merchant, delivery)
    digest = ingest.body_hash(raw)
    # Without a platform delivery id, identical bodies are the same delivery.
    delivery = Delivery(platform, topic, delivery.delivery_id or f"sha256:{digest}", digest)
    if not any(secrets):
        return await _reject(request, merchant, delivery,
                             f"no {platform} webhook secret is set for this shop", 401)
    if not hmac_signature_valid(raw, signature, secrets):
        return await _reject(request, merchant, delivery, "signature does not match the webhook secret", 401)
    try:
        payload = ingest.parse_json(raw)
    except Rejected as exc:
        return await _reject(request, merchant, delivery, exc.reason, exc.status)
    outcome = await run_in_threadpool(
        ingest.receive, portal_of(request).engine, merchant, delivery,
        lambda session: handler(session, merchant, topic, payload),
    )
    return _answer(outcome)


async def shopify_webhook(request: Request) -> Response:
    merchant = await merchant_or_404(request)
    headers = request.headers
    return await receive(
        request, shopify.PLATFORM, headers.get("x-shopify-topic", "").strip().lower(),
        headers.get("x-shopify-webhook-id"), headers.get("x-shopify-hmac-sha256"),
        [merchant.shopify_webhook_secret, merchant.shopify_previous_webhook_secret], shopify.handle,
    )


routes = [
    Route("/webhooks/shopify/{shop}", shopify_webhook, methods=["POST"], name="webhook_shopify"),
]
