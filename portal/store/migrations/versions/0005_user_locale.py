"""merchant_users.locale: the console's language each login picks.

Revision ID: 0005_user_locale
Revises: 0004_order_feedback
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_user_locale"
down_revision = "0004_order_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("merchant_users") as batch:
        batch.add_column(sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("merchant_users") as batch:
        batch.drop_column("locale")
