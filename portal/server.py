"""`portal serve`: gunicorn's process manager with uvicorn workers (the uvicorn-worker package).

gunicorn starts the workers, restarts one that dies or hangs, reloads them one by one on SIGHUP
and stops them gracefully on SIGTERM; each worker is a uvicorn server that builds its own app
(create_app, after the fork: its own engine, caches, live broker, and outbox worker when asked).
Why gunicorn with uvicorn workers and not granian: docs/deploy.md, "The server".
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

# Seconds a stopping worker gives its open requests (live streams never end by themselves)
# before it closes them and runs the app's shutdown; gunicorn kills it 10 seconds after that.
GRACEFUL_SECONDS = 20


class Worker(UvicornWorker):
    """uvicorn in a gunicorn worker. The client address and scheme are the portal's business
    (PORTAL_FORWARDED_ALLOW_IPS, portal/app.py), so uvicorn believes no forwarded header itself."""

    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "proxy_headers": False,
                     "timeout_graceful_shutdown": GRACEFUL_SECONDS}


class PortalServer(BaseApplication):
    """gunicorn's documented way to run an application from Python ("Custom Application")."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from portal.app import create_app

        return create_app()


def run(host: str, port: int, workers: int, access_log: bool) -> None:
    PortalServer({
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": f"{__name__}.Worker",
        "graceful_timeout": GRACEFUL_SECONDS + 10,
        "accesslog": "-" if access_log else None,
        "loglevel": "info",
        # gunicorn's runtime control socket is one path per user: several servers on a machine
        # would take it from each other. Signals do the same work (docs/deploy.md).
        "control_socket_disable": True,
    }).run()
