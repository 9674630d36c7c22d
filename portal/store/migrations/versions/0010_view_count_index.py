"""An index of order_view_counts holding the counts, which the analytics page reads without the table.

Revision ID: 0010_view_count_index
Revises: 0009_shipment_scans
"""

from __future__ import annotations

from alembic import op

revision = "0010_view_count_index"
down_revision = "0009_shipment_scans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_order_view_counts_merchant_day_counts", "order_view_counts",
                    ["merchant_id", "day", "order_id", "views", "email_views", "emails"])


def downgrade() -> None:
    op.drop_index("ix_order_view_counts_merchant_day_counts", table_name="order_view_counts")
