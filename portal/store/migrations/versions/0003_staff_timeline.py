"""staff_entries: the staff timeline of an order (every change and who made it, staff notes).

Revision ID: 0003_staff_timeline
Revises: 0002_live_changes
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003_staff_timeline"
down_revision = "0002_live_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_entries_order_at", "staff_entries", ["order_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_staff_entries_order_at", table_name="staff_entries")
    op.drop_table("staff_entries")
