"""Passwords, API keys and CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

API_KEY_PREFIX = "ptk_"
# A valid-looking hash that matches no password: verifying against it costs the same time as a
# real check, so a login for an unknown e-mail is not faster than one with a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_api_key() -> tuple[str, str, str]:
    """Return (the key to show once, its lookup prefix, its stored hash)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[: len(API_KEY_PREFIX) + 8], hash_api_key(key)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def hmac_signature_valid(body: bytes, signature: str | None, secrets_: list[str | None]) -> bool:
    """base64(HMAC-SHA256(secret, raw body)) as Shopify and WooCommerce send it, against each secret.

    Every configured secret is compared (constant time each) so the time taken does not reveal
    which one, if any, matched.
    """
    if not signature:
        return False
    given = signature.strip().encode()
    matched = False
    for secret in secrets_:
        if secret:
            expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
            matched |= hmac.compare_digest(expected, given)
    return matched


CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(session: dict) -> str:
    """The session's token, masked afresh for each page: compressed pages never repeat its bytes (BREACH)."""
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(24)
        session[CSRF_SESSION_KEY] = token
    secret = token.encode()
    pad = secrets.token_bytes(len(secret))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, secret))).decode()


def _unmask(submitted: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(submitted.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return b""
    half = len(raw) // 2
    return bytes(a ^ b for a, b in zip(raw[:half], raw[half:])) if len(raw) == 2 * half else b""


def csrf_valid(session: dict, submitted: str | None) -> bool:
    expected = session.get(CSRF_SESSION_KEY)
    return bool(expected and submitted) and hmac.compare_digest(str(expected).encode(), _unmask(str(submitted)))
