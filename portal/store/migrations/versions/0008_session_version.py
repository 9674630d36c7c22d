"""A session version per console user, carried in the signed session cookie: logout and a password
change bump it, which ends every session of that user.

Revision ID: 0008_session_version
Revises: 0007_webhook_refusal_counts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_session_version"
down_revision = "0007_webhook_refusal_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("merchant_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("merchant_users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
