"""Line items: product link, the platform's product and variant ids, line discounts; orders: whether
the totals include tax.

Revision ID: 0007_line_item_details
Revises: 0006_analytics
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_line_item_details"
down_revision = "0006_analytics"
branch_labels = None
depends_on = None

MINOR_UNITS = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("line_items") as batch_op:
        batch_op.add_column(sa.Column("discount", MINOR_UNITS, server_default="0", nullable=False))
        batch_op.add_column(sa.Column("presentment_discount", MINOR_UNITS, server_default="0", nullable=False))
        batch_op.add_column(sa.Column("product_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column("product_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("variant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("taxes_included", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("taxes_included")
    with op.batch_alter_table("line_items") as batch_op:
        for name in ("variant_id", "product_id", "product_url", "presentment_discount", "discount"):
            batch_op.drop_column(name)
