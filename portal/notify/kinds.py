"""What the console calls each kind of e-mail the outbox holds (its "Recent e-mails" list)."""

from __future__ import annotations

from portal.i18n import gettext
from portal.i18n.labels import N_
from portal.notify import digest, notifications, return_mail
from portal.orders import history

# Kind -> label, translated when shown. Every kind any module queues must be here: a missing one
# would show its raw key in the console (tests/test_notifications.py checks them all).
LABELS: dict[str, str] = {
    **notifications.SWITCH_LABELS,
    notifications.TRACKING_LINK: N_("Tracking link"),
    notifications.TEST: N_("Test e-mail"),
    history.KIND: N_("Order history"),
    digest.KIND: N_("Late shipments"),
    return_mail.KINDS["requested"]: N_("Return requested"),
    return_mail.KINDS["approved"]: N_("Return approved"),
    return_mail.KINDS["declined"]: N_("Return declined"),
    return_mail.KINDS["received"]: N_("Return received"),
    return_mail.KINDS["refunded"]: N_("Return refunded"),
}


def labels() -> dict[str, str]:
    """Every kind's label in the active locale."""
    return {kind: gettext(label) for kind, label in LABELS.items()}
