"""Delivery feedback: once every parcel of an order is delivered, its shopper may rate it (1 to 5)
and add a comment. One per order; the shopper can change it for a week after first giving it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from portal import inputs
from portal.i18n import gettext, number
from portal.orders import changes
from portal.orders.shipments import all_delivered
from portal.store import feedback as stored
from portal.store import queries
from portal.store.models import utcnow
from portal.store.shopper_requests import OrderFeedback

EDIT_WINDOW = timedelta(days=7)
RATINGS = (1, 2, 3, 4, 5)
COMMENT_MAX = 2000
PER_PAGE = 50  # the console's list, a page at a time

# What the order page offers: nothing yet (not delivered), the form (first time, or within the
# week), or the feedback as given (the week is over).
CLOSED, OPEN, DONE = "closed", "open", "done"


class FeedbackError(ValueError):
    """Feedback that cannot be taken; the message is for the shopper, in their language."""


def state(delivered: bool, given: OrderFeedback | Any | None, now: datetime | None = None) -> str:
    if given is None:
        return OPEN if delivered else CLOSED
    return OPEN if (now or utcnow()) < given.created_at + EDIT_WINDOW else DONE


@dataclass(frozen=True)
class FeedbackView:
    """What the order page shows: its state, the feedback given (or None), until when it can change."""

    state: str = CLOSED
    given: OrderFeedback | None = None

    @property
    def until(self) -> datetime | None:
        return self.given.created_at + EDIT_WINDOW if self.given is not None else None


def of_order(session: Session, merchant_id: int, order_id: int, shipments: Sequence[Any]) -> FeedbackView:
    given = stored.of_order(session, merchant_id, order_id)
    return FeedbackView(state(all_delivered(shipments), given), given)


def _checked(rating_text: str, comment: str) -> tuple[int, str | None]:
    rating = int(rating_text) if rating_text.strip() in {str(r) for r in RATINGS} else None
    if rating is None:
        raise FeedbackError(gettext("Choose a rating from 1 to 5."))
    comment = comment.strip()
    if inputs.text_problem(comment, single_line=False):
        raise FeedbackError(gettext("The comment contains a character that cannot be saved. Remove it and try again."))
    if len(comment) > COMMENT_MAX:
        raise FeedbackError(gettext("The comment is too long: at most %(max)s characters.")
                            % {"max": number(COMMENT_MAX)})
    return rating, comment or None


def give(session: Session, merchant_id: int, order_id: int, rating_text: str, comment: str,
         now: datetime | None = None) -> OrderFeedback:
    """Save the shopper's rating and comment (new, or changed within the week), or raise FeedbackError."""
    order = queries.order_by_id(session, merchant_id, order_id)
    if order is None:
        raise FeedbackError(gettext("This order cannot be rated."))
    now = now or utcnow()
    given = stored.of_order(session, merchant_id, order_id)
    current = state(all_delivered(queries.shipments(session, order_id)), given, now)
    if current == CLOSED:
        raise FeedbackError(gettext("You can rate your order once it has been delivered."))
    if current == DONE:
        raise FeedbackError(gettext("Feedback can be changed for a week after it was given."))
    rating, text = _checked(rating_text, comment)
    if given is None:
        given = OrderFeedback(merchant_id=merchant_id, order_id=order_id, rating=rating, comment=text,
                              created_at=now, updated_at=now)
    else:
        given.rating, given.comment, given.updated_at = rating, text, now
    session.add(given)
    # A new version of the order: its cached page and ETags make way for one showing the feedback.
    changes.touch(session, order, ())
    return given


@dataclass
class ConsolePage:
    """One page of the shop's feedback for the console, and the whole shop's count and average."""

    rows: Sequence[Any]  # (feedback, order number), newest first
    matching: int  # of the rating asked for, or all
    page: int
    per_page: int
    count: int
    average: float | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.per_page))


def for_console(session: Session, merchant_id: int, rating: int | None = None, page: int = 1,
                per_page: int = PER_PAGE) -> ConsolePage:
    page = max(1, page)
    count, average = stored.summary(session, merchant_id)
    matching, rows = stored.page_of_shop(session, merchant_id, rating, page, per_page)
    return ConsolePage(rows, matching, page, per_page, count, average)


def form_page(session: Session, merchant_id: int, order_id: int) -> tuple[Any, FeedbackView] | None:
    """The order and its feedback, for showing the form again with an error."""
    order = queries.order_by_id(session, merchant_id, order_id)
    if order is None:
        return None
    return order, of_order(session, merchant_id, order_id, queries.shipments(session, order_id))
