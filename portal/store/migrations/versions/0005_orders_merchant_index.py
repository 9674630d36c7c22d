"""Drop orders' index on merchant_id alone: every other index of the table starts with merchant_id
and serves the same lookups, so it only cost a page write for each new order.

Revision ID: 0005_orders_merchant_index
Revises: 0004_merge
"""

from __future__ import annotations

from alembic import op

revision = "0005_orders_merchant_index"
down_revision = "0004_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_merchant_id")


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_merchant_id", ["merchant_id"], unique=False)
