"""Signed links: tracking links /{shop}/orders/{token}, and order-history links (HistorySigner).

A token is `<public id>.<signature>`. The public id is random (unguessable on its own); the
signature covers the public id and the order's link nonce, so rotating the nonce revokes every
link issued before, and a token cannot be forged without the secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from typing import Any

from itsdangerous import BadSignature, Signer, TimestampSigner

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}$")


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def new_link_nonce() -> str:
    return secrets.token_urlsafe(9)


class LinkSigner:
    def __init__(self, secret_key: str, salt: str = "portal.order-link") -> None:
        self._signer = Signer(secret_key, salt=salt, digest_method=hashlib.sha256)

    def token(self, public_id: str, nonce: str) -> str:
        signature = self._signer.get_signature(f"{public_id}:{nonce}").decode()
        return f"{public_id}.{signature}"

    @staticmethod
    def public_id(token: str) -> str | None:
        """The public id a well-formed token names, before any check of its signature."""
        if not _TOKEN_RE.match(token or ""):
            return None
        return token.split(".", 1)[0]

    def verify(self, token: str, nonce: str) -> bool:
        public_id = self.public_id(token)
        if public_id is None:
            return False
        signature = token.split(".", 1)[1]
        # Compare the text, not the decoded bytes: base64 lets the last character vary in its unused
        # bits, and one link must have exactly one valid token.
        expected = self._signer.get_signature(f"{public_id}:{nonce}")
        return hmac.compare_digest(expected, signature.encode())


class OrderFormTokens:
    """CSRF tokens for the forms on a shopper's order page. The page is cached and shared by everyone
    holding its link, so a token is bound to the order (its public id and link nonce), not to a
    session: the same for each holder of the link, and out of reach without it."""

    def __init__(self, secret_key: str) -> None:
        self._links = LinkSigner(secret_key, salt="portal.order-form")

    def token(self, order: Any) -> str:
        return self._links.token(order.public_id, order.link_nonce)

    def valid(self, public_id: str, nonce: str, submitted: str) -> bool:
        return LinkSigner.public_id(submitted) == public_id and self._links.verify(submitted, nonce)


_HISTORY_TOKEN_RE = re.compile(r"^([A-Za-z0-9_-]{16,32})\.([A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{16,64})$")


class _IssuedAt(TimestampSigner):
    """A timestamp signer whose clock can be set: a link issued at a given moment (tests, support)."""

    def __init__(self, *args: Any, issued_at: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issued_at = issued_at

    def get_timestamp(self) -> int:
        return int(time.time() if self.issued_at is None else self.issued_at)


class HistorySigner:
    """Order-history links: /{shop}/history/<public id>.<timestamp>.<signature>.

    The public id names one order of the shopper (the anchor); the signature covers it, the
    anchor's link nonce and e-mail key, and the time of issue. So a link expires after `max_age`
    seconds, dies with the anchor's links (nonce rotated), and no longer opens once the anchor's
    e-mail changes. The e-mail itself never appears in the URL.
    """

    def __init__(self, secret_key: str, max_age: int) -> None:
        self.secret_key = secret_key
        self.max_age = max_age

    def _signer(self, issued_at: float | None = None) -> _IssuedAt:
        return _IssuedAt(self.secret_key, salt="portal.order-history", digest_method=hashlib.sha256,
                         issued_at=issued_at)

    def token(self, public_id: str, nonce: str, email_key: str, issued_at: float | None = None) -> str:
        signed = self._signer(issued_at).sign(f"{public_id}:{nonce}:{email_key}").decode()
        return f"{public_id}.{signed.rsplit('.', 2)[1]}.{signed.rsplit('.', 2)[2]}"

    @staticmethod
    def public_id(token: str) -> str | None:
        """The anchor's public id a well-formed token names, before any check of its signature."""
        match = _HISTORY_TOKEN_RE.match(token or "")
        return match.group(1) if match else None

    def verify(self, token: str, nonce: str, email_key: str) -> bool:
        match = _HISTORY_TOKEN_RE.match(token or "")
        if match is None:
            return False
        public_id, stamped = match.groups()
        try:
            self._signer().unsign(f"{public_id}:{nonce}:{email_key}.{stamped}", max_age=self.max_age)
        except BadSignature:  # SignatureExpired is one too
            return False
        return True
