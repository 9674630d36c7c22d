"""Count webhook deliveries that could not be verified per shop, platform, kind and hour, instead
of logging each one: strangers could otherwise push a shop's real entries out of the delivery log.

Revision ID: 0007_webhook_refusal_counts
Revises: 0006_money_bigint
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_webhook_refusal_counts"
down_revision = "0006_money_bigint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_refusal_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("hour", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("merchant_id", "platform", "kind", "hour"),
    )


def downgrade() -> None:
    op.drop_table("webhook_refusal_counts")
