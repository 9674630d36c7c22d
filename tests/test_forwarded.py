"""PORTAL_FORWARDED_ALLOW_IPS: whose X-Forwarded-For names the client a rate limit counts."""

from __future__ import annotations

import urllib.error
import urllib.request

from portal.app import create_app
from tests.conftest import serving


def lookup(url: str, forwarded_for: str) -> int:
    request = urllib.request.Request(url + "/acme/track", data=b"order_number=1&contact=x", method="POST",
                                     headers={"X-Forwarded-For": forwarded_for})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_behind_a_named_proxy_each_forwarded_client_has_its_own_limit(settings, merchant):
    app = create_app(settings.model_copy(update={"forwarded_allow_ips": "127.0.0.1", "lookup_rate_limit": "2/minute"}))
    with serving(app) as server:
        first = [lookup(server.url, "198.51.100.7, 127.0.0.1") for _ in range(3)]
        other = lookup(server.url, "198.51.100.8")
    assert 429 not in first[:2] and first[2] == 429
    assert other != 429


def test_by_default_no_proxy_is_believed_not_even_loopback(settings, merchant):
    app = create_app(settings.model_copy(update={"lookup_rate_limit": "2/minute"}))
    with serving(app) as server:
        statuses = [lookup(server.url, f"198.51.100.{n}") for n in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429
