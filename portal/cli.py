"""The `portal` command: serve, migrate, demo, import, merchants, users, API keys, links, carriers."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from portal.settings import Settings


def _settings() -> Settings:
    return Settings()


def _engine(settings: Settings, migrate_first: bool = True):
    from portal.store.db import make_engine, migrate

    engine = make_engine(settings.database_url)
    if migrate_first:
        migrate(engine)
    return engine


def _merchant(session, slug: str):
    from portal.store import queries

    merchant = queries.merchant_by_slug(session, slug)
    if merchant is None:
        raise click.ClickException(f"no merchant with slug {slug!r}")
    return merchant


def _pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not key=value")
        values[key.strip()] = value
    return values


@click.group()
def main() -> None:
    """Order-tracking portal."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes (gunicorn's uvicorn workers): about one per CPU.")
@click.option("--no-mail-worker", is_flag=True, help="Do not send e-mails from this process (run `portal worker`).")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request.")
def serve(host: str, port: int, workers: int, no_mail_worker: bool, access_log: bool) -> None:
    """Apply pending migrations, then serve the portal (and send queued e-mails)."""
    import os

    from portal import server

    # The embedded default: the web server also drains the outbox, unless told otherwise.
    os.environ.setdefault("PORTAL_EMBEDDED_WORKER", "false" if no_mail_worker else "true")
    _engine(_settings()).dispose()
    server.run(host, port, workers, access_log)


@main.command()
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
def worker(once: bool) -> None:
    """Send queued shopper e-mails over SMTP, retrying failures with backoff."""
    import asyncio
    import logging

    from portal.app import create_app
    from portal.notify.outbox_worker import OutboxWorker, run_until_signalled

    settings = _settings()
    if not settings.smtp_host:
        raise click.ClickException("PORTAL_SMTP_HOST is not set: there is no mail server to send through")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    _engine(settings).dispose()
    app = create_app(settings)
    mail_worker = OutboxWorker(app.state.portal, app)
    if once:
        counts = asyncio.run(mail_worker.run_once())
        click.echo(", ".join(f"{n} {state}" for state, n in counts.items()))
        return
    asyncio.run(run_until_signalled(mail_worker))


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    _engine(_settings()).dispose()
    click.echo("database is up to date")


@main.command()
@click.option("--orders-per-merchant", default=24, show_default=True, type=int)
def demo(orders_per_merchant: int) -> None:
    """Seed demo merchants and orders (idempotent), and print the URLs to open."""
    from portal.demo import seed

    settings = _settings()
    engine = _engine(settings)
    for line in seed(engine, settings, orders_per_merchant):
        click.echo(line)
    engine.dispose()


@main.group()
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

    engine = _engine(_settings())
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

    values = _pairs(pairs)
    engine = _engine(_settings())
    try:
        with session_scope(engine) as session:
            apply_settings(session, _merchant(session, slug), values)
    except MerchantError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"updated {slug}: {', '.join(values)}")


@merchant.command("list")
def merchant_list() -> None:
    from portal.store import queries
    from portal.store.db import session_scope

    with session_scope(_engine(_settings())) as session:
        for m in queries.all_merchants(session):
            click.echo(f"{m.slug}\t{m.name}\t{m.currency}\t{m.default_locale}\t{m.theme}")


@main.group()
def theme() -> None:
    """Installed themes, and checking a theme before installing it."""


@theme.command("list")
def theme_list() -> None:
    """Installed themes (name, version, parent, description); broken ones say why."""
    from portal.theming.themes import ThemeRegistry

    registry = ThemeRegistry(_settings().themes_dir)
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

    loaded, problems = check_theme(path, ThemeRegistry(_settings().themes_dir))
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{path}: {len(problems)} problem(s); the theme would not be served")
    assert loaded is not None
    click.echo(f"ok: {loaded.name} v{loaded.version}: {len(loaded.settings_schema)} settings, "
               f"{len(loaded.template_names())} template overrides, {len(loaded.stylesheets)} stylesheets")


@main.command("import")
@click.argument("slug")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Check every row and report; save nothing.")
def import_orders(slug: str, file, dry_run: bool) -> None:
    """Import orders from a CSV file (columns: see README, "Importing orders (CSV)").

    Prints every bad row with its line number and reason; exits with status 1 when there was any.
    """
    from portal.ingest.csv_import import ImportFileError, run
    from portal.store.db import session_scope

    engine = _engine(_settings())
    with session_scope(engine) as session:
        merchant = _merchant(session, slug)
    try:
        report = run(engine, merchant, file.read(), dry_run=dry_run)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    if report.errors:
        sys.exit(1)


@main.group()
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
        with session_scope(_engine(_settings())) as session:
            change(session, _merchant(session, slug), email, password)
    except MerchantError as exc:
        raise click.ClickException(str(exc)) from None


@main.group()
def apikey() -> None:
    """API keys (stored hashed; shown once)."""


