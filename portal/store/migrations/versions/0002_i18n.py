"""i18n: merchants' translation overrides

Revision ID: 0002_i18n
Revises: 0001
Create Date: 2026-11-23 16:45:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002_i18n'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('translation_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('msgctxt', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('msgid', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('plural_forms', sa.JSON(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'locale', 'msgctxt', 'msgid')
    )
    with op.batch_alter_table('translation_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_translation_overrides_merchant_id'), ['merchant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('translation_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_translation_overrides_merchant_id'))
    op.drop_table('translation_overrides')
