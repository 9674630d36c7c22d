"""`portal serve`, `portal worker`, `portal migrate`, `portal demo`: running the portal."""

from __future__ import annotations

import click

from portal.cli.common import load_settings, open_engine


@click.command()
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
    open_engine(load_settings()).dispose()
    server.run(host, port, workers, access_log)


@click.command()
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
def worker(once: bool) -> None:
    """Send queued shopper e-mails over SMTP, retrying failures with backoff."""
    import asyncio
    import logging

    from portal.app import create_app
    from portal.notify.outbox_worker import OutboxWorker, run_until_signalled

    settings = load_settings()
    if not settings.smtp_host:
        raise click.ClickException("PORTAL_SMTP_HOST is not set: there is no mail server to send through")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    open_engine(settings).dispose()
    app = create_app(settings)
    mail_worker = OutboxWorker(app.state.portal, app)
    if once:
        counts = asyncio.run(mail_worker.run_once())
        click.echo(", ".join(f"{n} {state}" for state, n in counts.items()))
        return
    asyncio.run(run_until_signalled(mail_worker))


@click.command()
def migrate() -> None:
    """Apply pending database migrations."""
    open_engine(load_settings()).dispose()
    click.echo("database is up to date")


@click.command()
@click.option("--orders-per-merchant", default=24, show_default=True, type=int)
def demo(orders_per_merchant: int) -> None:
    """Seed demo merchants and orders (idempotent), and print the URLs to open."""
    from portal.demo import seed

    settings = load_settings()
    engine = open_engine(settings)
    for line in seed(engine, settings, orders_per_merchant):
        click.echo(line)
    engine.dispose()
