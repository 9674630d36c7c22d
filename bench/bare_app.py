"""The yardstick: a bare Starlette + Jinja2 app rendering a page of a given size from memory.

No database, no i18n, no theme: what the portal's order page is compared against.
    BENCH_PAGE_BYTES=9000 uvicorn bench.bare_app:app
"""

from __future__ import annotations

import os

from jinja2 import DictLoader, Environment
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/portal.css"></head><body><main><h1>{{ title }}</h1><ol>
{% for row in rows %}<li class="event"><time>{{ row.at }}</time><span>{{ row.text }}</span></li>
{% endfor %}</ol></main></body></html>"""
ROW_BYTES = 80

env = Environment(loader=DictLoader({"page.html": TEMPLATE}), autoescape=True)
size = int(os.environ.get("BENCH_PAGE_BYTES", "9000"))
rows = [{"at": f"2026-11-{i % 28 + 1:02d} 10:00", "text": f"Departed sorting facility number {i}"}
        for i in range(max(1, size // ROW_BYTES))]


async def page(request):
    return HTMLResponse(env.get_template("page.html").render(title="Order #1001", rows=rows))


app = Starlette(routes=[Route("/", page)])
