"""Money columns as BIGINT on PostgreSQL, whose INTEGER holds 32 bits: an amount past
21,474,836.47 dollars (2**31 cents) could not be stored there. SQLite's INTEGER holds 64 bits
already: nothing to do on SQLite.

Revision ID: 0006_money_bigint
Revises: 0005_orders_merchant_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_money_bigint"
down_revision = "0005_orders_merchant_index"
branch_labels = None
depends_on = None

_TOTALS = ("subtotal", "shipping", "tax", "discounts", "total")
MONEY_COLUMNS = {
    "orders": (*_TOTALS, *(f"presentment_{name}" for name in _TOTALS)),
    "line_items": ("unit_price", "presentment_unit_price"),
}


def _alter(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in MONEY_COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=new, existing_type=old, existing_nullable=False)


def upgrade() -> None:
    _alter(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _alter(sa.BigInteger(), sa.Integer())
