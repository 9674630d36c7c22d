"""Console users' sessions: who a session belongs to, and ending all of a user's sessions."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from portal.store.models import Merchant, MerchantUser


def session_merchant(session: Session, user_id: int, merchant_id: int, version: int) -> Merchant | None:
    """The shop of a console session, if its user still exists with that session version."""
    return session.exec(
        select(Merchant).join(MerchantUser, MerchantUser.merchant_id == Merchant.id)  # type: ignore[arg-type]
        .where(MerchantUser.id == user_id, Merchant.id == merchant_id, MerchantUser.session_version == version)
    ).first()


def bump_session_version(session: Session, user_id: int, version: int | None = None) -> None:
    """Move the user's session version on (only from `version`, when given): every cookie carrying
    the old one stops counting as logged in."""
    statement = (update(MerchantUser).where(MerchantUser.id == user_id)  # type: ignore[arg-type]
                 .values(session_version=MerchantUser.session_version + 1))
    if version is not None:
        statement = statement.where(MerchantUser.session_version == version)  # type: ignore[arg-type]
    session.exec(statement)  # type: ignore[call-overload]
