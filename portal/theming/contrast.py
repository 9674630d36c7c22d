"""WCAG 2.x colour contrast: ratios, and the smallest change that makes a colour readable."""

from __future__ import annotations

import re
from collections.abc import Iterable

HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# WCAG AA for normal-size text; every text colour is held to it, whatever its size.
AA_TEXT = 4.5
WHITE = "#ffffff"
# Not pure black: softer on screens, and it still clears AA on every colour white does not.
NEAR_BLACK = "#111111"


def normalise_hex(value: str) -> str | None:
    """`#ABC` or `#aabbcc` -> `#aabbcc`; anything else -> None."""
    value = value.strip()
    if not HEX_RE.match(value):
        return None
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(first: str, second: str) -> float:
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_on(fill: str) -> str:
    """White or near-black, whichever reads better on `fill` (always at least 4.5:1)."""
    return WHITE if ratio(WHITE, fill) >= ratio(NEAR_BLACK, fill) else NEAR_BLACK


def mix(colour: str, target: str, amount: float) -> str:
    return _hex(a + (b - a) * amount for a, b in zip(_rgb(colour), _rgb(target)))


def readable(colour: str, against: Iterable[str], minimum: float = AA_TEXT) -> bool:
    return all(ratio(colour, other) >= minimum for other in against)


def nearest_readable(colour: str, against: Iterable[str], minimum: float = AA_TEXT,
                     towards: tuple[str, ...] = ("#000000", WHITE)) -> str | None:
    """The colour closest to `colour` (mixed with black or white) that reads on every background.

    None when no mix does (the backgrounds themselves differ too much for one colour to suit all).
    """
    others = list(against)
    if readable(colour, others, minimum):
        return colour
    for step in range(1, 101):
        for target in towards:
            candidate = mix(colour, target, step / 100)
            # A tiny margin, because browsers round colours the same way we do but axe measures
            # the rendered value: a candidate right at 4.50 can come out 4.49 there.
            if readable(candidate, others, minimum + 0.05):
                return candidate
    return None
