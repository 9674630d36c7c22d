"""Settings, read from the environment (PORTAL_ prefix) or a `.env` file. Nothing is read at import."""

from __future__ import annotations

import re
import secrets
from functools import cached_property
from pathlib import Path

from limits import parse as parse_limit
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from portal.live.pagecache import MAX_PAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A host name, or a pattern as Starlette's TrustedHostMiddleware takes them: "*" or "*.example.com".
ALLOWED_HOST_RE = re.compile(r"^(?:\*|(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)$")


def parse_allowed_hosts(value: str) -> list[str]:
    """PORTAL_ALLOWED_HOSTS (comma separated) as a list; ValueError names an entry that is no host."""
    hosts = [part.strip().lower() for part in value.split(",") if part.strip()]
    bad = [host for host in hosts if not ALLOWED_HOST_RE.match(host)]
    if bad:
        raise ValueError(f"not a host name or *.domain pattern: {', '.join(bad)}")
    return hosts


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./instance/portal.db"
    # When unset, a random key is generated once and kept in instance/secret_key, so signed
    # links survive restarts of a development install without anyone pasting a secret.
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # Host headers served besides PORTAL_BASE_URL's host and merchants' hosts (comma separated,
    # "*.example.com" patterns allowed); empty: localhost and 127.0.0.1 (portal/hosts.py).
    allowed_hosts: str = ""
    instance_dir: Path = Path("instance")
    themes_dir: Path = PROJECT_ROOT / "themes"
    locales_dir: Path = PROJECT_ROOT / "locales"
    static_dir: Path = PROJECT_ROOT / "static"
    debug: bool = False
    # `make run` serves the demo: the front page then lists the demo shops (portal/demo.py).
    demo: bool = False

    max_body_bytes: int = Field(default=1_000_000, description="Largest request body accepted (413 above)")
    import_max_bytes: int = Field(default=5_000_000, description="Largest CSV file the console accepts")
    lookup_rate_limit: str = "10/minute"
    # Where rate-limit counts live (a `limits` storage URI): memory:// counts in each process;
    # redis://HOST:PORT shares them between every process on every machine.
    rate_limit_storage: str = "memory://"
    # Proxies (IPs or networks, comma-separated) whose X-Forwarded-For / X-Forwarded-Proto are
    # believed; empty: none, not even loopback. The client a rate limit counts comes from there only.
    forwarded_allow_ips: str = ""
    lookup_failure_floor_ms: int = 400
    # Order-history e-mails one address may be sent per shop (the asker's own limit is the lookup's).
    history_email_rate_limit: str = "3/hour"
    session_max_age: int = 8 * 3600
    # Console log-in attempts (right or wrong): per account (shop + e-mail) and per client.
    login_rate_limit: str = "10/15 minutes"
    login_client_rate_limit: str = "30/15 minutes"
    # Webhook deliveries that cannot be verified (and WooCommerce's unsigned pings), per client.
    unverified_webhook_rate_limit: str = "60/minute"
    # Threads that run shopper page reads (shop, order stamp, order, lookup). A few are enough:
    # each read is one indexed query, and more threads only fight over Python's GIL. 0 runs them on
    # the event loop itself. Unset: 0 on SQLite (an indexed read in the process's own memory is a
    # fraction of a millisecond, and handing it to a thread and back cost more than the read), 4 on
    # PostgreSQL (a network round trip, which must not hold up the event loop).
    db_read_threads: int | None = Field(default=None, ge=0, le=64)
    # Threads per process that run ingestion writes (API, webhooks). Unset: 1 on SQLite (one writer
    # at a time: more threads only wait on each other), 8 on PostgreSQL.
    db_write_threads: int | None = Field(default=None, ge=1, le=64)
    # Order pages kept rendered in memory (portal/live/pagecache.py); 0 renders every view afresh.
    page_cache_size: int = Field(default=MAX_PAGES, ge=0)
    https_only_cookies: bool = False

    # Live updates (Server-Sent Events): keep-alive comments for proxies, idle streams closed
    # (browsers reconnect), and bounds so one client cannot hold the server's connections.
    live_heartbeat_seconds: float = 15.0
    live_idle_timeout_seconds: float = 600.0
    live_send_timeout_seconds: float = 10.0
    live_stream_rate_limit: str = "30/minute"  # streams one client may open (shared like the others)
    live_max_streams: int = 5000  # open at once in one server process
    live_max_streams_per_client: int = Field(default=8, ge=1)  # open at once from one client, per process
    # On SQLite, how often each server process reads the changes the others committed.
    live_poll_seconds: float = Field(default=1.0, gt=0)

    # Shopper e-mails. No host: nothing is sent (messages wait in the outbox until one is set).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True  # upgrade a plain connection (port 587)
    smtp_ssl: bool = False  # TLS from the first byte (port 465)
    smtp_from: str = "notifications@localhost"  # the sender address; the display name is the shop's
    smtp_timeout: float = 15.0
    # Run the outbox worker inside the web server process (`portal serve` turns it on).
    embedded_worker: bool = False
    worker_poll_seconds: float = 2.0
    # A claimed message is retried by any worker once its lease runs out (a crash mid-send).
    mail_lease_seconds: int = 120
    mail_max_attempts: int = 10
    mail_retry_base_seconds: float = 30.0
    mail_retry_max_seconds: float = 3600.0

    # Console analytics: order page views and guest lookups are counted in each server process's
    # memory and added to the database every this many seconds (portal/analytics/counting.py).
    analytics_counting: bool = True
    analytics_flush_seconds: float = Field(default=60.0, gt=0)

    @field_validator("allowed_hosts")
    @classmethod
    def _allowed_hosts(cls, value: str) -> str:
        parse_allowed_hosts(value)
        return value

    @field_validator("lookup_rate_limit", "login_rate_limit", "login_client_rate_limit",
                     "unverified_webhook_rate_limit", "live_stream_rate_limit", "history_email_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        # Refused at start-up rather than failing every request it would count.
        try:
            parse_limit(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit such as '10/minute' or '10 per 15 minutes'") from exc
        return value

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = self.instance_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
