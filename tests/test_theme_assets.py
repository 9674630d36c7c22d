"""Serving theme files, generated stylesheets and logos: content-hashed URLs, ETags, scoping; logo checks."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from portal.store.db import session_scope
from portal.theming import service
from portal.theming.images import MAX_SIDE, MAX_UPLOAD_BYTES, ImageError, process_image
from tests.conftest import html


def image_bytes(size=(200, 80), fmt="PNG", mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(out, format=fmt, **save)
    return out.getvalue()


def test_theme_stylesheets_are_linked_by_hash_and_revalidate_with_etag(client, factory):
    factory.merchant("acme", theme="minimal")
    page = html(client.get("/acme/track"))
    for link in page.select("link[rel=stylesheet]")[1:]:
        response = client.get(link["href"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        again = client.get(link["href"], headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
    unversioned = client.get("/acme/theme.css")
    assert unversioned.headers["cache-control"] == "no-cache"


def test_changed_settings_change_the_stylesheet_url(client, factory, portal):
    merchant = factory.merchant("acme")
    before = html(client.get("/acme/track")).select("link[rel=stylesheet]")[-1]["href"]
    with session_scope(portal.engine) as session:
        fresh = session.get(type(merchant), merchant.id)
        assert service.apply_from_cli(session, portal.themes, fresh, None, {"accent_colour": "#123456"}) == []
    after = html(client.get("/acme/track")).select("link[rel=stylesheet]")[-1]["href"]
    assert after != before
    assert "--color-accent: #123456;" in client.get(after).text


def test_static_files_outside_the_theme_are_unreachable(client):
    assert client.get("/theme-assets/static/classic/theme.css").status_code == 200
    for path in ("/theme-assets/static/classic/../theme.toml", "/theme-assets/static/classic/%2e%2e/theme.toml",
                 "/theme-assets/static/nope/theme.css", "/theme-assets/static/classic/missing.css"):
        response = client.get(path)
        assert response.status_code in (404, 307) and "name =" not in response.text, path


def test_logo_is_served_by_content_hash_and_only_for_its_shop(client, factory, portal):
    acme = factory.merchant("acme")
    factory.merchant("other")
    with session_scope(portal.engine) as session:
        image = service.store_image(session, session.get(type(acme), acme.id), image_bytes())
        session.get(type(acme), acme.id).theme_settings = {"logo": image.ref}
    response = client.get(f"/theme-assets/images/acme/{image.ref}")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.headers["etag"] == f'"{image.digest}"'
    assert client.get(f"/theme-assets/images/other/{image.ref}").status_code == 404
    assert client.get("/theme-assets/images/acme/" + "0" * 64 + ".png").status_code == 404
    logo = html(client.get("/acme/track")).select_one(".brand img")
    assert logo["src"] == f"/theme-assets/images/acme/{image.ref}" and logo["alt"] == "Acme"


def test_images_are_re_encoded_without_metadata_and_capped():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera make
    jpeg = image_bytes((3000, 1000), "JPEG", exif=exif.tobytes())
    result = process_image(jpeg)
    assert result.ext == "webp" and max(result.width, result.height) == MAX_SIDE
    assert b"SpyCam" not in result.data
    small = process_image(image_bytes((120, 40), "GIF", mode="P"))
    assert small.ext == "png" and (small.width, small.height) == (120, 40)
    assert process_image(image_bytes()).digest == process_image(image_bytes()).digest


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not an image we accept"),
    (b"GIF89a" + b"\0" * 20, "not an image we accept"),
    (image_bytes()[:60], "damaged or incomplete"),
    (image_bytes(fmt="BMP"), "BMP files are not accepted"),
    (b"x" * (MAX_UPLOAD_BYTES + 1), "at most 800 KB"),
    (image_bytes((6000, 6000), mode="1"), "at most 25 megapixels"),
])
def test_bad_uploads_are_refused(data, message):
    with pytest.raises(ImageError, match=message):
        process_image(data)
