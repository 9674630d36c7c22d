"""`portal merchant`, `theme`, `import`, `user`, `apikey`, `link`, `history-link`, `carrier`: managing shops and their data."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from portal.cli.common import find_merchant, load_settings, open_engine, parse_pairs


@click.group()
def merchant() -> None:
    """Create and configure merchants."""


@merchant.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--currency", default="USD", show_default=True)
@click.option("--locale", default="en", show_default=True)
@click.option("--timezone", default="UTC", show_default=True)
def merchant_create(slug: str, name: str, currency: str, locale: str, timezone: str) -> None:
    from portal.merchants import MerchantError, create_merchant
    from portal.store.db import session_scope

    engine = open_engine(load_settings())
    try:
        with session_scope(engine) as session:
            create_merchant(session, slug, name, currency, locale, timezone)
    except MerchantError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created merchant {slug}")


@merchant.command("set")
@click.argument("slug")
@click.argument("pairs", nargs=-1, required=True)
def merchant_set(slug: str, pairs: tuple[str, ...]) -> None:
    """Change settings: portal merchant set SLUG key=value …"""
    from portal.merchants import MerchantError, apply_settings
    from portal.store.db import session_scope

    values = parse_pairs(pairs)
    engine = open_engine(load_settings())
    try:
        with session_scope(engine) as session:
            apply_settings(session, find_merchant(session, slug), values)
    except MerchantError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"updated {slug}: {', '.join(values)}")


@merchant.command("list")
def merchant_list() -> None:
    from portal.store import queries
    from portal.store.db import session_scope

    with session_scope(open_engine(load_settings())) as session:
        for m in queries.all_merchants(session):
            click.echo(f"{m.slug}\t{m.name}\t{m.currency}\t{m.default_locale}\t{m.theme}")


@click.group()
def theme() -> None:
    """Installed themes, and checking a theme before installing it."""


@theme.command("list")
def theme_list() -> None:
    """Installed themes (name, version, parent, description); broken ones say why."""
    from portal.theming.themes import ThemeRegistry

    registry = ThemeRegistry(load_settings().themes_dir)
    for name in registry.names():
        t = registry.get(name)
        assert t is not None
        parent = f" (extends {t.parent})" if t.parent else ""
        click.echo(f"{t.name}\t{t.label} v{t.version}{parent}\t{len(t.settings_schema)} settings\t{t.description}")
    for name, error in sorted(registry.errors.items()):
        click.echo(f"{name}\tBROKEN, not served: {error}")


@theme.command("check")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def theme_check(path: Path) -> None:
    """Validate a theme folder: manifest, settings schema, palette contrast, templates, stylesheets."""
    from portal.theming.check import check_theme
    from portal.theming.themes import ThemeRegistry

    loaded, problems = check_theme(path, ThemeRegistry(load_settings().themes_dir))
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{path}: {len(problems)} problem(s); the theme would not be served")
    assert loaded is not None
    click.echo(f"ok: {loaded.name} v{loaded.version}: {len(loaded.settings_schema)} settings, "
               f"{len(loaded.template_names())} template overrides, {len(loaded.stylesheets)} stylesheets")


@click.command("import")
@click.argument("slug")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Check every row and report; save nothing.")
def import_orders(slug: str, file, dry_run: bool) -> None:
    """Import orders from a CSV file (columns: docs/csv-import.md).

    Prints every bad row with its line number and reason; exits with status 1 when there was any.
    """
    from portal.ingest.csv_import import ImportFileError, run
    from portal.store.db import session_scope

    engine = open_engine(load_settings())
    with session_scope(engine) as session:
        merchant = find_merchant(session, slug)
    try:
        report = run(engine, merchant, file.read(), dry_run=dry_run)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    if report.errors:
        sys.exit(1)


@click.group()
def user() -> None:
    """Merchant console logins."""


_password_option = click.option("--password", envvar="PORTAL_USER_PASSWORD",
                                help="Read from the prompt when omitted (or PORTAL_USER_PASSWORD).")


@user.command("create")
@click.argument("slug")
@click.argument("email")
@_password_option
def user_create(slug: str, email: str, password: str | None) -> None:
    from portal.merchants import create_user

    _with_password(create_user, slug, email, password)
    click.echo(f"created login {email.lower()} for {slug}")


@user.command("password")
@click.argument("slug")
@click.argument("email")
@_password_option
def user_password(slug: str, email: str, password: str | None) -> None:
    """Set a login's password; every session of that login ends."""
    from portal.merchants import set_password

    _with_password(set_password, slug, email, password)
    click.echo(f"password changed for {email.lower()} at {slug}; its sessions have ended")


