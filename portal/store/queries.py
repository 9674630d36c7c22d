"""Queries, always scoped by merchant: one merchant never reads another's rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, or_
from sqlmodel import Session, col, select

from portal.store.models import (
    ApiKey,
    CustomStatus,
    LineItem,
    Merchant,
    MerchantUser,
    Order,
    Shipment,
    ThemeImage,
    ThemeRevision,
    TimelineEntry,
    TrackingEvent,
    TranslationOverride,
)
from portal.store.records import WebhookDelivery, WebhookReceipt


def merchant_by_slug(session: Session, slug: str) -> Merchant | None:
    return session.exec(select(Merchant).where(Merchant.slug == slug)).first()


def merchant_by_id(session: Session, merchant_id: int) -> Merchant | None:
    return session.get(Merchant, merchant_id)


def user_by_id(session: Session, merchant_id: int, user_id: int) -> MerchantUser | None:
    return session.exec(
        select(MerchantUser).where(MerchantUser.merchant_id == merchant_id, MerchantUser.id == user_id)
    ).first()


def all_merchants(session: Session) -> Sequence[Merchant]:
    return session.exec(select(Merchant).order_by(Merchant.slug)).all()


def merchant_hosts(session: Session) -> list[str]:
    return [host for host in session.exec(select(Merchant.host)).all() if host]


def user_by_email(session: Session, merchant_id: int, email: str) -> MerchantUser | None:
    return session.exec(
        select(MerchantUser).where(MerchantUser.merchant_id == merchant_id, MerchantUser.email == email)
    ).first()


def users_by_email(session: Session, email: str) -> Sequence[MerchantUser]:
    return session.exec(select(MerchantUser).where(MerchantUser.email == email)).all()


def api_key_by_hash(session: Session, key_hash: str) -> ApiKey | None:
    return session.exec(
        select(ApiKey).where(ApiKey.key_hash == key_hash, col(ApiKey.revoked_at).is_(None))
    ).first()


_ORDER_BY_NUMBER_KEY = select(Order).where(
    Order.merchant_id == bindparam("merchant_id"), Order.number_key == bindparam("number_key"))
_ORDER_BY_EXTERNAL_ID = select(Order).where(
    Order.merchant_id == bindparam("merchant_id"), Order.source == bindparam("source"),
    Order.external_id == bindparam("external_id"))
_UPSERT_TARGETS = select(Order.id, Order.source, Order.external_id, Order.number_key).where(or_(
    and_(Order.merchant_id == bindparam("merchant_id"), Order.source == bindparam("source"),
         Order.external_id == bindparam("external_id")),
    and_(Order.merchant_id == bindparam("merchant_id"), Order.number_key == bindparam("number_key")),
))


def upsert_targets(session: Session, merchant_id: int, source: str, external_id: str | None,
                   number_key: str) -> tuple[Order | None, Order | None]:
    """(the order with this source and external id, the order with this number): which they are in
    one statement (each side of the OR uses its own index), loaded only when there is one (a new
    order, the common case on the webhook path, costs the lookup alone)."""
    found = session.connection().execute(_UPSERT_TARGETS, {
        "merchant_id": merchant_id, "source": source, "external_id": external_id, "number_key": number_key}).all()
    by_external = next((row.id for row in found if external_id and row.source == source
                        and row.external_id == external_id), None)
    by_number = next((row.id for row in found if row.number_key == number_key), None)
    return (session.get(Order, by_external) if by_external else None,
            session.get(Order, by_number) if by_number else None)


def order_by_number_key(session: Session, merchant_id: int, number_key: str) -> Order | None:
    return session.exec(_ORDER_BY_NUMBER_KEY, params={"merchant_id": merchant_id, "number_key": number_key}).first()


def order_by_external_id(session: Session, merchant_id: int, source: str, external_id: str) -> Order | None:
    return session.exec(_ORDER_BY_EXTERNAL_ID, params={
        "merchant_id": merchant_id, "source": source, "external_id": external_id}).first()


def order_by_public_id(session: Session, merchant_id: int, public_id: str) -> Order | None:
    return session.exec(
        select(Order).where(Order.merchant_id == merchant_id, Order.public_id == public_id)
    ).first()


def bump_merchant_version(session: Session, merchant_id: int) -> None:
    """Mark everything the merchant's pages show as changed (their ETags include this version).

    Through the loaded object (counted up in SQL), so the flush is seen like any other change of
    the shop: each process's shop cache forgets it at once (web._forget_changed_merchants), and
    no page kept for the old version is served again."""
    merchant = session.get(Merchant, merchant_id)
    if merchant is not None:
        merchant.version = Merchant.version + 1  # type: ignore[assignment]
        session.add(merchant)
        session.flush()


_ORDER_STAMP = (
    select(Order.id, Order.version, Order.link_nonce, Order.locale)
    .where(Order.merchant_id == bindparam("merchant_id"), Order.public_id == bindparam("public_id"))
)


def order_stamp(connection: Connection, merchant_id: int, public_id: str) -> tuple | None:
    """(id, version, link_nonce, locale) of an order: all a poll needs, from one indexed lookup.

    Runs on every order page view and poll, so it takes a plain connection (no ORM session: a
    third of the cost).
    """
    return connection.execute(_ORDER_STAMP, {"merchant_id": merchant_id, "public_id": public_id}).first()


def latest_order(session: Session, merchant_id: int) -> Order | None:
    return session.exec(
        select(Order).where(Order.merchant_id == merchant_id).order_by(col(Order.placed_at).desc()).limit(1)
    ).first()


# The order page's own statements, built once too: each page view that is not cached runs them.
_ORDER_BY_ID = select(Order).where(Order.merchant_id == bindparam("merchant_id"), Order.id == bindparam("order_id"))
_EVENTS_FOR = (select(TrackingEvent).where(col(TrackingEvent.shipment_id).in_(bindparam("shipment_ids", expanding=True)))
               .order_by(col(TrackingEvent.at).desc(), col(TrackingEvent.id).desc()))
_TIMELINE_ALL = (select(TimelineEntry).where(TimelineEntry.order_id == bindparam("order_id"))
                 .order_by(col(TimelineEntry.at).desc(), col(TimelineEntry.id).desc()))
_TIMELINE = {False: _TIMELINE_ALL, True: _TIMELINE_ALL.where(TimelineEntry.visible_to_shopper == True)}  # noqa: E712


def order_by_id(session: Session, merchant_id: int, order_id: int) -> Order | None:
    return session.exec(_ORDER_BY_ID, params={"merchant_id": merchant_id, "order_id": order_id}).first()


def shipment_by_id(session: Session, merchant_id: int, shipment_id: int) -> Shipment | None:
    return session.exec(
        select(Shipment).where(Shipment.merchant_id == merchant_id, Shipment.id == shipment_id)
    ).first()


def shipments_by_tracking_key(session: Session, merchant_id: int, tracking_key: str) -> Sequence[Shipment]:
    return session.exec(
        select(Shipment)
        .where(Shipment.merchant_id == merchant_id, Shipment.tracking_key == tracking_key)
        .order_by(col(Shipment.id).desc())
    ).all()


def custom_statuses(session: Session, merchant_id: int) -> Sequence[CustomStatus]:
    return shop_statuses(session, merchant_id)[1]


_SHOP_STATUSES = (
    select(Merchant.version, CustomStatus).select_from(Merchant)
    .outerjoin(CustomStatus, CustomStatus.merchant_id == Merchant.id)  # type: ignore[arg-type]
    .where(Merchant.id == bindparam("merchant_id"))
    .order_by(CustomStatus.position, CustomStatus.id)
)


def shop_statuses(session: Session, merchant_id: int) -> tuple[int | None, list[CustomStatus]]:
    """(the shop's version, its custom statuses), read together in one statement: one snapshot."""
    rows = session.exec(_SHOP_STATUSES, params={"merchant_id": merchant_id}).all()
    return (rows[0][0] if rows else None), [status for _, status in rows if status is not None]


def custom_status_by_id(session: Session, merchant_id: int, status_id: int) -> CustomStatus | None:
    return session.exec(
        select(CustomStatus).where(CustomStatus.merchant_id == merchant_id, CustomStatus.id == status_id)
    ).first()


def orders_with_custom_status(session: Session, merchant_id: int, key: str) -> Sequence[Order]:
    return session.exec(select(Order).where(Order.merchant_id == merchant_id, Order.custom_status == key)).all()


_LINE_ITEMS = select(LineItem).where(LineItem.order_id == bindparam("order_id")).order_by(LineItem.position, LineItem.id)
_SHIPMENTS = select(Shipment).where(Shipment.order_id == bindparam("order_id")).order_by(Shipment.id)


def line_items(session: Session, order_id: int) -> Sequence[LineItem]:
    return session.exec(_LINE_ITEMS, params={"order_id": order_id}).all()


def shipments(session: Session, order_id: int) -> Sequence[Shipment]:
    return session.exec(_SHIPMENTS, params={"order_id": order_id}).all()


def events_for(session: Session, shipment_ids: Sequence[int]) -> Sequence[TrackingEvent]:
    if not shipment_ids:
        return []
    return session.exec(_EVENTS_FOR, params={"shipment_ids": list(shipment_ids)}).all()


def timeline(session: Session, order_id: int, shopper_only: bool = True) -> Sequence[TimelineEntry]:
    return session.exec(_TIMELINE[shopper_only], params={"order_id": order_id}).all()


# The order page's order and lists as plain rows (read by attribute, like the models): the page
# only reads them, and loading ORM objects cost it more than the queries. A tracking event's raw
# payload (JSON, kept for staff) is left out: no page shows it.
_EVENTS_OF_ORDER = (
    select(*[c for c in TrackingEvent.__table__.columns if c.key != "raw"])  # type: ignore[attr-defined]
    .where(col(TrackingEvent.shipment_id).in_(select(Shipment.id).where(Shipment.order_id == bindparam("order_id"))))
    .order_by(col(TrackingEvent.at).desc(), col(TrackingEvent.id).desc())
)
_ROWS = {statement: statement.with_only_columns(*columns)
         for statement, columns in (
             (_ORDER_BY_ID, Order.__table__.columns), (_LINE_ITEMS, LineItem.__table__.columns),  # type: ignore[attr-defined]
             (_SHIPMENTS, Shipment.__table__.columns), (_TIMELINE[True], TimelineEntry.__table__.columns))}  # type: ignore[attr-defined]


def _rows(session: Session, statement: Any, **params: Any) -> Sequence[Any]:
    """A Core statement's rows in the session's transaction, read by attribute or position."""
    return session.connection().execute(statement, params).all()


def order_row(session: Session, merchant_id: int, order_id: int) -> Any | None:
    """The order for its shopper page, as a plain row (read by attribute, like the model)."""
    return session.connection().execute(_ROWS[_ORDER_BY_ID], {"merchant_id": merchant_id, "order_id": order_id}).first()


def line_item_rows(session: Session, order_id: int) -> Sequence[Any]:
    return _rows(session, _ROWS[_LINE_ITEMS], order_id=order_id)


def shipment_rows(session: Session, order_id: int) -> Sequence[Any]:
    return _rows(session, _ROWS[_SHIPMENTS], order_id=order_id)


def event_rows(session: Session, order_id: int) -> Sequence[Any]:
    """The tracking events of every parcel of the order, newest first."""
    return _rows(session, _EVENTS_OF_ORDER, order_id=order_id)


def timeline_rows(session: Session, order_id: int) -> Sequence[Any]:
    """The entries a shopper sees, newest first."""
    return _rows(session, _ROWS[_TIMELINE[True]], order_id=order_id)


@dataclass
class OrderPage:
    orders: Sequence[Order]
    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, -(-self.total // self.per_page))


def search_orders(
    session: Session,
    merchant_id: int,
    query: str = "",
    filters: dict[str, str] | None = None,
    page: int = 1,
    per_page: int = 50,
) -> OrderPage:
    where = [Order.merchant_id == merchant_id]
    query = query.strip()
    if query:
        key = query.lstrip("#").replace(" ", "").lower()
        where.append(
            or_(
                col(Order.number_key).startswith(key),
                col(Order.email_key) == query.lower(),
                col(Order.external_id) == query,
            )
        )
    for column in ("status", "payment_status", "fulfillment_status", "return_status"):
        value = (filters or {}).get(column)
        if value:
            where.append(getattr(Order, column) == value)
    total = session.exec(select(func.count()).select_from(Order).where(*where)).one()
    page = max(1, page)
    orders = session.exec(
        select(Order)
        .where(*where)
        .order_by(col(Order.placed_at).desc(), col(Order.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return OrderPage(orders=orders, total=total, page=page, per_page=per_page)


_RECEIPT_HASH = select(WebhookReceipt.body_hash).where(
    WebhookReceipt.merchant_id == bindparam("merchant_id"),
    WebhookReceipt.platform == bindparam("platform"),
    WebhookReceipt.delivery_id == bindparam("delivery_id"),
)


def receipt_body_hash(session: Session, merchant_id: int, platform: str, delivery_id: str) -> str | None:
    """The body hash of a delivery already received, or None (first statement of every webhook)."""
    return session.connection().execute(_RECEIPT_HASH, {
        "merchant_id": merchant_id, "platform": platform, "delivery_id": delivery_id}).scalar()


def webhook_deliveries(session: Session, merchant_id: int, limit: int = 100) -> Sequence[WebhookDelivery]:
    return session.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.merchant_id == merchant_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    ).all()


def prune_webhook_deliveries(session: Session, merchant_id: int, keep: int) -> None:
    """Drop all but the newest `keep` log rows of a merchant."""
    cutoff = session.exec(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.merchant_id == merchant_id)
        .order_by(col(WebhookDelivery.id).desc())
        .offset(keep)
        .limit(1)
    ).first()
    if cutoff is not None:
        session.exec(delete(WebhookDelivery).where(  # type: ignore[call-overload]
            WebhookDelivery.merchant_id == merchant_id, col(WebhookDelivery.id) <= cutoff))


def prune_webhook_receipts(session: Session, merchant_id: int, before: datetime) -> None:
    session.exec(delete(WebhookReceipt).where(  # type: ignore[call-overload]
        WebhookReceipt.merchant_id == merchant_id, col(WebhookReceipt.received_at) < before))


def translation_overrides(session: Session, merchant_id: int, locale: str | None = None) -> Sequence[TranslationOverride]:
    query = select(TranslationOverride).where(TranslationOverride.merchant_id == merchant_id)
    if locale is not None:
        query = query.where(TranslationOverride.locale == locale)
    return session.exec(query.order_by(TranslationOverride.locale, TranslationOverride.msgid)).all()


def translation_override(session: Session, merchant_id: int, locale: str, msgctxt: str,
                         msgid: str) -> TranslationOverride | None:
    return session.exec(select(TranslationOverride).where(
        TranslationOverride.merchant_id == merchant_id, TranslationOverride.locale == locale,
        TranslationOverride.msgctxt == msgctxt, TranslationOverride.msgid == msgid)).first()


def theme_revision(session: Session, merchant_id: int, kind: str) -> ThemeRevision | None:
    return session.exec(select(ThemeRevision).where(
        ThemeRevision.merchant_id == merchant_id, ThemeRevision.kind == kind)).first()


def theme_image(session: Session, merchant_id: int, digest: str, ext: str | None = None) -> ThemeImage | None:
    """A merchant's theme image by the digest of its bytes (and its file type, if given)."""
    query = select(ThemeImage).where(ThemeImage.merchant_id == merchant_id, ThemeImage.digest == digest)
    if ext is not None:
        query = query.where(ThemeImage.ext == ext)
    return session.exec(query).first()
