"""Console logins and sessions: checking a login, who a session belongs to, ending sessions.

A session carries its user's session version; logout and a password change move the version on,
so every cookie issued before (on any device, copied or not) counts as logged out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from portal.security import verify_password
from portal.store import logins, queries
from portal.store.models import Merchant


@dataclass(frozen=True)
class ConsoleLogin:
    merchant_id: int
    user_id: int
    session_version: int


def check_login(session: Session, shop: str, email: str, password: str) -> ConsoleLogin | None:
    merchant = queries.merchant_by_slug(session, shop)
    user = queries.user_by_email(session, merchant.id, email) if merchant else None
    # Checked against a dummy hash when there is no such user: the answer takes as long either way.
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    return ConsoleLogin(user.merchant_id, user.id, user.session_version)


def session_merchant(session: Session, user_id: object, merchant_id: object, version: object) -> Merchant | None:
    """The shop a session is logged in to, or None when its user is gone or its version is old."""
    if not (isinstance(user_id, int) and isinstance(merchant_id, int) and isinstance(version, int)):
        return None
    return logins.session_merchant(session, user_id, merchant_id, version)


def user_email(session: Session, merchant_id: int, user_id: object) -> str:
    """The e-mail a console user logs in with ("" for none of this shop's): how the staff timeline names them."""
    user = queries.user_by_id(session, merchant_id, user_id) if isinstance(user_id, int) else None
    return user.email if user else ""


def end_sessions(session: Session, user_id: int, version: int) -> None:
    """Log the user out everywhere, if `version` is still theirs (a stale cookie ends nothing)."""
    logins.bump_session_version(session, user_id, version)
