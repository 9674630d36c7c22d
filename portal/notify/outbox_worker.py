"""The outbox worker: claims due e-mails, sends them over SMTP, retries failures with backoff.

Delivery is at-least-once. A row is written in the same transaction as the order change, so a
crash before the commit loses both and a crash after it loses neither. A worker that dies between
the SMTP server's "250 OK" and marking the row sent leaves a lease that runs out; the row is then
sent again with the same Message-ID, which mail clients and providers use to drop the duplicate.
No SMTP exchange can make that window zero; the lease keeps it to crashes only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from portal.analytics import counting
from portal.notify import digest, mailer
from portal.store import outbox
from portal.store.records import OutboxMessage

if TYPE_CHECKING:
    from portal.web import Portal

log = logging.getLogger(__name__)
SHUTDOWN_GRACE_SECONDS = 5.0


def backoff(settings: Any, attempts: int) -> float:
    """Seconds before the next try: base, 2x base, 4x base, … capped."""
    return float(min(settings.mail_retry_max_seconds, settings.mail_retry_base_seconds * 2 ** max(attempts - 1, 0)))


class OutboxWorker:
    def __init__(self, portal: Portal, router: Any) -> None:
        self.portal = portal
        self.settings = portal.settings
        self.router = router
        self.digests = digest.DigestSchedule()

    def _claim(self) -> list[OutboxMessage]:
        with self.portal.session() as session:
            return outbox.claim(session, self.settings.mail_lease_seconds)

    def _compose(self, message: OutboxMessage) -> EmailMessage | str:
        with self.portal.session() as session:
            return mailer.compose(self.portal, self.router, session, message)

    def _queue_digests(self) -> int:
        with self.portal.session() as session:
            return digest.queue_all_due(session)

    def _settle(self, action: str, message: OutboxMessage, detail: str = "") -> None:
        with self.portal.session() as session:
            if action == "sent":
                held = outbox.mark_sent(session, message)
                if held:
                    counting.email_sent(session, message)
            elif action == "skipped":
                held = outbox.mark_skipped(session, message, detail)
            else:
                held = outbox.mark_failed(session, message, detail, self.settings.mail_max_attempts,
                                          backoff(self.settings, message.attempts))
        if not held:
            log.warning("outbox %s: lease lost before it was marked %s", message.id, action)

    async def deliver(self, message: OutboxMessage) -> str:
        """Send one claimed message; returns what became of it (sent, skipped or failed)."""
        try:
            email = await asyncio.to_thread(self._compose, message)
        except Exception as exc:  # a broken theme template must not stop the queue
            log.exception("outbox %s: could not compose the e-mail", message.id)
            await asyncio.to_thread(self._settle, "failed", message, f"compose: {exc}")
            return "failed"
        if isinstance(email, str):
            await asyncio.to_thread(self._settle, "skipped", message, email)
            return "skipped"
        try:
            # An overall bound on top of the per-step timeout: a server that trickles bytes cannot hold us.
            await asyncio.wait_for(mailer.send(self.settings, email), timeout=self.settings.smtp_timeout * 4)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}".strip()
            log.warning("outbox %s: not sent (attempt %s): %s", message.id, message.attempts, reason)
            await asyncio.to_thread(self._settle, "failed", message, reason)
            return "failed"
        await asyncio.to_thread(self._settle, "sent", message)
        return "sent"

    async def run_once(self) -> dict[str, int]:
        """Queue the merchants' digests that are due, then send every message due now; returns how
        many were sent, skipped and failed."""
        counts = {"sent": 0, "skipped": 0, "failed": 0}
        if self.digests.due():
            try:
                await asyncio.to_thread(self._queue_digests)
            except Exception:  # the shoppers' e-mails go out all the same; digests are looked for again later
                log.exception("could not queue the delay digests")
        while True:
            claimed = await asyncio.to_thread(self._claim)
            if not claimed:
                return counts
            for message in claimed:
                counts[await self.deliver(message)] += 1

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox worker started (SMTP %s:%s)", self.settings.smtp_host, self.settings.smtp_port)
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # the database was busy or away: try again on the next round
                log.exception("outbox worker round failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.worker_poll_seconds)
        log.info("outbox worker stopped")


async def run_until_signalled(worker: OutboxWorker) -> None:
    """`portal worker`: run until SIGINT or SIGTERM (a service manager's stop), finishing the send
    in flight; a message claimed but not sent is due again when its lease runs out."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await worker.run(stop)


@contextlib.asynccontextmanager
async def embedded(portal: Portal, router: Any):
    """Run the worker alongside the web server for as long as the app lives (`portal serve`)."""
    if not portal.settings.embedded_worker or not portal.settings.smtp_host:
        if portal.settings.embedded_worker:
            log.warning("PORTAL_SMTP_HOST is not set: e-mails stay queued in the outbox")
        yield None
        return
    stop = asyncio.Event()
    task = asyncio.create_task(OutboxWorker(portal, router).run(stop))
    try:
        yield task
    finally:
        stop.set()
        # An in-flight send gets a moment to finish; if cancelled, its lease makes it due again.
        with contextlib.suppress(asyncio.TimeoutError):  # on time-out wait_for has cancelled it
            await asyncio.wait_for(task, timeout=SHUTDOWN_GRACE_SECONDS)
