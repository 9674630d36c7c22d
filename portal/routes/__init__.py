"""HTTP routes. Shop pages live at /{shop:shop}/…: the `shop` convertor below."""

from __future__ import annotations

import re

from starlette.convertors import Convertor, register_url_convertor

from portal.merchants import RESERVED_SLUGS


class ShopConvertor(Convertor[str]):
    """A shop slug that is not one of the portal's own top-level paths (/admin, /api, …).

    With it the shop routes can be matched first, ahead of every fixed route: a shopper's page is
    the most requested and should not be compared against the whole console first.
    """

    regex = "(?!(?:{})(?![a-z0-9-]))[a-z0-9-]{{1,64}}".format("|".join(map(re.escape, sorted(RESERVED_SLUGS))))

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("shop", ShopConvertor())
