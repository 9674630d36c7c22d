"""order_feedback: a shopper's rating and comment on a delivered order.

Revision ID: 0004_order_feedback
Revises: 0003_staff_timeline
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004_order_feedback"
down_revision = "0003_staff_timeline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    op.create_index("ix_order_feedback_merchant_created", "order_feedback", ["merchant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_order_feedback_merchant_created", table_name="order_feedback")
    op.drop_table("order_feedback")
