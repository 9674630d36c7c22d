"""The CSV import's row errors in the active locale: the merchant's language on the console, English
in the `portal import` command.

Pydantic's errors are said by their documented `type` and `ctx`; a rare type keeps pydantic's
English message. Our own validators raise Problems, said from their msgid. The API never comes here:
it answers schemas.error_list()'s English.
"""

from __future__ import annotations

import re
from typing import Any

from babel.lists import format_list
from pydantic import ValidationError

from portal.i18n import babel_locale, get_locale, gettext, ngettext, number
from portal.orders.amounts import OrderInputError
from portal.orders.staff_order import tag_problem
from portal.problems import N_, Problem
from portal.schemas import error_list
from portal.tags import TagError

# What the columns' docs show, so the message says what to type.
MOMENT_EXAMPLE = "2026-11-02T10:30:00Z"
DAY_EXAMPLE = "2026-11-24"
_QUOTED = re.compile(r"'([^']*)'")

_WHOLE_NUMBER, _TRUE_OR_FALSE = N_("must be a whole number"), N_("must be true or false")
_FIXED = {
    "missing": N_("a value is required"),
    "int_parsing": _WHOLE_NUMBER, "int_from_float": _WHOLE_NUMBER, "int_type": _WHOLE_NUMBER,
    "bool_parsing": _TRUE_OR_FALSE, "bool_type": _TRUE_OR_FALSE,
}


def said(problem: Any) -> str:
    """A Problem (or a refused tag list) in the active locale; any other message as it is."""
    if isinstance(problem, TagError):
        return tag_problem(problem)
    if isinstance(problem, Problem):
        text = gettext(problem.message)
        return text % problem.values if problem.values else text
    return str(problem)


def _one_of(expected: str) -> str:
    # ctx "expected" is pydantic's English list ("'a', 'b' or 'c'"): the values are its quoted words.
    values = [f"'{value}'" for value in _QUOTED.findall(expected)]
    if not values:
        return expected
    listed = format_list(values, style="or", locale=babel_locale(get_locale()))
    return gettext("must be one of %(values)s") % {"values": listed}


def _pydantic(kind: str, ctx: dict[str, Any], english: str) -> str:
    if kind in _FIXED:
        return gettext(_FIXED[kind])
    if kind == "value_error":
        return said(ctx["error"]) if isinstance(ctx.get("error"), Problem | TagError) else english
    if kind == "string_pattern_mismatch":
        return gettext(english)  # error_list's own sentence for text the store cannot hold, else pydantic's
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return gettext("must not be empty")
    if kind == "string_too_long":
        return ngettext("is too long: at most %(count)s character", "is too long: at most %(count)s characters",
                        ctx["max_length"]) % {"count": number(ctx["max_length"])}
    if kind == "greater_than_equal":
        return gettext("must be at least %(limit)s") % {"limit": number(ctx["ge"])}
    if kind == "less_than_equal":
        return gettext("must be at most %(limit)s") % {"limit": number(ctx["le"])}
    if kind == "too_long":
        return gettext("too many entries: at most %(limit)s") % {"limit": number(ctx["max_length"])}
    if kind in ("literal_error", "enum"):
        return _one_of(ctx.get("expected", ""))
    if kind.startswith("datetime_"):
        return gettext("must be a date and time such as %(example)s") % {"example": MOMENT_EXAMPLE}
    if kind.startswith("date_"):
        return gettext("must be a date such as %(example)s") % {"example": DAY_EXAMPLE}
    return english


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    """error_list(exc) with each message in the active locale."""
    return [{"field": english["field"], "message": _pydantic(error["type"], error.get("ctx") or {}, english["message"])}
            for error, english in zip(exc.errors(include_url=False), error_list(exc))]


def input_errors(exc: OrderInputError) -> list[dict[str, str]]:
    """exc.errors with each message in the active locale."""
    return [{"field": problem["field"], "message": said(problem["message"])} for problem in exc.problems]
