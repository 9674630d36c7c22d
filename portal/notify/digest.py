"""The daily e-mail digest of late shipments (analytics/delays.py) to a shop's support address.

A shop opts in (`delay_digest`). The outbox worker (`portal worker`, or the one inside `portal
serve`) queues one through the outbox on its first round of each day in the shop's time zone that
finds late shipments, one per shop and day (the outbox's dedupe key: several workers send it once),
and composes it when it sends it, from the delays as they are then.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from portal import i18n, inputs
from portal.analytics import delays
from portal.analytics.periods import shop_zone
from portal.i18n import ngettext
from portal.notify import envelope
from portal.store import outbox, queries
from portal.store.models import Merchant
from portal.store.records import OutboxMessage

if TYPE_CHECKING:
    from portal.web import Portal

KIND = "delay_digest"
# How often a worker looks for shops whose digest is due (a look costs a query per opted-in shop).
CHECK_SECONDS = 300.0


def _recipient(merchant: Merchant) -> str | None:
    address = merchant.support_email
    return address if address and not inputs.text_problem(address) else None


def queue_due(session: Session, merchant: Merchant, now: datetime | None = None) -> bool:
    """Queue today's digest for the shop if it opted in, has a support address and late shipments,
    and has none queued today; True when one was queued."""
    recipient = _recipient(merchant)
    if not delays.digest_on(merchant) or recipient is None:
        return False
    now = now or datetime.now(timezone.utc)
    key = f"{KIND}:{now.astimezone(shop_zone(merchant.timezone)).date().isoformat()}"
    if outbox.queued(session, merchant.id, key) or not delays.late_shipments(session, merchant, now, limit=1):
        return False
    return outbox.queue(session, [outbox.message(merchant.id, None, KIND, recipient, key)]) == 1


class DigestSchedule:
    """When this worker last looked for due digests; it looks again after CHECK_SECONDS."""

    def __init__(self) -> None:
        self.next_check = 0.0

    def due(self) -> bool:
        if time.monotonic() < self.next_check:
            return False
        self.next_check = time.monotonic() + CHECK_SECONDS
        return True


def queue_all_due(session: Session, now: datetime | None = None) -> int:
    """Queue the digests due now for every shop; returns how many were queued."""
    return sum(queue_due(session, merchant, now) for merchant in queries.all_merchants(session)
               if delays.digest_on(merchant))


def compose(portal: Portal, router: Any, session: Session, merchant: Merchant,
            message: OutboxMessage) -> EmailMessage | str:
    """The digest e-mail, or the reason it is not sent (switched off, no address, nothing late any more)."""
    recipient = _recipient(merchant)
    if not delays.digest_on(merchant):
        return "the shop switched the digest off"
    if recipient is None:
        return "the shop has no support e-mail address"
    late = delays.late_shipments(session, merchant)
    if not late:
        return "no shipment is late any more"
    locale = envelope.activate_locale(portal, merchant)
    subject = ngettext("%(num)d late shipment at %(shop)s", "%(num)d late shipments at %(shop)s",
                       len(late)) % {"num": len(late), "shop": merchant.name}
    context = {
        "merchant": merchant, "delays": late, "subject": subject, "stale_after_days": delays.stale_after_days(merchant),
        "order_url": lambda order_id: envelope.absolute(portal, str(router.url_path_for("admin_order",
                                                                                        order_id=order_id))),
        "analytics_url": envelope.absolute(portal, str(router.url_path_for("admin_analytics"))),
        "html_lang": i18n.html_lang(locale), "dir": i18n.text_direction(locale), "limit": delays.LIMIT,
    }
    return envelope.compose(portal, merchant, message, recipient, subject, "email/delay_digest", context, locale)
