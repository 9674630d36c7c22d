"""Validation messages that can be said in the reader's language.

A Problem is a ValueError whose str() is the English sentence the API answers (docs/api.md); it
keeps its msgid and values, so the console can say the same thing in the merchant's language.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Marks a msgid for extraction; it is translated where it is shown. The project's one marker
    (portal.i18n.labels passes it on): it lives here, where money and schemas import it without the
    i18n package, which imports them."""
    return message


class Problem(ValueError):
    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.message, self.values = message, values
