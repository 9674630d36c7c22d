"""The tag rule, the same from every way in: each tag trimmed, at most MAX_TAG_LENGTH characters,
no empty ones, no repeats, at most MAX_TAGS of them. The API, CSV files and the console refuse a
longer tag or more tags (TagError); platform webhooks cut them (cut()), so a platform's order is
never lost."""

from __future__ import annotations

from collections.abc import Iterable

MAX_TAG_LENGTH = 40
MAX_TAGS = 250


class TagError(ValueError):
    """A tag over MAX_TAG_LENGTH (`tag` names it), or more than MAX_TAGS tags (`tag` is empty)."""

    def __init__(self, tag: str = "", count: int = 0) -> None:
        if tag:
            super().__init__(f"tag {tag[:50]!r} is longer than {MAX_TAG_LENGTH} characters")
        else:
            super().__init__(f"{count} tags: at most {MAX_TAGS} are allowed")
        self.tag = tag
        self.count = count


def unique(values: Iterable[str]) -> list[str]:
    """Trimmed, non-empty, first of each in the order sent; "VIP" repeats "vip" (platforms such as
    Shopify treat tags without regard to case), the first spelling is kept."""
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        tag = value.strip()
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def clean(values: Iterable[str]) -> list[str]:
    """unique() tags; raises TagError for a tag over the limit or more tags than MAX_TAGS (a list
    cut short without a word would lose the merchant's tags)."""
    tags = unique(values)
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            raise TagError(tag)
    if len(tags) > MAX_TAGS:
        raise TagError(count=len(tags))
    return tags


def cut(values: Iterable[str]) -> list[str]:
    """Platform tags: each cut to MAX_TAG_LENGTH and the first MAX_TAGS kept, never refused."""
    return unique(value.strip()[:MAX_TAG_LENGTH] for value in values)[:MAX_TAGS]


def too_long(values: Iterable[str]) -> list[str]:
    """The trimmed tags over the limit (what cut() shortens)."""
    return [tag for tag in (value.strip() for value in values) if len(tag) > MAX_TAG_LENGTH]
