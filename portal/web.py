"""The portal's runtime parts (settings, engine, themes, caches, threads) and finding them from a
request: the app's Portal, URLs by route name, the merchant of a request."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import time
import weakref
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from babel.numbers import get_currency_name
from jinja2 import TemplateError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, configure_mappers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from portal import exchange, hosts, i18n, statuses
from portal.live import hub, panels
from portal.orders import contact, custom_statuses
from portal.i18n import headlines, labels, merchant_texts, overrides
from portal.links import LinkSigner, OrderFormTokens
from portal.merchants import RESERVED_SLUGS, SLUG_RE
from portal.money import known_currencies
from portal.live.pagecache import PageCache
from portal.analytics.counting import UsageCounter
from portal.ratelimits import RateLimits
from portal.settings import Settings
from portal.store import queries
from portal.store.db import session_scope
from portal.store.models import Merchant, Order
from portal.theming.themes import ThemeRegistry, content_hashes
from portal.ingest.write_groups import WriteGroups

log = logging.getLogger(__name__)

LOCALE_COOKIE = "portal_lang"
# The currency a shopper picked for approximate amounts ("-": they asked for none).
CURRENCY_COOKIE = "portal_currency"
# A merchant changed through any session of this process is forgotten at once (after_flush);
# a change made by another process (CLI, another server) shows within this many seconds.
MERCHANT_CACHE_SECONDS = 2.0
# What a rendered page depends on besides its URL.
VARY = "Accept-Language, Cookie"

T = TypeVar("T")


_portals: weakref.WeakSet[Portal] = weakref.WeakSet()


async def _run_in(executor: Executor | None, fn: Callable[..., T], *args: Any) -> T:
    call = functools.partial(contextvars.copy_context().run, fn, *args)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


def _forget_changed_merchants(session: Session, _context: object) -> None:
    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Merchant)]
    for portal in list(_portals):
        for merchant in changed:
            portal.forget_merchant(merchant.slug)


@dataclass(eq=False)
class Portal:
    """Everything a request may need, built once by create_app()."""

    settings: Settings
    engine: Engine
    themes: ThemeRegistry
    signer: LinkSigner
    catalogs: i18n.Catalogs
    limits: RateLimits
    live: hub.Broker
    merchant_hosts: hosts.MerchantHosts
    pages: PageCache = field(default_factory=PageCache)
    # static/ file -> content hash, read at start-up: `static()` URLs name the version (`?v=`).
    static_hashes: dict[str, str] = field(default_factory=dict)
    usage: UsageCounter = field(default_factory=UsageCounter)
    readers: ThreadPoolExecutor | None = None
    writers: ThreadPoolExecutor | None = None
    write_groups: WriteGroups | None = None
    _merchants: dict[str, tuple[float, Merchant | None]] = field(default_factory=dict)
    # merchant id -> (merchant version, {locale: overrides}); a changed override bumps the version.
    _overrides: dict[int, tuple[int, dict[str, i18n.Overrides]]] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, engine: Engine) -> Portal:
        catalogs = i18n.configure(settings.locales_dir)
        themes = ThemeRegistry(
            settings.themes_dir,
            globals_={
                "status_label": labels.status_label,
                "tone": labels.tone,
                "timeline_text": labels.timeline_text,
                "headline_text": headlines.headline_text,
                "headline_detail": headlines.headline_detail,
                "adds_to": labels.adds_to,
                "contact_links": contact.contact_links,
                "parcel_step": statuses.shipment_step,
                "progress_steps": statuses.PROGRESS_STEPS,
                "date_range": i18n.date_range,
                "custom_status_label": custom_statuses.label,
                "merchant_text": merchant_texts.text,
                "approx_estimate": approx_estimate,
                "currency_choices": currency_choices,
                "timezone_name": i18n.timezone_name,
                "country_name": i18n.country_name,
                "custom_css_version": custom_statuses.css_version,
                "panel_attrs": panels.panel_attrs,
                "order_form_token": OrderFormTokens(settings.resolved_secret_key).token,
            },
            base_stylesheet=settings.static_dir / "portal.css",
        )
        if not event.contains(Session, "after_flush", _forget_changed_merchants):
            event.listen(Session, "after_flush", _forget_changed_merchants)
        portal = cls(
            settings=settings,
            engine=engine,
            themes=themes,
            signer=LinkSigner(settings.resolved_secret_key),
            catalogs=catalogs,
            limits=RateLimits(settings.rate_limit_storage),
            live=hub.Broker(settings.live_max_streams, settings.live_max_streams_per_client),
            merchant_hosts=hosts.MerchantHosts(engine, MERCHANT_CACHE_SECONDS),
            pages=PageCache(settings.page_cache_size),
            static_hashes=content_hashes(settings.static_dir),
            usage=UsageCounter(settings.analytics_counting),
        )
        sqlite = engine.dialect.name == "sqlite"
        readers = settings.db_read_threads if settings.db_read_threads is not None else (0 if sqlite else 4)
        if readers:
            portal.readers = ThreadPoolExecutor(readers, thread_name_prefix="portal-read")
            weakref.finalize(portal, portal.readers.shutdown, wait=False)
        writers = settings.db_write_threads or (1 if sqlite else 8)
        portal.writers = ThreadPoolExecutor(writers, thread_name_prefix="portal-write")
        portal.write_groups = WriteGroups(portal.writers)
        weakref.finalize(portal, portal.writers.shutdown, wait=False)
        _portals.add(portal)
        return portal

    def warm_up(self) -> None:
        """Do once, before the first request, what the first shoppers would otherwise wait for:
        about half a second per process (CLDR data of every shipped locale, compiling the shopper
        templates of every theme, the ORM's mapper set-up, the catalogs)."""
        configure_mappers()
        for name in self.themes.names():
            env = self.themes.environment(name)
            for template in self.themes.shopper_templates(name):
                try:
                    env.get_template(template)
                except TemplateError as exc:
                    # A theme's template that parses but does not compile (an unknown filter, say)
                    # fails its own pages, as it would without warming up; the portal still starts.
                    log.warning("theme %s: template %s does not compile: %s", name, template, exc)
        for code in self.catalogs.available():
            self.catalogs.translations(code)
            i18n.locale_display_name(code)  # loads the locale's CLDR data, which formatting uses too
        known_currencies()

    def cached_merchant(self, slug: str) -> tuple[bool, Merchant | None]:
        """(known, merchant) from the cache alone: no database, so no thread hop on the hot path."""
        cached = self._merchants.get(slug)
        if cached is not None and cached[0] > time.monotonic():
            return True, cached[1]
        return False, None

    def merchant(self, slug: str) -> Merchant | None:
        """The merchant for a shop slug, cached for a moment: every shopper request needs it."""
        known, merchant = self.cached_merchant(slug)
        if known:
            return merchant
        now = time.monotonic()
        with self.session() as session:
            merchant = queries.merchant_by_slug(session, slug)
        if len(self._merchants) > 10_000:
            self._merchants.clear()
        self._merchants[slug] = (now + MERCHANT_CACHE_SECONDS, merchant)
        return merchant

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a database read for a shopper page: in the portal's own small thread pool, or, with
        no reader threads (the SQLite default, `PORTAL_DB_READ_THREADS`), on the event loop.

        Starlette's run_in_threadpool (anyio, up to 40 threads, a cancel scope per call) costs more
        than the indexed query it wraps. A few dedicated threads cost less, and on SQLite none at
        all less again: a local read is shorter than the hand-over to a thread and back
        (docs/benchmarks.md). On PostgreSQL, where a read waits on the network, the threads keep the
        event loop free.
        """
        if self.readers is None:
            return fn(*args)
        return await _run_in(self.readers, fn, *args)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run an ingestion write transaction (API, webhooks) in the portal's writer threads
        (portal.writers: on SQLite one per process, so that the process's writes queue there
        instead of racing for SQLite's one write lock)."""
        return await _run_in(self.writers, fn, *args)

    async def write_grouped(self, together: Callable[..., list[T]], alone: Callable[..., T], *item: Any) -> T:
        """`alone(engine, *item)` in the writer threads, or, with the same kind of writes waiting
        beside it, one `together(engine, items)` transaction for all of them (write_groups)."""
        return await self.write_groups.run(together, alone, (self.engine,), item)

    def forget_merchant(self, slug: str) -> None:
        self._merchants.pop(slug, None)
        self.merchant_hosts.forget()

    def session(self):
        return session_scope(self.engine)

    def link_token(self, order: Order) -> str:
        return self.signer.token(order.public_id, order.link_nonce)

    def tracking_path(self, merchant: Merchant, order: Order, router: Any) -> str:
        return str(router.url_path_for("order_page", shop=merchant.slug, token=self.link_token(order)))

    def translation_overrides(self, merchant: Merchant) -> dict[str, i18n.Overrides]:
        cached = self._overrides.get(merchant.id)
        if cached is not None and cached[0] == merchant.version:
            return cached[1]
        with self.session() as session:
            loaded = overrides.load(session, merchant.id, self.settings.locales_dir)
        if len(self._overrides) > 10_000:
            self._overrides.clear()
        self._overrides[merchant.id] = (merchant.version, loaded)
        return loaded

    def available_locales(self, merchant: Merchant | None) -> list[str]:
        """Shipped catalogs, plus languages this merchant supplied translations for."""
        extra = self.translation_overrides(merchant).keys() if merchant is not None else ()
        return sorted(set(self.catalogs.available()) | set(extra))

    def enabled_locales(self, merchant: Merchant | None) -> list[str]:
        available = self.available_locales(merchant)
        if merchant is None or not merchant.enabled_locales.strip():
            return list(available)
        wanted = [code.strip() for code in merchant.enabled_locales.split(",") if code.strip()]
        return [code for code in wanted if code in available] or [merchant.default_locale or "en"]

    async def hit_limit(self, limit: str, *keys: str) -> int | None:
        """Count one attempt; return seconds to wait when over the limit, else None (portal.ratelimits)."""
        return await self.limits.hit(limit, *keys)


def url_path(app: Any, name: str, **params: Any) -> str:
    """app.url_path_for, remembered: the route table never changes once built, and a page asks for
    a dozen paths (stylesheets, images, links) that would each walk it again. A path not seen yet
    (one with an order's token) is asked of its route directly: walking the table tried each route
    in turn, and each that did not match raised an exception (about 30 per path)."""
    cache: dict[tuple, str] = app.state.url_paths
    key = (name, *sorted(params.items()))
    path = cache.get(key)
    if path is None:
        if len(cache) >= 10_000:  # links carry per-order tokens: keep the memory bounded
            cache.clear()
        route = routes_by_name(app).get(name)
        path = cache[key] = str((route or app).url_path_for(name, **params))
    return path


def routes_by_name(app: Any) -> dict[str, Route]:
    """The app's top-level routes by name, for names only one route has (a Mount and a repeated
    name go through the whole table)."""
    index = getattr(app.state, "routes_by_name", None)
    if index is None:
        named = Counter(getattr(route, "name", None) for route in app.routes)
        index = app.state.routes_by_name = {route.name: route for route in app.routes
                                            if isinstance(route, Route) and named[route.name] == 1}
    return index


def portal_of(request: Request) -> Portal:
    return request.app.state.portal


async def merchant_or_404(request: Request) -> Merchant:
    portal = portal_of(request)
    slug = request.path_params.get("shop", "")
    merchant = await shop_by_slug(portal, slug) if len(slug) <= 64 else None
    if merchant is None:
        raise HTTPException(status_code=404)
    request.state.merchant = merchant
    return merchant


async def merchant_of_path(request: Request) -> Merchant | None:
    """The shop a URL belongs to, also when no route claimed it: a 404 under /{shop}/ wears its theme."""
    merchant = getattr(request.state, "merchant", None)
    if merchant is not None:
        return merchant
    slug = request.url.path.strip("/").split("/", 1)[0]
    if not slug or len(slug) > 64 or slug in RESERVED_SLUGS:
        return None
    return await shop_by_slug(portal_of(request), slug)


async def shop_by_slug(portal: Portal, slug: str) -> Merchant | None:
    """The cached shop at once; the database (in a reader thread) only when the cache has no answer.
    What cannot be a slug (a NUL, a line break: PostgreSQL refuses NUL) names no shop."""
    if not SLUG_RE.fullmatch(slug):
        return None
    known, merchant = portal.cached_merchant(slug)
    return merchant if known else await portal.read(portal.merchant, slug)


def asked_currency(request: Request) -> str | None:
    """The currency the shopper picked for estimates (?currency=, then the remembered choice)."""
    return request.query_params.get("currency", request.cookies.get(CURRENCY_COOKIE))


def approx_estimate(request: Request, merchant: Merchant | None, order: Order | None) -> exchange.Estimate | None:
    """The order total in the currency the shopper picked (or their locale suggests), if offered."""
    if merchant is None or order is None or not exchange.offered(merchant):
        return None
    asked = asked_currency(request)
    target = exchange.choose(merchant, order.presentment_currency, None if asked is None else asked.strip("-"),
                             i18n.get_locale())
    return exchange.estimate(merchant, order.presentment_total, order.presentment_currency, target)


def currency_choices(merchant: Merchant | None, order: Order | None) -> list[tuple[str, str]]:
    """The currencies the shop offers for estimates that a rate converts this order into: one with
    no rate (no ECB rate, none of the shop's own) would show nothing when picked."""
    if merchant is None or order is None:
        return []
    source = order.presentment_currency
    return [(code, get_currency_name(code, locale=i18n.babel_locale(i18n.get_locale()))) for code in exchange.offered(merchant)
            if code != source and exchange.rate(merchant, source, code) is not None]
