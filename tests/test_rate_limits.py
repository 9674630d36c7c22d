"""PORTAL_RATE_LIMIT_STORAGE: where the rate-limit counts live, and what happens when it is away."""

from __future__ import annotations

import asyncio

import pytest
from starlette.testclient import TestClient

from portal.app import create_app
from portal.ratelimits import STORAGE_DOWN_WAIT, RateLimits
from tests import redis_server
from tests.smtp_server import free_port
from tests.sse_client import run_async


def lookup(client: TestClient):
    return client.post("/acme/track", data={"order_number": "#999", "contact": "nobody@example.com"})


@pytest.mark.skipif(not redis_server.available(), reason="redis-server is not installed (make test installs it)")
def test_processes_sharing_a_redis_storage_share_one_count(settings, merchant):
    with redis_server.redis_server() as url:
        shared = settings.model_copy(update={"rate_limit_storage": url, "lookup_rate_limit": "4/minute"})
        with TestClient(create_app(shared)) as one, TestClient(create_app(shared)) as other:
            statuses = [lookup(client).status_code for client in (one, other, one, other, one, other)]
    assert 429 not in statuses[:4] and statuses[4:] == [429, 429]


def test_an_unreachable_storage_refuses_limited_actions_for_a_moment_and_nothing_else(settings, merchant):
    away = settings.model_copy(update={"rate_limit_storage": f"redis://127.0.0.1:{free_port()}"})
    with TestClient(create_app(away)) as client:
        refused = lookup(client)
        form = client.get("/acme/track")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "5"
    assert "Traceback" not in refused.text
    assert form.status_code == 200


def test_a_storage_that_never_answers_holds_up_only_the_request_that_asked():
    """A Redis that accepts and then says nothing (a hung server, a dropped route): the limited
    action is refused once the round trip's bound passes, and meanwhile the process serves others."""
    async def scenario():
        accepted = []
        silent = await asyncio.start_server(lambda _reader, writer: accepted.append(writer), "127.0.0.1", 0)
        port = silent.sockets[0].getsockname()[1]
        limits = RateLimits(f"redis://127.0.0.1:{port}")
        asked = asyncio.create_task(limits.hit("5/minute", "lookup", "acme", "client"))
        others_served = 0
        while not asked.done():  # the event loop keeps running other work the whole time
            await asyncio.sleep(0.01)
            others_served += 1
        await limits.close()
        for writer in accepted:
            writer.close()
        silent.close()
        await silent.wait_closed()
        return asked.result(), others_served

    wait, others_served = run_async(scenario())  # in a thread: Playwright may hold this one's loop
    assert wait == STORAGE_DOWN_WAIT
    assert others_served > 10
