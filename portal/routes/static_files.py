"""Files served as they are: static/, each theme's static/ and the favicon, under content-hashed URLs.

A URL that names the file's current hash (`?v=<hash>`, as `static()` and the theme views write it)
is cached for a year; one without it (an old page, a storefront's embed snippet) is revalidated,
which the ETag makes a 304.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from portal.routes.theme_assets import cache_control_for
from portal.web import portal_of

FAVICON = "favicon.svg"


def file_response(request: Request, directory: Path, path: str, hashes: dict[str, str]) -> Response:
    # Only files found at start-up: no path outside the folder can be named.
    if path not in hashes:
        raise HTTPException(404)
    digest = hashes[path]
    quoted = f'"{digest}"'
    headers = {"ETag": quoted, "Cache-Control": cache_control_for(request, digest)}
    if request.headers.get("if-none-match") == quoted:
        return Response(status_code=304, headers=headers)
    return FileResponse(directory / path, headers=headers)


async def static_file(request: Request) -> Response:
    portal = portal_of(request)
    return file_response(request, portal.settings.static_dir, request.path_params["path"], portal.static_hashes)


async def theme_static(request: Request) -> Response:
    theme = portal_of(request).themes.get(request.path_params["theme"])
    if theme is None:
        raise HTTPException(404)
    return file_response(request, theme.static_dir, request.path_params["path"], theme.static_hashes)


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico when a page names no icon (every page of ours names one)."""
    portal = portal_of(request)
    return file_response(request, portal.settings.static_dir, FAVICON, portal.static_hashes)


routes = [
    Route("/static/{path:path}", static_file, name="static"),
    Route("/theme-assets/static/{theme}/{path:path}", theme_static, name="theme_static"),
    Route("/favicon.ico", favicon, name="favicon"),
]
