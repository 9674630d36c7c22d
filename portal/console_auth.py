"""Console logins and sessions: checking a login, who a session belongs to, ending sessions, and
each user's console language.

A session carries its user's session version; logout and a password change move the version on,
so every cookie issued before (on any device, copied or not) counts as logged out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from portal import i18n
from portal.i18n import gettext
from portal.security import verify_password
from portal.store import logins, queries
from portal.store.models import Merchant


@dataclass(frozen=True)
class ConsoleLogin:
    merchant_id: int
    user_id: int
    session_version: int


@dataclass(frozen=True)
class ConsoleUser:
    """Who is using the console: `locale` is their own choice of language (None: the browser's)."""

    id: int
    email: str
    locale: str | None


def check_login(session: Session, shop: str, email: str, password: str) -> ConsoleLogin | None:
    # Slugs are stored in lower case: "ACME" and " acme " name the shop "acme".
    merchant = queries.merchant_by_slug(session, shop.strip().lower())
    user = queries.user_by_email(session, merchant.id, email) if merchant else None
    # Checked against a dummy hash when there is no such user: the answer takes as long either way.
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    return ConsoleLogin(user.merchant_id, user.id, user.session_version)


def session_login(session: Session, user_id: object, merchant_id: object,
                  version: object) -> tuple[Merchant, ConsoleUser] | None:
    """The shop and user a session is logged in as, or None when its user is gone or its version is old."""
    if not (isinstance(user_id, int) and isinstance(merchant_id, int) and isinstance(version, int)):
        return None
    found = logins.session_login(session, user_id, merchant_id, version)
    if found is None:
        return None
    merchant, user = found
    return merchant, ConsoleUser(id=user.id or 0, email=user.email, locale=user.locale)


def end_sessions(session: Session, user_id: int, version: int) -> None:
    """Log the user out everywhere, if `version` is still theirs (a stale cookie ends nothing)."""
    logins.bump_session_version(session, user_id, version)


def console_locales() -> tuple[str, ...]:
    """Every shipped catalog: the console speaks them all, whatever the shop offers its shoppers."""
    return i18n.catalogs().available()


def set_locale(session: Session, merchant_id: int, user_id: int, value: str) -> str | None:
    """Store the user's console language ('' = follow the browser); ValueError for one we do not ship."""
    if not value:
        locale = None
    else:
        locale = i18n.normalise_locale(value)
        if locale not in console_locales():
            raise ValueError(gettext("The console is not available in that language."))
    logins.set_user_locale(session, merchant_id, user_id, locale)
    return locale
