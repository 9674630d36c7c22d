"""`portal serve --workers N`: the parent deals connections to the workers in turn (portal.serving),
replaces a worker that dies, and stops cleanly. A real server in a child process, on loopback."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal.merchants import create_api_key, create_merchant
from portal.store.db import make_engine, session_scope
from tests.conftest import TEST_SECRET, order_data
from tests.smtp_server import free_port

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")

PORTAL = str(Path(sys.executable).parent / "portal")


class Server:
    def __init__(self, tmp_path: Path, workers: int) -> None:
        self.port = free_port()
        self.env = env = {
            **os.environ, "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/portal.db",
            "PORTAL_SECRET_KEY": TEST_SECRET, "PORTAL_INSTANCE_DIR": str(tmp_path / "instance"),
            "PORTAL_BASE_URL": f"http://127.0.0.1:{self.port}", "PORTAL_EMBEDDED_WORKER": "false"}
        self.log = (tmp_path / "server.log").open("w+")
        self.process = subprocess.Popen(
            [PORTAL, "serve", "--port", str(self.port), "--workers", str(workers), "--no-mail-worker"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_for_workers(workers if workers > 1 else 0)  # one worker: serves in the process itself

    def workers(self) -> set[int]:
        """The worker processes (the parent's children that serve, not multiprocessing's helper)."""
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                command = (stat.parent / "cmdline").read_bytes()
            except (OSError, ValueError):
                continue
            if parent == self.process.pid and b"spawn_main" in command:
                found.add(int(stat.parent.name))
        return found

    def wait_for_workers(self, count: int, but_not: set[int] = frozenset()) -> set[int]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            workers = self.workers() - but_not
            if len(workers) == count and self.answers():
                return workers
            time.sleep(0.1)
        raise AssertionError(f"{count} workers did not start:\n{self.output()}")

    def answers(self) -> bool:
        connection = self.connect()
        try:
            return get(connection, "/healthz") == 200
        except OSError:
            return False
        finally:
            connection.close()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def owner(self, connection: http.client.HTTPConnection) -> int:
        """The worker process that holds the server's end of this client connection."""
        client_port = connection.sock.getsockname()[1]
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
            if local == self.port and remote == client_port:
                inode = fields[9]
        assert inode, "the server has no end of this connection"
        for pid in self.workers():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
                except OSError:
                    continue
        raise AssertionError("no worker holds this connection")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        finally:
            self.log.close()


def get(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("serving"), workers=2)
    yield running
    running.stop()


def test_connections_are_dealt_to_the_workers_in_turn(server):
    # Four keep-alive clients, one after another (as an integration's pool opens them): with one
    # shared listening socket they could all land on one worker and leave the other CPU idle.
    connections = [server.connect() for _ in range(4)]
    for connection in connections:
        assert get(connection, "/healthz") == 200
    owners = [server.owner(connection) for connection in connections]
    assert owners[0] != owners[1] and owners[0] == owners[2] and owners[1] == owners[3]
    assert set(owners) == server.workers()
    for connection in connections:  # the same connections serve again, on the same workers
        assert get(connection, "/healthz") == 200
    assert [server.owner(connection) for connection in connections] == owners
    for connection in connections:
        connection.close()


def test_a_worker_that_dies_is_replaced(server):
    workers = server.workers()
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    replaced = server.wait_for_workers(2, but_not={victim})
    assert victim not in replaced and len(replaced & workers) == 1
    connections = [server.connect() for _ in range(4)]
    assert [get(connection, "/healthz") for connection in connections] == [200] * 4
    assert {server.owner(connection) for connection in connections} == replaced
    for connection in connections:
        connection.close()
    assert "died" in server.output()


def test_sigterm_lets_the_workers_finish_and_stops(tmp_path):
    server = Server(tmp_path, workers=2)
    workers = server.workers()
    connection = server.connect()
    assert get(connection, "/healthz") == 200
    assert server.stop() == 0  # with a keep-alive connection still open
    connection.close()
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    output = (tmp_path / "server.log").read_text()
    assert output.count("Application shutdown complete") == 2
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_one_worker_is_plain_uvicorn(tmp_path):
    server = Server(tmp_path, workers=1)
    try:
        assert server.answers() and server.workers() == set()
        assert "dealt in turn" not in server.output()
    finally:
        assert server.stop() == -signal.SIGTERM  # uvicorn's own way to end on SIGTERM


def test_an_open_page_hears_of_a_change_the_other_worker_wrote(tmp_path):
    # On SQLite each worker announces what it committed to its own open pages, and through the
    # parent to the other workers' (portal.serving.broadcast): a shopper's page updates live
    # whichever worker the platform's webhook or the API call reached.
    server = Server(tmp_path, workers=2)
    try:
        engine = make_engine(server.env["PORTAL_DATABASE_URL"])
        with session_scope(engine) as session:
            key = create_api_key(session, create_merchant(session, "relay", "Relay shop"))
        engine.dispose()
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        api = server.connect()
        api.request("POST", "/api/v1/orders", body=json.dumps(order_data()), headers=headers)
        created = api.getresponse()
        assert created.status == 201, created.read()
        created.read()
        link = subprocess.run([PORTAL, "link", "relay", "#1001"], env=server.env, capture_output=True,
                              text=True, check=True).stdout.strip()
        page = server.connect()
        page.request("GET", urlsplit(link).path + "/events", headers={"Accept": "text/event-stream"})
        stream = page.getresponse()
        assert stream.status == 200
        writer = server.connect()
        while True:  # a connection on the other worker than the page's stream
            assert get(writer, "/healthz") == 200
            if server.owner(writer) != server.owner(page):
                break
            writer.close()
            writer = server.connect()
        writer.request("POST", "/api/v1/orders", body=json.dumps(order_data(payment_status="refunded")),
                       headers=headers)
        updated = writer.getresponse()
        assert updated.status == 200, updated.read()
        updated.read()
        # the page's stream names the changed panels (the socket times out after 10 s otherwise)
        lines = [stream.fp.readline().decode().strip() for _ in range(4)]
        assert "event: panel-status" in lines
        for connection in (api, page, writer):
            connection.close()
    finally:
        assert server.stop() == 0
