"""webhook_deliveries.reason_template and reason_values: each delivery's reason as its message
template and values, which the console shows in its reader's language (older rows keep only the
English `reason`).

Revision ID: 0011_delivery_reason_template
Revises: 0010_view_count_index
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_delivery_reason_template"
down_revision = "0010_view_count_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(sa.Column("reason_template", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("reason_values", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_column("reason_values")
        batch.drop_column("reason_template")
