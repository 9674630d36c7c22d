"""Post prebuilt, signed Shopify deliveries at a fixed rate (open loop), as a platform does.

    python bench/webhook_rate.py PORT DELIVERIES.tsv RATE SECONDS CONNECTIONS

A platform sends each delivery when its order changes, not when the answer to the one before has
come: delivery i is due at start + i / RATE, whatever the server is doing. It goes out on a free
keep-alive connection (at most CONNECTIONS in flight; one that finds none free waits for one and
counts as late). Its latency is counted from when it was due, so a server that falls behind shows
it in the latencies (no coordinated omission). Prints one JSON object: the wrk figures' keys
(rps, p50_ms, p99_ms, requests, errors) and elapsed (seconds to the last answer, which rps is
counted over), max_ms, late, statuses and the client's own CPU seconds while sending.

Used by bench/ingest.py (`--webhook-rate`); DELIVERIES.tsv as its write_deliveries() writes it.
"""
from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections import Counter, deque
from pathlib import Path

import uvloop

SHOP = "bench"
LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


def requests(path: Path, port: int, count: int) -> list[bytes]:
    built = []
    for line in path.read_text().splitlines()[:count]:
        topic, hook, signature, body = line.split("\t", 3)
        data = body.encode()
        head = (f"POST /webhooks/shopify/{SHOP} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nX-Shopify-Topic: {topic}\r\nX-Shopify-Webhook-Id: {hook}\r\n"
                f"X-Shopify-Hmac-Sha256: {signature}\r\nX-Shopify-Shop-Domain: bench.myshopify.com\r\n"
                f"Content-Length: {len(data)}\r\n\r\n")
        built.append(head.encode() + data)
    return built


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one delivery in flight at a time."""

    def __init__(self, sender: _Sender) -> None:
        self.sender, self.transport, self.buffer, self.due = sender, None, b"", 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.sender.connections.append(self)

    def send(self, request: bytes, due: float) -> None:
        self.due, self.buffer = due, b""
        self.transport.write(request)  # type: ignore[union-attr]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        length = LENGTH.search(self.buffer, 0, end)
        if len(self.buffer) < end + 4 + (int(length.group(1)) if length else 0):
            return
        self.sender.answered(self, int(self.buffer[9:12]), self.due)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.due:  # its delivery failed; a new connection takes its place
            self.sender.answered(self, 0, self.due, lost=True)
        else:  # closed while idle (the server's keep-alive timeout)
            self.sender.lost(self)


class _Sender:
    """Hands each due delivery to a free connection, or queues it until one is free."""

    def __init__(self, loop: asyncio.AbstractEventLoop, port: int) -> None:
        self.loop, self.port = loop, port
        self.free: deque[_Connection] = deque()
        self.waiting: deque[tuple[bytes, float]] = deque()
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.late = 0
        self.done = asyncio.Event()
        self.expected = 0
        self.connections: list[_Connection] = []
        self.closing = False

    async def open(self, connections: int) -> None:
        for _ in range(connections):
            _, connection = await self.loop.create_connection(lambda: _Connection(self), "127.0.0.1", self.port)
            self.ready(connection)

    def ready(self, connection: _Connection) -> None:
        if self.waiting:
            connection.send(*self.waiting.popleft())
        else:
            self.free.append(connection)

    def lost(self, connection: _Connection) -> None:
        """A connection closed (idle, or with its delivery failed): a new one takes its place."""
        if connection in self.free:
            self.free.remove(connection)
        if not self.closing:
            self.loop.create_task(self.open(1))

    def close(self) -> None:
        self.closing = True
        for connection in self.connections:
            connection.transport.close()  # type: ignore[union-attr]

    def post(self, request: bytes, due: float) -> None:
        if self.free:
            self.free.popleft().send(request, due)
        else:
            self.late += 1
            self.waiting.append((request, due))

    def answered(self, connection: _Connection, status: int, due: float, lost: bool = False) -> None:
        self.latencies.append(self.loop.time() - due)
        self.statuses[status] += 1
        connection.due = 0.0
        if len(self.latencies) >= self.expected:
            self.done.set()
        if lost:
            self.lost(connection)
        else:
            self.ready(connection)


async def post_at_rate(port: int, deliveries: list[bytes], rate: float, seconds: float,
                       connections: int) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    sender = _Sender(loop, port)
    await sender.open(connections)
    sender.expected = count = min(len(deliveries), int(rate * seconds))
    start = loop.time() + 0.05
    index = 0
    while index < count:
        now = loop.time() + 0.001  # the loop's timers wake to the millisecond: never spin for less
        while index < count and start + index / rate <= now:
            sender.post(deliveries[index], start + index / rate)
            index += 1
        if index < count:
            await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
    try:
        await asyncio.wait_for(sender.done.wait(), 60)
    except TimeoutError:
        pass
    elapsed = loop.time() - start  # to the last answer: a server that fell behind is still answering
    sender.close()
    await asyncio.sleep(0)  # the transports close
    ordered = sorted(sender.latencies)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else 0.0

    return {"rps": len(ordered) / elapsed, "elapsed": elapsed, "p50_ms": percentile(0.5),
            "p99_ms": percentile(0.99), "max_ms": ordered[-1] * 1000 if ordered else 0.0, "requests": count,
            "errors": count - sum(n for status, n in sender.statuses.items() if 200 <= status < 300),
            "late": sender.late, "statuses": dict(sender.statuses)}


def main() -> None:
    port, path, rate, seconds, connections = sys.argv[1:6]
    deliveries = requests(Path(path), int(port), int(float(rate) * float(seconds)))
    started = time.process_time()
    figures = uvloop.run(post_at_rate(int(port), deliveries, float(rate), float(seconds), int(connections)))
    figures["client_cpu"] = time.process_time() - started  # sending and reading, not building
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
