"""The `portal` command (the entry point in pyproject.toml is `portal.cli:main`); each module here
holds the commands of one concern."""

from __future__ import annotations

import click

from portal.cli.processes import demo, migrate, serve, worker
from portal.cli.shops import apikey, carrier, history_link, import_orders, link, merchant, theme, user
from portal.cli.translations import i18n


@click.group()
def main() -> None:
    """Order-tracking portal."""


main.add_command(serve)
main.add_command(worker)
main.add_command(migrate)
main.add_command(demo)
main.add_command(merchant)
main.add_command(theme)
main.add_command(import_orders)
main.add_command(user)
main.add_command(apikey)
main.add_command(link)
main.add_command(history_link)
main.add_command(carrier)
main.add_command(i18n)

