"""Rate limits (lookups, console logins, unverifiable webhooks, live streams): `limits`' moving
window over the storage PORTAL_RATE_LIMIT_STORAGE names. memory:// counts in each process;
redis://HOST:PORT shares the counts between every process on every machine."""

from __future__ import annotations

import logging
import time

from limits import parse as parse_limit
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

# Seconds a client is asked to wait while the storage cannot be reached: a limit is never
# skipped (a password guessed while Redis is down would go uncounted), the action is refused.
STORAGE_DOWN_WAIT = 5


class RateLimits:
    def __init__(self, storage_uri: str) -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri, wrap_exceptions=True))

    def hit(self, limit: str, *keys: str) -> int | None:
        """Count one attempt; return seconds to wait when over `limit` (e.g. "10/minute"), else None."""
        item = parse_limit(limit)
        try:
            if self.limiter.hit(item, *keys):
                return None
            reset_at, _ = self.limiter.get_window_stats(item, *keys)
        except StorageError as exc:
            log.error("rate-limit storage unavailable (%s): refusing %s for now", exc.storage_error, keys[0])
            return STORAGE_DOWN_WAIT
        return max(1, int(reset_at - time.time()) + 1)
