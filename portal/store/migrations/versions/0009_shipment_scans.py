"""shipments.first_scan_at and shipments.had_exception, kept from the tracking events as they are
stored, and filled here from the events already stored.

Revision ID: 0009_shipment_scans
Revises: 0008_return_requests
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_shipment_scans"
down_revision = "0008_return_requests"
branch_labels = None
depends_on = None

# The same rule as store/shipment_stats.py, written out here: a revision must not change when the
# portal's code does. A label's events ("pending", "info_received") are no scan.
BACKFILL = sa.text("""
UPDATE shipments SET
    first_scan_at = (SELECT min(e.at) FROM tracking_events e
                     WHERE e.shipment_id = shipments.id AND e.status NOT IN ('pending', 'info_received')),
    had_exception = EXISTS (SELECT 1 FROM tracking_events e
                            WHERE e.shipment_id = shipments.id AND e.status = 'exception')
WHERE EXISTS (SELECT 1 FROM tracking_events e WHERE e.shipment_id = shipments.id)
""")


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.add_column(sa.Column("first_scan_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("had_exception", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.drop_column("had_exception")
        batch_op.drop_column("first_scan_at")
