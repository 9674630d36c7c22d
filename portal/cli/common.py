"""What the `portal` commands share: settings, an engine, a merchant by slug, key=value pairs."""

from __future__ import annotations

import click

from portal.settings import Settings


def load_settings() -> Settings:
    return Settings()


def open_engine(settings: Settings, migrate_first: bool = True):
    from portal.store.db import make_engine, migrate

    engine = make_engine(settings.database_url)
    if migrate_first:
        migrate(engine)
    return engine


def find_merchant(session, slug: str):
    from portal.store import queries

    merchant = queries.merchant_by_slug(session, slug)
    if merchant is None:
        raise click.ClickException(f"no merchant with slug {slug!r}")
    return merchant


def parse_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not key=value")
        values[key.strip()] = value
    return values
