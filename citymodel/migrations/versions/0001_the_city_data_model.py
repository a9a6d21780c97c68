"""The city data model: parcels, buildings, rights, auctions, provenance, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Geometry columns take the storage SRID handed over by ``citymodel.database.migrate``
(the ``storage_crs`` setting); the schema keeps it for good.
"""

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from citymodel import crs

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    "audit_log", "import_runs", "import_rejects", "auction_notices", "parcels",
    "buildings", "lots", "lot_objects", "rights",
)


def _storage_geometry() -> Geometry:
    srid = context.config.attributes["storage_srid"]
    return Geometry("MULTIPOLYGON", srid=srid, spatial_index=False)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The local systems first: the storage CRS may be one of them.
    crs.register_in_postgis(op.get_bind(), context.config.attributes.get("crs_overrides"))
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('entity', sa.Text(), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.CheckConstraint("action IN ('create', 'update', 'delete')", name='audit_log_action'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('audit_log_entity', 'audit_log', ['entity', 'entity_id'], unique=False)
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_table('import_runs',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('source_path', sa.Text(), nullable=False),
    sa.Column('source_sha256', sa.Text(), nullable=True),
    sa.Column('source_bytes', sa.BigInteger(), nullable=True),
    sa.Column('source_format', sa.Text(), nullable=True),
    sa.Column('source_crs', sa.Text(), nullable=True),
    sa.Column('options', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('status', sa.Text(), server_default='running', nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('loaded', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated', sa.Integer(), server_default='0', nullable=False),
    sa.Column('unchanged', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rejected', sa.Integer(), server_default='0', nullable=False),
    sa.Column('counts', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('timings', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'dry_run')", name='import_runs_status'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('auction_notices',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('notice_number', sa.Text(), nullable=False),
    sa.Column('bidding_type_code', sa.Text(), nullable=True),
    sa.Column('bidding_type_name', sa.Text(), nullable=True),
    sa.Column('bidding_form', sa.Text(), nullable=True),
    sa.Column('organizer_name', sa.Text(), nullable=True),
    sa.Column('organizer_inn', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bidding_starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bidding_ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('import_run_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_number')
    )
    op.create_table('import_rejects',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('locator', sa.Text(), nullable=False),
    sa.Column('field', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_import_rejects_run_id'), 'import_rejects', ['run_id'], unique=False)
    op.create_table('parcels',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('cadastral_number', sa.Text(), nullable=False),
    sa.Column('cadastral_key', sa.Text(), nullable=False),
    sa.Column('geom', _storage_geometry(), nullable=True),
    sa.Column('declared_area_m2', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('computed_area_m2', sa.Float(), sa.Computed('ST_Area(ST_Transform(geom, 4326)::geography)', persisted=True), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('land_category', sa.Text(), nullable=True),
    sa.Column('permitted_use', sa.Text(), nullable=True),
    sa.Column('permitted_use_text', sa.Text(), nullable=True),
    sa.Column('cadastral_value', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('state', sa.Text(), nullable=True),
    sa.Column('parcel_type', sa.Text(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('import_run_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cadastral_key')
    )
    op.create_index('parcels_address_trgm', 'parcels', ['address'], unique=False, postgresql_using='gin', postgresql_ops={'address': 'gin_trgm_ops'})
    op.create_index('parcels_geom_gist', 'parcels', ['geom'], unique=False, postgresql_using='gist')
    op.create_table('buildings',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.Text(), server_default='building', nullable=False),
    sa.Column('osm_type', sa.Text(), nullable=True),
    sa.Column('osm_id', sa.BigInteger(), nullable=True),
    sa.Column('register_id', sa.Text(), nullable=True),
    sa.Column('cadastral_number', sa.Text(), nullable=True),
    sa.Column('cadastral_key', sa.Text(), nullable=True),
    sa.Column('footprint', _storage_geometry(), nullable=True),
    sa.Column('height', sa.Float(), nullable=False),
    sa.Column('height_source', sa.Text(), nullable=False),
    sa.Column('floors', sa.SmallInteger(), nullable=True),
    sa.Column('min_height', sa.Float(), server_default='0', nullable=False),
    sa.Column('ground_elevation', sa.Float(), nullable=True),
    sa.Column('use', sa.Text(), nullable=True),
    sa.Column('year_built', sa.SmallInteger(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('parcel_id', sa.BigInteger(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('import_run_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("height_source IN ('measured', 'levels', 'default')", name='buildings_height_source'),
    sa.CheckConstraint("osm_type IN ('node', 'way', 'relation')", name='buildings_osm_type'),
    sa.CheckConstraint('height >= 0 AND min_height >= 0 AND min_height <= height', name='buildings_heights'),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cadastral_key'),
    sa.UniqueConstraint('osm_type', 'osm_id', name='buildings_osm_key'),
    sa.UniqueConstraint('register_id')
    )
    op.create_index('buildings_address_trgm', 'buildings', ['address'], unique=False, postgresql_using='gin', postgresql_ops={'address': 'gin_trgm_ops'})
    op.create_index('buildings_footprint_gist', 'buildings', ['footprint'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_buildings_parcel_id'), 'buildings', ['parcel_id'], unique=False)
    op.create_table('lots',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('notice_id', sa.BigInteger(), nullable=False),
    sa.Column('lot_number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('deal_type', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('subject_rf', sa.Text(), nullable=True),
    sa.Column('start_price', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('price_step', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('deposit', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('final_price', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.Text(), server_default='RUB', nullable=False),
    sa.Column('result_on', sa.Date(), nullable=True),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('import_run_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("deal_type IN ('sale', 'lease')", name='lots_deal_type'),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notice_id'], ['auction_notices.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id', 'lot_number', name='lots_notice_lot')
    )
    op.create_index(op.f('ix_lots_status'), 'lots', ['status'], unique=False)
    op.create_table('lot_objects',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('lot_id', sa.BigInteger(), nullable=False),
    sa.Column('cadastral_number', sa.Text(), nullable=True),
    sa.Column('cadastral_key', sa.Text(), nullable=True),
    sa.Column('parcel_id', sa.BigInteger(), nullable=True),
    sa.Column('building_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('num_nonnulls(cadastral_number, parcel_id, building_id) > 0', name='lot_objects_something'),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lot_id', 'cadastral_key', name='lot_objects_lot_key')
    )
    op.create_index(op.f('ix_lot_objects_building_id'), 'lot_objects', ['building_id'], unique=False)
    op.create_index(op.f('ix_lot_objects_cadastral_key'), 'lot_objects', ['cadastral_key'], unique=False)
    op.create_index(op.f('ix_lot_objects_parcel_id'), 'lot_objects', ['parcel_id'], unique=False)
    op.create_table('rights',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('parcel_id', sa.BigInteger(), nullable=True),
    sa.Column('building_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('type_code', sa.Text(), nullable=False),
    sa.Column('type_name', sa.Text(), nullable=True),
    sa.Column('holder_kind', sa.Text(), nullable=False),
    sa.Column('holder_name', sa.Text(), nullable=True),
    sa.Column('holder_inn', sa.Text(), nullable=True),
    sa.Column('share_numerator', sa.Integer(), nullable=True),
    sa.Column('share_denominator', sa.Integer(), nullable=True),
    sa.Column('registration_number', sa.Text(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('import_run_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("holder_kind IN ('individual', 'legal_entity', 'public')", name='rights_holder_kind'),
    sa.CheckConstraint("kind IN ('right', 'encumbrance')", name='rights_kind'),
    sa.CheckConstraint('(share_numerator IS NULL AND share_denominator IS NULL) OR (share_numerator > 0 AND share_denominator >= share_numerator)', name='rights_share'),
    sa.CheckConstraint('num_nonnulls(parcel_id, building_id) = 1', name='rights_one_object'),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('registration_number')
    )
    op.create_index(op.f('ix_rights_building_id'), 'rights', ['building_id'], unique=False)
    op.create_index(op.f('ix_rights_parcel_id'), 'rights', ['parcel_id'], unique=False)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    crs.unregister_from_postgis(op.get_bind())
