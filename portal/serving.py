"""Serving with several worker processes: the parent accepts every connection and deals them out to
the workers in turn (round robin), as Node's cluster module does by default.

uvicorn's own `--workers` let every worker wait on one shared listening socket, and the first to
wake takes every connection waiting, also while its writer thread is busy (accepting needs no
Python). A few keep-alive connections (an integration posting bulks of carrier events, a
proxy's upstream pool) then often all land on one worker, which can use one CPU at most
(Python's GIL), while the others idle: README → Benchmarks → Connections and workers.

Here the parent holds the listening socket and hands each accepted connection's descriptor to the
next live worker over a Unix socket pair (SCM_RIGHTS); the worker serves it with uvicorn's own
HTTP protocol, exactly as a connection it had accepted. The parent restarts a worker that dies,
and on SIGINT or SIGTERM stops accepting and lets the workers finish their requests (uvicorn's
graceful shutdown).

The same channels carry messages between the workers (broadcast, on_message): the parent passes
what one worker sends to every other. portal.live announces committed changes this way on
SQLite, so an open page hears of a change whichever worker wrote it.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable
from multiprocessing.context import SpawnProcess
from typing import Any

import uvicorn
from uvicorn._subprocess import get_subprocess
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("uvicorn.error")

# A worker that dies this soon after it started is not restarted again and again in a tight loop.
RESTART_PAUSE_SECONDS = 1.0
# How long the workers get to finish their requests once told to stop (then they are killed).
STOP_GRACE_SECONDS = 30.0
# What a channel carries, one datagram each: from the parent, a connection (its descriptor), or a
# message another worker broadcast; from a worker, a message for the others.
_CONNECTION, _MESSAGE = b"c", b"m"
MAX_MESSAGE_BYTES = 60_000

_handlers: list[Callable[[bytes], None]] = []
_this_worker: _Worker | None = None  # set in a dealt worker's process


def broadcast(message: bytes) -> None:
    """Send `message` to every other worker of this server, where on_message handlers get it on
    their event loop. Nothing happens in a process that is not a dealt worker (one worker, a
    command). Any thread may call it. Best effort: a message too large, or one that finds a
    channel full, is dropped (and logged)."""
    if _this_worker is not None:
        _this_worker.send(message)


def on_message(handler: Callable[[bytes], None]) -> Callable[[], None]:
    """Run `handler(message)` on this process's event loop for each message another worker
    broadcast; returns what removes it."""
    _handlers.append(handler)
    return lambda: _handlers.remove(handler) if handler in _handlers else None


def run(app: str, *, workers: int = 1, **options: Any) -> None:
    """Serve `app` (an import string, as uvicorn takes it) with uvicorn's `options`: in this
    process with one worker, else with a dealing parent (Dealer)."""
    if workers <= 1:
        uvicorn.run(app, **options)
        return
    sys.exit(Dealer(uvicorn.Config(app, workers=workers, **options)).run())


class _Worker(uvicorn.Server):
    """A uvicorn server with no listening socket: it serves the connections that arrive on its
    channel from the parent (socket pair, one descriptor per message)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        global _this_worker
        if not sockets:
            raise RuntimeError("a dealt worker needs its channel")
        channel = self._channel = sockets[0]
        channel.setblocking(False)
        self._starting: set[asyncio.Task[None]] = set()  # the loop holds tasks weakly only
        _this_worker = self  # before the app starts: its lifespan may listen (on_message)
        await super().startup(sockets=[])  # the app's lifespan; no listener
        asyncio.get_running_loop().add_reader(channel.fileno(), self._take)

    def send(self, message: bytes) -> None:
        if len(message) > MAX_MESSAGE_BYTES:
            log.warning("a message of %d bytes is too large for the other workers: dropped", len(message))
            return
        try:
            self._channel.send(_MESSAGE + message)
        except OSError as exc:  # full (the parent is not reading) or gone
            log.warning("a message for the other workers was dropped: %s", exc)

    def _protocol(self) -> asyncio.Protocol:
        # What uvicorn's startup() builds for each connection its listener accepts.
        return self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state)

    def _take(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self._channel, MAX_MESSAGE_BYTES + 1, 1)
            except BlockingIOError:
                return
            except OSError:
                message, fds = b"", []
            if not message and not fds:  # the parent is gone: nobody will deal connections again
                loop.remove_reader(self._channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                connection = socket.socket(fileno=fd)
                connection.setblocking(False)
                task = loop.create_task(self._serve_connection(loop, connection))
                self._starting.add(task)
                task.add_done_callback(self._starting.discard)
            if message.startswith(_MESSAGE):
                for handler in list(_handlers):
                    try:
                        handler(message[1:])
                    except Exception:  # one handler's bug must not stop the worker's channel
                        log.exception("a handler of the other workers' messages failed")

    async def _serve_connection(self, loop: asyncio.AbstractEventLoop, connection: socket.socket) -> None:
        try:
            await loop.connect_accepted_socket(self._protocol, connection)
        except OSError:  # the client left before the worker got to it
            connection.close()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().remove_reader(self._channel.fileno())  # super() closes it
        await super().shutdown(sockets=sockets)


def _serve_worker(config: uvicorn.Config, sockets: list[socket.socket]) -> None:
    _Worker(config).run(sockets=sockets)


class _Child:
    """One worker process and the parent's end of its channel."""

    def __init__(self, config: uvicorn.Config) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process: SpawnProcess = get_subprocess(config, functools.partial(_serve_worker, config), [theirs])
        self.process.start()
        theirs.close()  # the child has its own copy now
        ours.setblocking(False)
        self.channel = ours
        self.started = time.monotonic()

    def give(self, connection: socket.socket) -> bool:
        """Hand the connection over; False when this worker cannot take it (gone, or its channel
        full because it stopped reading)."""
        try:
            socket.send_fds(self.channel, [_CONNECTION], [connection.fileno()])
            return True
        except OSError:
            return False

    def tell(self, message: bytes) -> None:
        """Pass on a message another worker broadcast (dropped if this one is not reading)."""
        try:
            self.channel.send(message)
        except OSError:
            pass

    def close(self) -> None:
        self.channel.close()


class Dealer:
    """The parent: accepts connections and gives each to the next live worker in turn."""

    def __init__(self, config: uvicorn.Config) -> None:
        self.config = config
        self.children: list[_Child] = []
        self.turn = 0
        self.stopping = False
        self.selector = selectors.DefaultSelector()

    def run(self) -> int:
        listener = self.config.bind_socket()
        listener.listen(self.config.backlog)
        listener.setblocking(False)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop)
        log.info("Started parent process [%d]: %d workers, connections dealt in turn", os.getpid(),
                 self.config.workers)
        self.selector.register(listener, selectors.EVENT_READ)
        self.children = [self._start() for _ in range(self.config.workers)]
        failed = 0
        while not self.stopping:
            for key, _ in self.selector.select(timeout=0.5):
                if key.fileobj is listener:
                    self._accept(listener)
                else:
                    self._relay(key.data)
            failed = self._replace_dead()
            if failed:
                break
        listener.close()
        self._stop_children()
        self.selector.close()
        return failed

    def _start(self) -> _Child:
        child = _Child(self.config)
        self.selector.register(child.channel, selectors.EVENT_READ, child)
        return child

    def _relay(self, sender: _Child) -> None:
        """Pass each message a worker sent to every other worker."""
        while True:
            try:
                message = sender.channel.recv(MAX_MESSAGE_BYTES + 2)
            except BlockingIOError:
                return
            except OSError:
                message = b""
            if not message:  # the worker is gone: _replace_dead starts another
                self.selector.unregister(sender.channel)
                return
            if message.startswith(_MESSAGE):
                for child in self.children:
                    if child is not sender:
                        child.tell(message)

    def _stop(self, _signum: int, _frame: Any) -> None:
        self.stopping = True

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:  # out of descriptors, say: the connection waits in the backlog
                log.warning("accept failed: %s", exc)
                return
            with connection:
                if connection.family in (socket.AF_INET, socket.AF_INET6):
                    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._deal(connection)

    def _deal(self, connection: socket.socket) -> None:
        for _ in range(len(self.children)):
            child = self.children[self.turn % len(self.children)]
            self.turn += 1
            if child.process.is_alive() and child.give(connection):
                return
        log.warning("no worker could take a connection: closed")

    def _replace_dead(self) -> int:
        """Start a new worker for each that died; a worker that could not start (its app's startup
        failed) stops the server with uvicorn's exit code for that, as a restart would fail alike."""
        for index, child in enumerate(self.children):
            if child.process.is_alive() or self.stopping:
                continue
            code = child.process.exitcode
            self._close(child)
            if code == STARTUP_FAILURE:
                log.error("worker [%s] could not start; stopping", child.process.pid)
                return STARTUP_FAILURE
            log.warning("worker [%s] died (exit code %s); starting another", child.process.pid, code)
            time.sleep(max(0.0, child.started + RESTART_PAUSE_SECONDS - time.monotonic()))
            self.children[index] = self._start()
        return 0

    def _close(self, child: _Child) -> None:
        try:
            self.selector.unregister(child.channel)
        except (KeyError, ValueError):  # already, when _relay saw the worker go
            pass
        child.close()

    def _stop_children(self) -> None:
        for child in self.children:
            self._close(child)  # a worker that missed the signal sees its channel close and stops too
            if child.process.is_alive():
                child.process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children:
            child.process.join(max(0.0, deadline - time.monotonic()))
            if child.process.is_alive():
                child.process.kill()
                child.process.join()


def main(argv: list[str] | None = None) -> None:
    """`python -m portal.serving APP [options]`: what the benchmarks start (README → Benchmarks)."""
    parser = argparse.ArgumentParser(prog="python -m portal.serving", description=main.__doc__)
    parser.add_argument("app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--factory", action="store_true")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    run(args.app, workers=args.workers, host=args.host, port=args.port, factory=args.factory,
        log_level=args.log_level, access_log=not args.no_access_log)


if __name__ == "__main__":
    main()
