"""Join the feature branches (i18n, themes, webhooks, notifications) into one line again.

Features added their tables in parallel, each branching from 0001; from here on there is one head,
and a new migration names 0004 as its parent (or branches again, and a later merge joins it).

Revision ID: 0004_merge
Revises: 0002_i18n, 0002_themes, 0002_webhooks, 0003_notify_outbox
"""

from __future__ import annotations

revision = "0004_merge"
down_revision = ("0002_i18n", "0002_themes", "0002_webhooks", "0003_notify_outbox")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
