"""A deliberately small SSE client over raw asyncio sockets, so tests control every byte and disconnect."""

from __future__ import annotations

import asyncio
import json
import urllib.request
import zlib
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import brotli


@dataclass
class Message:
    event: str = "message"
    data: str = ""
    id: str | None = None
    comment: str | None = None


@dataclass
class Stream:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    status: int
    headers: dict[str, str]
    _buffer: str = ""
    ended: bool = False
    _pending: list[Message] = field(default_factory=list)
    # Set when the server compressed the stream (the request sent Accept-Encoding): decodes each chunk.
    _decode: Any = None

    @classmethod
    async def open(cls, host: str, port: int, path: str, headers: dict[str, str] | None = None) -> Stream:
        reader, writer = await asyncio.open_connection(host, port)
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: text/event-stream"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        status_line = (await reader.readline()).decode()
        received: dict[str, str] = {}
        while (line := (await reader.readline()).decode().strip()):
            name, _, value = line.partition(":")
            received[name.strip().lower()] = value.strip()
        stream = cls(reader, writer, int(status_line.split()[1]), received)
        encoding = received.get("content-encoding")
        if encoding == "br":
            stream._decode = brotli.Decompressor().process
        elif encoding == "gzip":
            stream._decode = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress
        return stream

    async def _chunk(self) -> str | None:
        """One chunk of the chunked body; None once the server ended the response."""
        size = int((await self.reader.readline()).strip() or b"0", 16)
        if size == 0:
            self.ended = True
            return None
        data = (await self.reader.readexactly(size + 2))[:-2]
        return (self._decode(data) if self._decode else data).decode()

    async def next(self, timeout: float = 5.0) -> Message | None:
        """The next event or comment; None when the stream ends."""
        async def read() -> Message | None:
            while not self._pending:
                if self.ended:
                    return None
                chunk = await self._chunk()
                if chunk is None:
                    return None
                self._buffer += chunk.replace("\r\n", "\n")
                while "\n\n" in self._buffer:
                    block, self._buffer = self._buffer.split("\n\n", 1)
                    self._pending.append(parse(block))
            return self._pending.pop(0)

        return await asyncio.wait_for(read(), timeout)

    async def events(self, count: int, timeout: float = 5.0) -> list[Message]:
        """The next `count` events, skipping heartbeat comments."""
        found: list[Message] = []
        while len(found) < count:
            message = await self.next(timeout)
            if message is None:
                break
            if message.comment is None:
                found.append(message)
        return found

    def close(self) -> None:
        self.writer.close()


def parse(block: str) -> Message:
    message = Message()
    for line in block.split("\n"):
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            message.comment = value
        elif name == "event":
            message.event = value
        elif name == "data":
            message.data = value
        elif name == "id":
            message.id = value
    return message


def post_json(url: str, body: dict, api_key: str) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {api_key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def run_async(coroutine: Coroutine[Any, Any, Any], timeout: float = 20) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API may hold a loop in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coroutine, timeout)).result()