def _with_password(change, slug: str, email: str, password: str | None) -> None:
    """change(session, merchant, email, password), the password read from stdin or a prompt if not given."""
    from portal.merchants import MerchantError
    from portal.store.db import session_scope

    if not password:
        password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Password: ")
    try:
        with session_scope(open_engine(load_settings())) as session:
            change(session, find_merchant(session, slug), email, password)
    except MerchantError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def apikey() -> None:
    """API keys (stored hashed; shown once)."""


@apikey.command("create")
@click.argument("slug")
@click.option("--name", default="", help="A label to recognise the key by.")
def apikey_create(slug: str, name: str) -> None:
    from portal.merchants import create_api_key
    from portal.store.db import session_scope

    with session_scope(open_engine(load_settings())) as session:
        key = create_api_key(session, find_merchant(session, slug), name)
    click.echo(key)


@click.command()
@click.argument("slug")
@click.argument("number")
@click.option("--revoke", is_flag=True, help="Invalidate every link issued so far, then print the new one.")
def link(slug: str, number: str, revoke: bool) -> None:
    """Print the signed tracking link of an order (what an order e-mail carries)."""
    from portal.app import create_app
    from portal.orders import staff_log
    from portal.orders.upsert import number_key, revoke_links
    from portal.store import queries
    from portal.store.db import session_scope

    settings = load_settings()
    app = create_app(settings)
    portal = app.state.portal
    with session_scope(portal.engine) as session:
        merchant = find_merchant(session, slug)
        order = queries.order_by_number_key(session, merchant.id, number_key(number))
        if order is None:
            raise click.ClickException(f"no order {number!r} for {slug}")
        if revoke:
            revoke_links(session, order, staff_log.CLI)
        click.echo(settings.base_url.rstrip("/") + portal.tracking_path(merchant, order, app))


@click.command("history-link")
@click.argument("slug")
@click.argument("email")
def history_link(slug: str, email: str) -> None:
    """Print a link to every order of EMAIL at the shop, valid for 24 hours (for support staff)."""
    from portal.app import create_app
    from portal.orders import history
    from portal.store.db import session_scope

    settings = load_settings()
    app = create_app(settings)
    with session_scope(open_engine(settings)) as session:
        merchant = find_merchant(session, slug)
        token = history.token_for_email(session, settings, merchant.id, email)
    if token is None:
        raise click.ClickException(f"no order with the e-mail {email!r} at {slug}")
    click.echo(settings.base_url.rstrip("/") + app.url_path_for("history_page", shop=merchant.slug, token=token))


@click.command()
@click.argument("numbers", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per number, per line.")
def carrier(numbers: tuple[str, ...], as_json: bool) -> None:
    """Detect the carrier of tracking numbers ('-' reads them from standard input)."""
    from portal import carriers

    if numbers == ("-",):
        numbers = tuple(line.strip() for line in sys.stdin if line.strip())
    if as_json:
        for line in carriers.cli_lines(numbers):
            click.echo(line)
        return
    for number in numbers:
        match = carriers.detect(number)
        status = "valid" if match.valid else "invalid"
        click.echo(f"{match.number}\t{match.carrier or '-'}\t{status}\t{match.tracking_url or ''}")
