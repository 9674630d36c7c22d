"""JSON API v1 for return requests: the shop's queue by status, and a step on one request."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal import inputs
from portal.orders import return_queue, return_rules, return_steps, staff_log
from portal.orders.return_steps import ReturnStepError, StepInput
from portal.return_schemas import ReturnActionIn
from portal.routes.api import ApiError, authenticate, parse_body
from portal.web import portal_of

MAX_PAGE = 100_000
PER_PAGE = 100


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_failed", "Some fields are not valid; nothing was saved.",
                    [{"field": field, "message": message}])


async def list_returns(request: Request) -> Response:
    merchant = await run_in_threadpool(authenticate, request)
    unknown = sorted(set(request.query_params) - {"status", "page"})
    if unknown:
        raise _invalid(unknown[0][:64], "unknown query parameter (known: status, page)")
    status = request.query_params.get("status")
    if status is not None and status not in return_rules.STATUSES:
        raise _invalid("status", f"must be one of {', '.join(return_rules.STATUSES)}")
    page = request.query_params.get("page", "1")
    if not (page.isascii() and page.isdigit() and len(page) <= 6 and 1 <= int(page) <= MAX_PAGE):
        raise _invalid("page", f"a whole number from 1 to {MAX_PAGE}")

    def load():
        with portal_of(request).session() as session:
            found = return_queue.page(session, merchant.id, status, int(page), PER_PAGE)
            return {"returns": [return_queue.as_json(entry) for entry in found.entries],
                    "page": found.page, "pages": found.pages, "total": found.total}

    return JSONResponse(await run_in_threadpool(load))


async def take_step(request: Request) -> Response:
    merchant = await run_in_threadpool(authenticate, request)
    request_id = inputs.store_id(request.path_params["id"])
    if request_id is None:
        raise ApiError(404, "not_found", "No such return request.")
    body = (await parse_body(request, ReturnActionIn)).root
    actor = staff_log.api_key(request.state.api_key_name)
    step = StepInput(body.action, getattr(body, "instructions", None), getattr(body, "label_url", None),
                     getattr(body, "reason", None))

    def save():
        with portal_of(request).session() as session:
            taken = return_steps.take(session, merchant, request_id, step, actor)
            return return_queue.as_json(taken) if taken else None

    try:
        answer = await portal_of(request).write(save)
    except ReturnStepError as exc:
        if exc.field == "action":
            raise ApiError(409, "invalid_transition", exc.message) from None
        raise _invalid(exc.field or "body", exc.message) from None
    if answer is None:
        raise ApiError(404, "not_found", "No such return request in this shop.")
    return JSONResponse(answer)


routes = [
    Route("/api/v1/returns", list_returns, methods=["GET"], name="api_returns"),
    Route("/api/v1/returns/{id}", take_step, methods=["POST"], name="api_return_step"),
]
