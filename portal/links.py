"""Signed tracking links: /{shop}/orders/{token}.

A token is `<public id>.<signature>`. The public id is random (unguessable on its own); the
signature covers the public id and the order's link nonce, so rotating the nonce revokes every
link issued before, and a token cannot be forged without the secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from itsdangerous import Signer

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
