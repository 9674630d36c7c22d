"""E-mail to shoppers and merchants: which order changes queue a message (`notifications`), composing
and sending it over SMTP (`mailer`), and the outbox worker that delivers queued messages with retries
(`outbox_worker`, run by `portal worker` or inside the server). The outbox table is in store/."""
