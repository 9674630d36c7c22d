"""The ingestion benchmark's open-loop client (bench/webhook_rate.py): deliveries go out on their
schedule whatever the server does, and a server that falls behind shows it."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.webhook_rate import post_at_rate

REQUEST = b"POST /webhooks/shopify/bench HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"


async def _serve(answer_after: float, seen: list[float], handlers: list[asyncio.Task]) -> tuple[asyncio.Server, int]:
    """An HTTP server that answers every request 200, `answer_after` seconds after it came, one at
    a time per connection, and notes when each came."""
    loop = asyncio.get_running_loop()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.current_task())
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(2)
                seen.append(loop.time())
                await asyncio.sleep(answer_after)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.mark.parametrize("answer_after, connections, keeps_up", [(0.005, 8, True), (0.2, 4, False)])
def test_deliveries_go_out_on_schedule_and_a_slow_server_shows(answer_after, connections, keeps_up):
    async def run():
        seen: list[float] = []
        handlers: list[asyncio.Task] = []
        server, port = await _serve(answer_after, seen, handlers)
        async with server:
            figures = await post_at_rate(port, [REQUEST] * 100, rate=100, seconds=1, connections=connections)
            await asyncio.wait_for(asyncio.gather(*handlers), 5)  # each ends when its client closes
        return figures, seen

    with ThreadPoolExecutor(1) as thread:  # its own event loop, whatever else the test session runs
        figures, seen = thread.submit(asyncio.run, run()).result()
    assert figures["requests"] == 100 and figures["errors"] == 0 and figures["statuses"] == {200: 100}
    if keeps_up:
        # One every 10 ms, answered in 5 ms: the schedule holds and nobody waits for a connection.
        # (Bounds loose enough for a busy CI machine.)
        assert 0.9 < seen[-1] - seen[0] < 1.5
        assert figures["late"] == 0 and figures["p99_ms"] < 300 and figures["elapsed"] < 1.6
        assert figures["rps"] > 60
    else:
        # 4 connections answered in 200 ms carry 20 a second: the rest wait, and their latency,
        # counted from when each was due, grows through the run.
        assert figures["late"] > 80
        assert figures["max_ms"] > 3000 and figures["elapsed"] > 4
        assert figures["rps"] < 25
