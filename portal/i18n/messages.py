"""Text kept as its template and values, put in words when read: in English for whoever gets it
at once (a platform's webhook response, the server log), in the reader's language later (the
console's delivery log, from the template and values stored with the row)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.i18n import gettext
from portal.i18n.labels import N_

# Our status words inside a sentence, lower case (status_label's are capitalised titles), by the
# placeholder that holds them. Any other value, and a status word not listed, stays as it came.
STATUS_WORDS: dict[str, dict[str, str]] = {
    "payment_status": {
        # Translators: a payment's status inside "payment %(payment_status)s" (webhook delivery log).
        "refunded": N_("refunded"),
        "partially_refunded": N_("partially refunded"),
    },
    "return_status": {
        # Translators: an order's return status inside a sentence of the webhook delivery log.
        "requested": N_("requested"),
        "in_progress": N_("in progress"),
        "returned": N_("returned"),
        "declined": N_("declined"),
        "cancelled": N_("cancelled"),
    },
    "return_request": {
        "requested": N_("requested"),
        # Translators: a return request's status inside a sentence of the webhook delivery log.
        "approved": N_("approved"),
        "declined": N_("declined"),
        # Translators: a return request's status: the shop has the items back.
        "received": N_("received"),
        "refunded": N_("refunded"),
    },
}


def _status_word(name: str, value: Any) -> str | None:
    return STATUS_WORDS.get(name, {}).get(value) if isinstance(value, str) else None


def nested(template: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A sentence as the value of another's placeholder ("currency: %(problem)s"), said in the
    same language as the sentence around it; JSON, so it is stored with the row as it is."""
    return {"template": template, "values": {name: value if isinstance(value, (str, int, float, bool)) or value is None
                                             else str(value) for name, value in values.items()}}


def _inner(value: Any, translate: bool) -> Any:
    if isinstance(value, dict) and isinstance(value.get("template"), str):
        template = gettext(value["template"]) if translate else value["template"]
        return template % value.get("values", {}) if value.get("values") else template
    return value


@dataclass(frozen=True)
class Message:
    """`template`: English with %(name)s placeholders, marked with N_ where it is written;
    `values`: what fills them, JSON values (a status word by its canonical key)."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def english(self) -> str:
        return self.template % {name: _status_word(name, value) or _inner(value, False)
                                for name, value in self.values.items()}

    def translated(self) -> str:
        """In the active locale: the template, our status words and nested sentences translated,
        the rest as sent."""
        values = {}
        for name, value in self.values.items():
            word = _status_word(name, value)
            values[name] = gettext(word) if word else _inner(value, True)
        return gettext(self.template) % values


def english(why: Message | str) -> str:
    """A reason in English, whether kept as a Message or as words with no template."""
    return why.english if isinstance(why, Message) else why
