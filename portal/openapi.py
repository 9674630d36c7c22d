"""The OpenAPI document for the v1 API, built from the same pydantic models that validate it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic.json_schema import models_json_schema

from portal import __version__, inputs
from portal.orders.return_rules import STATUSES as RETURN_REQUEST_STATUSES
from portal.return_schemas import ReturnActionIn
from portal.schemas import MAX_EVENTS_PER_REQUEST, EventsIn, OrderIn, ShipmentIn, TrackingUpdateIn

_ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
}


_TRACKING_UPDATES_IN = {
    "type": "object",
    "required": ["events"],
    "additionalProperties": False,
    "properties": {
        "events": {
            "type": "array", "minItems": 1, "maxItems": MAX_EVENTS_PER_REQUEST,
            # Events are judged one by one: any item is taken, and one that is not a TrackingUpdateIn
            # is reported as `invalid` in `results` while the others are stored.
            "items": {"anyOf": [{"$ref": "#/components/schemas/TrackingUpdateIn"},
                                {"description": "Anything else: reported as `invalid`, the other events still count"}]},
        },
    },
}
_TRACKING_UPDATES_OUT = {
    "type": "object",
    "properties": {
        "received": {"type": "integer"},
        "added": {"type": "integer"},
        "duplicates": {"type": "integer"},
        "unknown": {"type": "integer", "description": "Events whose tracking number is on no shipment of this shop"},
        "invalid": {"type": "integer"},
        "results": {
            "type": "array",
            "description": "One entry per event, in request order",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer"},
                    "tracking_number": {"type": ["string", "null"]},
                    "result": {"enum": ["added", "duplicate", "unknown_tracking_number", "invalid"]},
                    "errors": {"$ref": "#/components/schemas/Error/properties/errors"},
                },
            },
        },
    },
}


_NUMBER = {"name": "number", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": inputs.LINE_PATTERN}}


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": ref}}}}


def _responses(ok: str, ok_ref: str | None = None) -> dict[str, Any]:
    error = _json("#/components/schemas/Error")
    responses: dict[str, Any] = {
        "400": {"description": "Malformed JSON", **error},
        "401": {"description": "Missing or invalid API key", **error},
        "404": {"description": "Not found in this merchant's shop", **error},
        "413": {"description": "Body too large"},
        "422": {"description": "Validation failed; every bad field is named, nothing was saved", **error},
    }
    responses[ok] = {"description": "OK", **({"content": {"application/json": {"schema": {"type": "object"}}}})}
    return responses


@lru_cache(maxsize=4)
def document(base_url: str) -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(OrderIn, "validation"), (ShipmentIn, "validation"), (EventsIn, "validation"),
         (TrackingUpdateIn, "validation"), (ReturnActionIn, "validation")],
        ref_template="#/components/schemas/{model}",
    )
    components = dict(schemas.get("$defs", {}))
    components["Error"] = _ERROR
    components["TrackingUpdatesIn"] = _TRACKING_UPDATES_IN
    components["TrackingUpdatesOut"] = _TRACKING_UPDATES_OUT
    return {
        "openapi": "3.1.0",
        "info": {"title": "Order-tracking portal API", "version": __version__},
        "servers": [{"url": base_url}],
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/orders": {
                "post": {
                    "summary": "Create or update an order (by external_id, else number)",
                    "requestBody": {"required": True, **_json("#/components/schemas/OrderIn")},
                    "responses": {**_responses("200"), "201": {"description": "Created"}},
                }
            },
            "/api/v1/orders/{number}": {
                "get": {
                    "summary": "Read an order",
                    "parameters": [_NUMBER],
                    "responses": _responses("200"),
                }
            },
            "/api/v1/orders/{number}/shipments": {
                "post": {
                    "summary": "Add a shipment to an order (or update the one with that tracking number)",
                    "parameters": [_NUMBER],
                    "requestBody": {"required": True, **_json("#/components/schemas/ShipmentIn")},
                    "responses": _responses("201"),
                }
            },
            "/api/v1/events": {
                "post": {
                    "summary": "Tracking updates by tracking number, in bulk (carriers and aggregators)",
                    "description": (
                        "Each event is matched to this shop's shipments by tracking number (spaces and dashes "
                        "ignored) and stored unless an event with the same time and status is already there. "
                        "Events are validated one by one: an invalid event or an unknown tracking number is "
                        "reported in `results` and the others are still stored. A delivered event moves the "
                        "shipment; when every shipment of an order is delivered, so is the order."
                    ),
                    "requestBody": {"required": True, **_json("#/components/schemas/TrackingUpdatesIn")},
                    "responses": {
                        **{k: v for k, v in _responses("200").items() if k != "404"},
                        "200": {"description": "Processed; see `results` for each event",
                                **_json("#/components/schemas/TrackingUpdatesOut")},
                    },
                }
            },
            "/api/v1/returns": {
                "get": {
                    "summary": "The shop's return requests, newest first (100 a page), of one status or all",
                    "parameters": [
                        {"name": "status", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": list(RETURN_REQUEST_STATUSES)}},
                        {"name": "page", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 100_000}},
                    ],
                    "responses": {k: v for k, v in _responses("200").items() if k in ("200", "401", "422")},
                }
            },
            "/api/v1/returns/{id}": {
                "post": {
                    "summary": "Take a step on a return request: approve, decline, receive or refund",
                    "description": (
                        "approve (instructions, optional https label_url) and decline (reason) from requested; "
                        "decline also from approved; receive from approved; refund from received. Each step "
                        "moves the order's return_status, adds a timeline entry and e-mails the shopper. "
                        "A step the request cannot take from its status answers 409 and changes nothing."
                    ),
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 1, "maximum": inputs.MAX_ID}}],
                    "requestBody": {"required": True, **_json("#/components/schemas/ReturnActionIn")},
                    "responses": {**_responses("200"),
                                  "409": {"description": "The request cannot take this step from its status",
                                          **_json("#/components/schemas/Error")}},
                }
            },
            "/api/v1/shipments/{id}/events": {
                "post": {
                    "summary": "Add tracking events to a shipment (duplicates by time and status are skipped)",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 1, "maximum": inputs.MAX_ID}}],
                    "requestBody": {"required": True, **_json("#/components/schemas/EventsIn")},
                    "responses": _responses("201"),
                }
            },
        },
    }
