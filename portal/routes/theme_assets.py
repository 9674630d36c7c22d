"""Generated stylesheets and merchants' theme images, each under a content hash.

CSP allows no inline style, so every stylesheet is a URL; `?v=<hash>` changes whenever the content
does, which lets browsers keep them for a year, and the ETag makes a revalidation a 304.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.theming import service, stylesheet
from portal.theming.view import image_prefix
from portal.web import merchant_or_404, portal_of

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
CSS = "text/css; charset=utf-8"


def cached_response(request: Request, body: bytes | str, media_type: str, etag: str,
                    cache_control: str) -> Response:
    """A response that answers 304 when the browser already has this exact version."""
    quoted = f'"{etag}"'
    headers = {"ETag": quoted, "Cache-Control": cache_control}
    if quoted in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def cache_control_for(request: Request, digest: str) -> str:
    return IMMUTABLE if request.query_params.get("v") == digest else REVALIDATE


async def palette_css(request: Request) -> Response:
    """A theme's defaults, for pages that belong to no merchant (e.g. an unknown shop's 404)."""
    theme = portal_of(request).themes.get(request.path_params["theme"])
    if theme is None:
        raise HTTPException(404)
    sheet = stylesheet.cached(theme, {}, "", portal_of(request).themes.stylesheet_base(theme))
    return cached_response(request, sheet.css, CSS, sheet.digest, cache_control_for(request, sheet.digest))


def merchant_stylesheet(request: Request, theme_name: str, stored: dict, shop: str) -> Response:
    themes = portal_of(request).themes
    theme = themes.resolve(theme_name)
    path_for = lambda name, **params: str(request.app.url_path_for(name, **params))  # noqa: E731
    sheet = stylesheet.cached(theme, stored if theme.name == theme_name else {}, image_prefix(path_for, shop),
                              themes.stylesheet_base(theme))
    return cached_response(request, sheet.css, CSS, sheet.digest, cache_control_for(request, sheet.digest))


async def shop_theme_css(request: Request) -> Response:
    merchant = await merchant_or_404(request)
    return merchant_stylesheet(request, merchant.theme, dict(merchant.theme_settings or {}), merchant.slug)


async def theme_image(request: Request) -> Response:
    merchant = await merchant_or_404(request)
    ref = request.path_params["ref"]

    def load():
        with portal_of(request).session() as session:
            return service.image_by_ref(session, merchant.id, ref)

    image = await run_in_threadpool(load)
    if image is None:
        raise HTTPException(404)
    return cached_response(request, image.data, f"image/{image.ext}", image.digest, IMMUTABLE)


routes = [
    Route("/theme-assets/palette/{theme}.css", palette_css, name="theme_palette_css"),
    Route("/theme-assets/images/{shop}/{ref}", theme_image, name="theme_image"),
    Route("/{shop:shop}/theme.css", shop_theme_css, name="shop_theme_css"),
]
