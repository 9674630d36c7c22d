"""Console analytics: order_view_counts and usage_counts (daily counts of tracking page use), and
an index on shipments by shop and ship time.

Revision ID: 0006_analytics
Revises: 0005_user_locale
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0006_analytics"
down_revision = "0005_user_locale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("usage_counts",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("merchant_id", sa.Integer(), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column("count", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("merchant_id", "day", "kind")
    )
    op.create_table("order_view_counts",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("merchant_id", sa.Integer(), nullable=False),
    sa.Column("order_id", sa.Integer(), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("views", sa.Integer(), nullable=False),
    sa.Column("email_views", sa.Integer(), nullable=False),
    sa.Column("emails", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], ),
    sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("merchant_id", "day", "order_id")
    )
    with op.batch_alter_table("order_view_counts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_view_counts_order_id"), ["order_id"], unique=False)
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_merchant_shipped", ["merchant_id", "shipped_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_merchant_shipped")
    with op.batch_alter_table("order_view_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_view_counts_order_id"))

    op.drop_table("order_view_counts")
    op.drop_table("usage_counts")
