"""Console users' sessions: who a session belongs to, ending all of a user's sessions, and each
user's own console language."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from portal.store.models import Merchant, MerchantUser


def session_login(session: Session, user_id: int, merchant_id: int,
                  version: int) -> tuple[Merchant, MerchantUser] | None:
    """The shop and user of a console session, if the user still exists with that session version."""
    row = session.exec(
        select(Merchant, MerchantUser).join(MerchantUser, MerchantUser.merchant_id == Merchant.id)  # type: ignore[arg-type]
        .where(MerchantUser.id == user_id, Merchant.id == merchant_id, MerchantUser.session_version == version)
    ).first()
    return (row[0], row[1]) if row else None


def bump_session_version(session: Session, user_id: int, version: int | None = None) -> None:
    """Move the user's session version on (only from `version`, when given): every cookie carrying
    the old one stops counting as logged in."""
    statement = (update(MerchantUser).where(MerchantUser.id == user_id)  # type: ignore[arg-type]
                 .values(session_version=MerchantUser.session_version + 1))
    if version is not None:
        statement = statement.where(MerchantUser.session_version == version)  # type: ignore[arg-type]
    session.exec(statement)  # type: ignore[call-overload]


def set_user_locale(session: Session, merchant_id: int, user_id: int, locale: str | None) -> None:
    session.exec(update(MerchantUser)  # type: ignore[call-overload]
                 .where(MerchantUser.id == user_id, MerchantUser.merchant_id == merchant_id)  # type: ignore[arg-type]
                 .values(locale=locale))
