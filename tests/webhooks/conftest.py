"""Fixtures for the webhook tests (helpers live in support.py)."""

from tests.webhooks.support import store  # noqa: F401  (fixture)
