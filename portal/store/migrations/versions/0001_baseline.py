"""Baseline: the whole schema of portal/store/models.py

Tables, columns, indexes, unique and foreign keys as the models describe them; money is BIGINT on
PostgreSQL (INTEGER there holds 32 bits) and INTEGER on SQLite (which holds 64).

History is one line from here: a new revision names the current head as its down_revision
(`alembic revision --autogenerate` does), never branches; `portal migrate` upgrades to `head`.
tests/test_migrations.py checks that a database migrated from empty equals the models.

Revision ID: 0001_baseline
Revises:
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001_baseline'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('merchants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('default_locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('enabled_locales', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('theme', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('theme_settings', sa.JSON(), nullable=False),
    sa.Column('support_email', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('support_phone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('support_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('embed_origins', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('shopify_webhook_secret', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('shopify_previous_webhook_secret', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('woocommerce_webhook_secret', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('bigcommerce_webhook_secret', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('host')
    )
    op.create_index(op.f('ix_merchants_slug'), 'merchants', ['slug'], unique=True)
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    op.create_index(op.f('ix_api_keys_merchant_id'), 'api_keys', ['merchant_id'], unique=False)
    op.create_index(op.f('ix_api_keys_prefix'), 'api_keys', ['prefix'], unique=False)
    op.create_table('custom_statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('color', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('progress_step', sa.Integer(), nullable=True),
    sa.Column('visible_to_shopper', sa.Boolean(), nullable=False),
    sa.Column('send_email', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'key')
    )
    op.create_index(op.f('ix_custom_statuses_merchant_id'), 'custom_statuses', ['merchant_id'], unique=False)
    op.create_table('merchant_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'email')
    )
    op.create_index(op.f('ix_merchant_users_merchant_id'), 'merchant_users', ['merchant_id'], unique=False)
    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('public_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('link_nonce', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('number_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('email_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('phone_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('postal_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('postal_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('customer_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('guest_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('placed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('payment_status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('fulfillment_status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('return_status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('custom_status', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('raw_statuses', sa.JSON(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('presentment_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('subtotal', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shipping', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tax', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('discounts', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('total', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('presentment_subtotal', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('presentment_shipping', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('presentment_tax', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('presentment_discounts', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('presentment_total', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shipping_address', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
    sa.Column('order_status_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('email_opt_out_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('source_updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'number_key'),
    sa.UniqueConstraint('public_id')
    )
    op.create_index('ix_orders_merchant_email', 'orders', ['merchant_id', 'email_key'], unique=False)
    op.create_index('ix_orders_merchant_external', 'orders', ['merchant_id', 'source', 'external_id'], unique=False)
    op.create_index('ix_orders_merchant_placed', 'orders', ['merchant_id', 'placed_at'], unique=False)
    op.create_table('theme_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('ext', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'digest')
    )
    op.create_index(op.f('ix_theme_images_merchant_id'), 'theme_images', ['merchant_id'], unique=False)
    op.create_table('theme_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('theme', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('setting_values', sa.JSON(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'kind')
    )
    op.create_index(op.f('ix_theme_revisions_merchant_id'), 'theme_revisions', ['merchant_id'], unique=False)
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
    op.create_index(op.f('ix_translation_overrides_merchant_id'), 'translation_overrides', ['merchant_id'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('delivery_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('order_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_webhook_deliveries_merchant_id', 'webhook_deliveries', ['merchant_id', 'id'], unique=False)
    op.create_table('webhook_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('delivery_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('body_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'platform', 'delivery_id')
    )
    op.create_table('webhook_refusal_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('hour', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'platform', 'kind', 'hour')
    )
    op.create_table('line_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('variant', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('presentment_unit_price', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('image_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_line_items_order_id'), 'line_items', ['order_id'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('message_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('lease_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'dedupe_key'),
    sa.UniqueConstraint('message_token')
    )
    op.create_index('ix_outbox_due', 'outbox', ['state', 'next_attempt_at'], unique=False)
    op.create_index('ix_outbox_merchant', 'outbox', ['merchant_id', 'id'], unique=False)
    op.create_index(op.f('ix_outbox_order_id'), 'outbox', ['order_id'], unique=False)
    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('carrier', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('carrier_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('tracking_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('tracking_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('tracking_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('estimated_delivery', sa.Date(), nullable=True),
    sa.Column('estimated_delivery_end', sa.Date(), nullable=True),
    sa.Column('shipped_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_shipments_merchant_id'), 'shipments', ['merchant_id'], unique=False)
    op.create_index('ix_shipments_merchant_tracking', 'shipments', ['merchant_id', 'tracking_key'], unique=False)
    op.create_index(op.f('ix_shipments_order_id'), 'shipments', ['order_id'], unique=False)
    op.create_table('timeline_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('visible_to_shopper', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_timeline_entries_order_id'), 'timeline_entries', ['order_id'], unique=False)
    op.create_table('shipment_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('line_item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['line_item_id'], ['line_items.id'], ),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_shipment_items_shipment_id'), 'shipment_items', ['shipment_id'], unique=False)
    op.create_table('tracking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('substatus', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('shipment_id', 'at', 'status')
    )
    op.create_index(op.f('ix_tracking_events_shipment_id'), 'tracking_events', ['shipment_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_tracking_events_shipment_id'), table_name='tracking_events')
    op.drop_table('tracking_events')
    op.drop_index(op.f('ix_shipment_items_shipment_id'), table_name='shipment_items')
    op.drop_table('shipment_items')
    op.drop_index(op.f('ix_timeline_entries_order_id'), table_name='timeline_entries')
    op.drop_table('timeline_entries')
    op.drop_index(op.f('ix_shipments_order_id'), table_name='shipments')
    op.drop_index('ix_shipments_merchant_tracking', table_name='shipments')
    op.drop_index(op.f('ix_shipments_merchant_id'), table_name='shipments')
    op.drop_table('shipments')
    op.drop_index(op.f('ix_outbox_order_id'), table_name='outbox')
    op.drop_index('ix_outbox_merchant', table_name='outbox')
    op.drop_index('ix_outbox_due', table_name='outbox')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_line_items_order_id'), table_name='line_items')
    op.drop_table('line_items')
    op.drop_table('webhook_refusal_counts')
    op.drop_table('webhook_receipts')
    op.drop_index('ix_webhook_deliveries_merchant_id', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_index(op.f('ix_translation_overrides_merchant_id'), table_name='translation_overrides')
    op.drop_table('translation_overrides')
    op.drop_index(op.f('ix_theme_revisions_merchant_id'), table_name='theme_revisions')
    op.drop_table('theme_revisions')
    op.drop_index(op.f('ix_theme_images_merchant_id'), table_name='theme_images')
    op.drop_table('theme_images')
    op.drop_index('ix_orders_merchant_placed', table_name='orders')
    op.drop_index('ix_orders_merchant_external', table_name='orders')
    op.drop_index('ix_orders_merchant_email', table_name='orders')
    op.drop_table('orders')
    op.drop_index(op.f('ix_merchant_users_merchant_id'), table_name='merchant_users')
    op.drop_table('merchant_users')
    op.drop_index(op.f('ix_custom_statuses_merchant_id'), table_name='custom_statuses')
    op.drop_table('custom_statuses')
    op.drop_index(op.f('ix_api_keys_prefix'), table_name='api_keys')
    op.drop_index(op.f('ix_api_keys_merchant_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_index(op.f('ix_merchants_slug'), table_name='merchants')
    op.drop_table('merchants')
