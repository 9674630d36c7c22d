"""JSON API v1: orders, shipments, tracking events. Bearer API keys, one merchant per key."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal import inputs, merchants, openapi
from portal.orders import shipments, staff_log, upsert
from portal.ingest import tracking
from portal.merchants import Merchant
from portal.orders.as_json import order_json
from portal.orders.upsert import OrderInputError
from portal.schemas import EventsIn, OrderIn, ShipmentIn, TrackingUpdatesIn, error_list
from portal.web import portal_of


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, errors: list | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status, self.error, self.message, self.errors, self.headers = status, error, message, errors, headers


def api_error_response(exc: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"error": exc.error, "message": exc.message}
    if exc.errors is not None:
        body["errors"] = exc.errors
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def authenticate(request: Request) -> Merchant:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "unauthorized", "Send your API key as 'Authorization: Bearer <key>'.",
                       headers={"WWW-Authenticate": "Bearer"})
    with portal_of(request).session() as session:
        owner = merchants.api_key_owner(session, key.strip())
    if owner is None:
        raise ApiError(401, "unauthorized", "That API key is not valid.", headers={"WWW-Authenticate": "Bearer"})
    merchant, request.state.api_key_name = owner
    return merchant


def _actor(request: Request) -> staff_log.Actor:
    """Who the staff timeline names for this request: the API key, by its name."""
    return staff_log.api_key(getattr(request.state, "api_key_name", ""))


async def parse_body(request: Request, model: type[BaseModel]) -> Any:
    """The body as `model`, with JSON's own types (strict: "2" is not a quantity, 0 is not a time),
    as the OpenAPI document describes them."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        malformed = [error["msg"] for error in exc.errors(include_url=False) if error["type"] == "json_invalid"]
        if malformed:
            raise ApiError(400, "malformed_json", f"The body is not valid JSON: {malformed[0]}") from None
        raise ApiError(422, "validation_failed", "Some fields are not valid; nothing was saved.",
                       error_list(exc)) from None


def _invalid(exc: OrderInputError) -> ApiError:
    return ApiError(422, "validation_failed", "Some fields are not valid; nothing was saved.", exc.errors)


def _number(request: Request) -> str:
    """The order number of the path: text the store can hold, or a 422 naming it."""
    number = request.path_params["number"]
    problem = inputs.text_problem(number)
    if problem:
        raise ApiError(422, "validation_failed", "The order number in the path is not valid.",
                       [{"field": "number", "message": problem}])
    return number


def _link(request: Request, merchant: Merchant, order) -> str:
    portal = portal_of(request)
    return portal.settings.base_url.rstrip("/") + portal.tracking_path(merchant, order, request.app)


async def create_or_update_order(request: Request) -> Response:
    merchant = await run_in_threadpool(authenticate, request)
    data: OrderIn = await parse_body(request, OrderIn)

    def save():
        with portal_of(request).session() as session:
            result = upsert.upsert_order(session, merchant, data, actor=_actor(request))
            return result.created, order_json(session, result.order, _link(request, merchant, result.order))

    try:
        created, body = await portal_of(request).write(save)
    except OrderInputError as exc:
        raise _invalid(exc) from None
    return JSONResponse(body, status_code=201 if created else 200)


async def get_order(request: Request) -> Response:
    merchant = await run_in_threadpool(authenticate, request)
    number = _number(request)

    def load():
        with portal_of(request).session() as session:
            order = upsert.by_number(session, merchant.id, number)
            return order_json(session, order, _link(request, merchant, order)) if order else None

    body = await run_in_threadpool(load)
    if body is None:
        raise ApiError(404, "not_found", f"No order {number!r} in this shop.")
    return JSONResponse(body)


async def add_shipment(request: Request) -> Response:
    merchant = await run_in_threadpool(authenticate, request)
    number = _number(request)
    data: ShipmentIn = await parse_body(request, ShipmentIn)

    def save():
        with portal_of(request).session() as session:
            order = upsert.by_number(session, merchant.id, number)
            if order is None:
                return None
            shipment = shipments.upsert_shipment(session, merchant, order, data, actor=_actor(request))
            body = order_json(session, order)
            return next(s for s in body["shipments"] if s["id"] == shipment.id)

    body = await portal_of(request).write(save)
    if body is None:
        raise ApiError(404, "not_found", f"No order {number!r} in this shop.")
    return JSONResponse(body, status_code=201)


async def add_events(request: Request) -> Response:
    merchant = await run_in_threadpool(authenticate, request)
    shipment_id = inputs.store_id(request.path_params["id"])
    if shipment_id is None:
        raise ApiError(404, "not_found", "No such shipment.")
    data: EventsIn = await parse_body(request, EventsIn)

    def save():
        with portal_of(request).session() as session:
            shipment = shipments.by_id(session, merchant.id, shipment_id)
            if shipment is None:
                return None
            order = upsert.by_id(session, merchant.id, shipment.order_id)
            added = shipments.add_events(session, order, shipment, data.events, actor=_actor(request))
            return {"shipment_id": shipment.id, "status": shipment.status, "added": added,
                    "duplicates": len(data.events) - added}

    body = await portal_of(request).write(save)
    if body is None:
        raise ApiError(404, "not_found", "No such shipment in this shop.")
    return JSONResponse(body, status_code=201 if body["added"] else 200)


async def tracking_updates(request: Request) -> Response:
    """Bulk carrier events by tracking number; every event gets its own result, never a 500."""
    merchant = await run_in_threadpool(authenticate, request)
    data: TrackingUpdatesIn = await parse_body(request, TrackingUpdatesIn)

    def save() -> dict[str, Any]:
        with portal_of(request).session() as session:
            return tracking.apply_payload(session, merchant, data.events,
                                          staff_log.carrier_feed(getattr(request.state, "api_key_name", "")))

    return JSONResponse(await portal_of(request).write(save))


async def openapi_document(request: Request) -> Response:
    return JSONResponse(openapi.document(portal_of(request).settings.base_url))



routes = [
    Route("/api/v1/orders", create_or_update_order, methods=["POST"], name="api_orders"),
    Route("/api/v1/orders/{number}", get_order, methods=["GET"], name="api_order"),
    Route("/api/v1/orders/{number}/shipments", add_shipment, methods=["POST"], name="api_shipments"),
    Route("/api/v1/shipments/{id}/events", add_events, methods=["POST"], name="api_events"),
    Route("/api/v1/events", tracking_updates, methods=["POST"], name="api_tracking_updates"),
    Route("/api/v1/openapi.json", openapi_document, methods=["GET"], name="openapi"),
]
