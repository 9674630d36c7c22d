"""Theme images (logo, hero): validated, re-encoded with Pillow, capped, named by content hash.

Re-encoding keeps only pixels: no metadata (EXIF location), no trailing payloads, no SVG script.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from portal.i18n import gettext

MAX_UPLOAD_BYTES = 800_000
MAX_PIXELS = 25_000_000  # larger files are refused before decoding (decompression bombs)
MAX_SIDE = 1600  # stored images are scaled down to fit this box
ACCEPTED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
CONTENT_TYPES = {"png": "image/png", "webp": "image/webp"}


class ImageError(ValueError):
    """An upload that is not an image we accept, with the reason (in the console user's language)."""


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    ext: str
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def ref(self) -> str:
        """How a theme setting refers to the image (and the last part of its URL)."""
        return f"{self.digest}.{self.ext}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.ext]


def _format_refused(fmt: str | None) -> str:
    if fmt:
        # Translators: %(format)s is a file format's name, e.g. "BMP" or "TIFF".
        return (gettext("%(format)s files are not accepted; upload a PNG, JPEG, GIF or WebP image")
                % {"format": fmt})
    return gettext("this is not an image we accept; upload a PNG, JPEG, GIF or WebP image")


def process_image(data: bytes, size: int | None = None) -> ProcessedImage:
    """`size`: the whole file's size when `data` is only its start (the console stops reading an
    upload just past the cap, yet says how big the file was)."""
    size = max(size or 0, len(data))
    if not data:
        raise ImageError(gettext("the file is empty"))
    if size > MAX_UPLOAD_BYTES:
        # Rounded up: a file just over the cap must not read as the cap itself ("800 KB; at most 800 KB").
        raise ImageError(gettext("the file is %(size)s KB; at most %(limit)s KB are allowed")
                         % {"size": -(-size // 1000), "limit": MAX_UPLOAD_BYTES // 1000})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ACCEPTED_FORMATS:
                    raise ImageError(_format_refused(fmt))
                if width * height > MAX_PIXELS:
                    raise ImageError(gettext("the image is %(width)s×%(height)s pixels; at most %(limit)s megapixels")
                                     % {"width": width, "height": height, "limit": MAX_PIXELS // 1_000_000})
                probe.verify()  # catches truncated and corrupt files before we decode them
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)  # the first frame of an animation
                image.load()
                image = ImageOps.exif_transpose(image)
                has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
                image = image.convert("RGBA" if has_alpha else "RGB")
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(_format_refused(None)) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageError(gettext("the image file is damaged or incomplete")) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Logos (small, often flat colour or transparent) stay lossless; photos become WebP.
    if has_alpha or max(image.size) <= 600:
        image.save(out, format="PNG", optimize=True)
        ext = "png"
    else:
        image.save(out, format="WEBP", quality=85, method=4)
        ext = "webp"
    return ProcessedImage(data=out.getvalue(), ext=ext, width=image.width, height=image.height)
