"""Shared browser-test fixtures: the portal on a real uvicorn server, extra loopback sites, Chromium.

- `live_server` (from tests/conftest.py, shared with the SSE tests): the test's `app` (same
  database as `factory`) served on http://127.0.0.1:<port>.
- `static_site`: serves pages the test writes, on another loopback address (another origin,
  another site: e.g. a merchant's storefront).
- `browser` (one Chromium per session) and `page` (a fresh context per test); `new_page(...)` for a
  page with its own viewport, colour scheme or context options; `screenshot_dir` (test-output/).
- `themed_shop(theme)`: a shop on a built-in theme with an order that fills every panel.

Debian's Chromium at /usr/bin/chromium; Playwright is only the driver (never downloads a browser).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.themed_shops import ThemedShop, seed_themed_shop

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


class _Pages(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.pages.get(self.path.split("?", 1)[0])
        if body is None:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture
def static_site() -> Iterator[Callable[..., str]]:
    """static_site({"/": html}, host="127.0.0.2") -> "http://127.0.0.2:<port>" serving those pages."""
    servers: list[ThreadingHTTPServer] = []

    def serve(pages: dict[str, str], host: str = "127.0.0.2") -> str:
        handler = type("Pages", (_Pages,), {"pages": dict(pages)})
        server = ThreadingHTTPServer((host, 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://{host}:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 900, "height": 800}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """new_page(width=1280, height=900, color_scheme="light", **context_options) -> a page in its own context.

    For tests that need a viewport, a colour scheme or context options (e.g. bypass_csp) of their own.
    """
    contexts = []

    def open_page(width: int = 1280, height: int = 900, color_scheme: str = "light", **options) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=color_scheme,
                                      locale="en-US", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """test-output/ at the repository root (git-ignored): screenshots for people to review."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def themed_shop(live_server, factory) -> Callable[[str], ThemedShop]:
    """themed_shop("bold") -> lookup and order URLs of a shop on that theme, with a busy order."""
    def make(theme: str, **settings) -> ThemedShop:
        return seed_themed_shop(live_server, factory, theme, settings)
    return make