@apikey.command("create")
@click.argument("slug")
@click.option("--name", default="", help="A label to recognise the key by.")
def apikey_create(slug: str, name: str) -> None:
    from portal.merchants import create_api_key
    from portal.store.db import session_scope

    with session_scope(_engine(_settings())) as session:
        key = create_api_key(session, _merchant(session, slug), name)
    click.echo(key)


@main.command()
@click.argument("slug")
@click.argument("number")
@click.option("--revoke", is_flag=True, help="Invalidate every link issued so far, then print the new one.")
def link(slug: str, number: str, revoke: bool) -> None:
    """Print the signed tracking link of an order (what an order e-mail carries)."""
    from portal.app import create_app
    from portal.orders.upsert import number_key, revoke_links
    from portal.store import queries
    from portal.store.db import session_scope

    settings = _settings()
    app = create_app(settings)
    portal = app.state.portal
    with session_scope(portal.engine) as session:
        merchant = _merchant(session, slug)
        order = queries.order_by_number_key(session, merchant.id, number_key(number))
        if order is None:
            raise click.ClickException(f"no order {number!r} for {slug}")
        if revoke:
            revoke_links(session, order)
        click.echo(settings.base_url.rstrip("/") + portal.tracking_path(merchant, order, app))


@main.command()
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


@main.group()
def i18n() -> None:
    """Translation catalogs: extract, update, compile, check (`make i18n` runs the first three)."""


@i18n.command("extract")
def i18n_extract() -> None:
    """Write locales/messages.pot from the sources (Python, base and theme templates)."""
    from portal.i18n import tooling

    changed = tooling.write_template()
    click.echo("locales/messages.pot " + ("updated" if changed else "unchanged"))


@i18n.command("update")
@click.option("--init", "new_locales", multiple=True, help="Also start a catalog for this locale (repeatable).")
def i18n_update(new_locales: tuple[str, ...]) -> None:
    """Merge messages.pot into every catalog: new strings arrive empty, removed ones go."""
    from portal.i18n import tooling

    paths = tooling.Paths()
    extra = [_locale_code(code) for code in new_locales]
    changed = tooling.update(paths, sorted(set(paths.shipped()) | set(extra)))
    click.echo(f"updated {', '.join(changed)}" if changed else "every catalog is up to date")


@i18n.command("compile")
def i18n_compile() -> None:
    """Compile every catalog to messages.mo (not committed; the build makes them)."""
    from portal.i18n import tooling

    locales = tooling.compile_all()
    click.echo(f"compiled {len(locales)} catalogs")


@i18n.command("check")
def i18n_check() -> None:
    """Fail unless every catalog is complete: no missing, empty or fuzzy entry, placeholders kept."""
    from portal.i18n import tooling

    report = tooling.check_all()
    bad = {locale: problems for locale, problems in report.items() if problems}
    for locale, problems in bad.items():
        for problem in problems:
            click.echo(f"{locale}: {problem}", err=True)
    if bad:
        raise click.ClickException(f"{len(bad)} of {len(report)} catalogs are incomplete")
    click.echo(f"{len(report)} catalogs complete")


@i18n.command("export")
@click.argument("slug")
@click.argument("locale")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of .po.")
def i18n_export(slug: str, locale: str, as_csv: bool) -> None:
    """Print a merchant's texts for LOCALE (their overrides, else the shipped ones)."""
    from portal import i18n as portal_i18n
    from portal.i18n import overrides
    from portal.store.db import session_scope

    settings = _settings()
    code = _locale_code(locale)
    catalogs = portal_i18n.Catalogs(settings.locales_dir)
    with session_scope(_engine(settings)) as session:
        merchant = _merchant(session, slug)
        if as_csv:
            click.echo(overrides.export_csv(session, merchant, code, settings.locales_dir, catalogs), nl=False)
        else:
            click.echo(overrides.export_po(session, merchant, code, settings.locales_dir, catalogs), nl=False)


@i18n.command("import")
@click.argument("slug")
@click.argument("locale")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def i18n_import(slug: str, locale: str, file: str) -> None:
    """Store a merchant's texts for LOCALE from a .po or .csv file: all of it, or nothing."""
    from pathlib import Path

    from portal import i18n as portal_i18n
    from portal.i18n import overrides
    from portal.i18n.merchant_texts import enable_locale
    from portal.store.db import session_scope

    settings = _settings()
    code = _locale_code(locale)
    catalogs = portal_i18n.Catalogs(settings.locales_dir)
    try:
        with session_scope(_engine(settings)) as session:
            merchant = _merchant(session, slug)
            changed = overrides.import_file(session, merchant, code, file, Path(file).read_bytes(),
                                            settings.locales_dir, catalogs)
            if code not in catalogs.available():
                enable_locale(session, merchant, code)
    except overrides.OverrideError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"nothing was imported ({len(exc.problems)} problems)") from None
    click.echo(f"{changed} texts changed for {slug} in {code}")


def _locale_code(value: str) -> str:
    from portal.i18n import normalise_locale

    code = normalise_locale(value)
    if code is None:
        raise click.BadParameter(f"{value!r} is not a locale Babel knows", param_hint="LOCALE")
    return code


if __name__ == "__main__":
    main()
