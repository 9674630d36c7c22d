"""The tag rule, the same from every way in: each tag trimmed, at most MAX_TAG_LENGTH characters,
no empty ones, no repeats, at most MAX_TAGS of them. The API, CSV files and the console refuse a
longer tag (TagError); platform webhooks cut it (cut()), so a platform's order is never lost."""

from __future__ import annotations

from collections.abc import Iterable

MAX_TAG_LENGTH = 40
MAX_TAGS = 250


class TagError(ValueError):
    def __init__(self, tag: str) -> None:
        super().__init__(f"tag {tag[:50]!r} is longer than {MAX_TAG_LENGTH} characters")
        self.tag = tag


def clean(values: Iterable[str]) -> list[str]:
    """Trimmed, non-empty, first of each; raises TagError for a tag over the limit."""
    tags: list[str] = []
    for value in values:
        tag = value.strip()
        if len(tag) > MAX_TAG_LENGTH:
            raise TagError(tag)
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def too_long(values: Iterable[str]) -> list[str]:
    """The trimmed tags over the limit (what cut() shortens)."""
    return [tag for tag in (value.strip() for value in values) if len(tag) > MAX_TAG_LENGTH]
