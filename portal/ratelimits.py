"""Rate limits (lookups, console logins, unverifiable webhooks, live streams): `limits`' moving
window over the storage PORTAL_RATE_LIMIT_STORAGE names. memory:// counts in each process;
redis://HOST:PORT shares the counts between every process on every machine.

The storage is `limits`' asyncio one, so a slow or unreachable Redis holds up only the request
that asked, never the event loop every other request of the process runs on."""

from __future__ import annotations

import logging
import time

from limits import parse as parse_limit
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.asyncio import ConnectionPool

log = logging.getLogger(__name__)

# Seconds a client is asked to wait while the storage cannot be reached: a limit is never
# skipped (a password guessed while Redis is down would go uncounted), the action is refused.
STORAGE_DOWN_WAIT = 5
# Bounds one Redis round trip, so a request waits at most this long for an unreachable storage.
REDIS_TIMEOUT_SECONDS = 2.0


class RateLimits:
    def __init__(self, storage_uri: str) -> None:
        scheme, _, rest = storage_uri.removeprefix("async+").partition("://")
        options: dict = {"wrap_exceptions": True}
        # Our own pool for a single Redis server, so that close() can end its connections.
        self.pool: ConnectionPool | None = None
        if scheme in ("redis", "rediss", "redis+unix"):
            self.pool = ConnectionPool.from_url(f"{'unix' if scheme == 'redis+unix' else scheme}://{rest}",
                                                socket_timeout=REDIS_TIMEOUT_SECONDS,
                                                socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
            options.update(implementation="redispy", connection_pool=self.pool)
        elif "redis" in scheme:  # sentinel or cluster: redis-py's asyncio client too
            options.update(implementation="redispy")
        self.limiter = MovingWindowRateLimiter(storage_from_string(f"async+{scheme}://{rest}", **options))

    async def hit(self, limit: str, *keys: str) -> int | None:
        """Count one attempt; return seconds to wait when over `limit` (e.g. "10/minute"), else None."""
        item = parse_limit(limit)
        try:
            if await self.limiter.hit(item, *keys):
                return None
            reset_at, _ = await self.limiter.get_window_stats(item, *keys)
        except StorageError as exc:
            log.error("rate-limit storage unavailable (%s): refusing %s for now", exc.storage_error, keys[0])
            return STORAGE_DOWN_WAIT
        return max(1, int(reset_at - time.time()) + 1)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.disconnect()
