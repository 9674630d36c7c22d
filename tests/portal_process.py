"""`portal serve` and `portal worker` as real child processes on loopback, as an operator runs them."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.smtp_server import free_port

PORTAL = str(Path(sys.executable).parent / "portal")


class PortalProcess:
    """One `portal ARGS…` process with the given PORTAL_* settings, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.env = {**os.environ, **env}
        self.log_path = log
        self.log = log.open("w+")
        self.process = subprocess.Popen([PORTAL, *args], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    def stop(self, timeout: float = 40) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        finally:
            self.log.close()


class Server(PortalProcess):
    """`portal serve --workers N` on a free port, answering /healthz once every worker runs."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(["serve", "--port", str(self.port), "--workers", str(workers), "--no-mail-worker",
                          "--no-access-log"], {"PORTAL_BASE_URL": self.url, **env}, log)
        deadline = time.monotonic() + 60
        while self.output().count("Application startup complete") < workers or not self.answers():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"{workers} workers did not start:\n{self.output()}"
            time.sleep(0.1)

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def answers(self) -> bool:
        connection = self.connect()
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def workers(self) -> set[int]:
        """The worker processes: gunicorn's children."""
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
            if parent == self.process.pid:
                found.add(int(stat.parent.name))
        return found

    def owner(self, client_port: int) -> int:
        """The worker process that holds the server's end of the open connection from this port
        (waiting for a worker to accept it)."""
        deadline = time.monotonic() + 5
        while True:
            holder = self._holder(client_port)
            if holder is not None:
                return holder
            assert time.monotonic() < deadline, "no worker accepted this connection"
            time.sleep(0.02)

    def _holder(self, client_port: int) -> int | None:
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
            if local == self.port and remote == client_port:
                inode = fields[9]
        for pid in self.workers() if inode else ():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
                except OSError:
                    continue
        return None
