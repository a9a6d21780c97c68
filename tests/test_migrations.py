"""Migrations: empty → newest → empty, in one transaction, matching the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import settings_for
from geoalchemy2 import Geometry
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from citymodel import crs, database, migrations
from citymodel.errors import ConfigurationError
from citymodel.models import EXPRESSION_INDEXES, Base

TABLES = {
    "parcels", "buildings", "rights", "auction_notices", "lots", "lot_objects",
    "import_runs", "import_rejects", "audit_log", "users", "data_versions", "zones", "services",
    "scenarios", "scenario_buildings", "scenario_demolitions", "streets", "terrain",
    "procurements", "procurement_suppliers", "procurement_products", "procurement_objects",
}


def _tables(conn) -> set[str]:
    return set(inspect(conn).get_table_names()) - {"spatial_ref_sys", "alembic_version"}


def _citymodel_srids(conn) -> int:
    return conn.execute(
        text("SELECT count(*) FROM spatial_ref_sys WHERE auth_name = :a"), {"a": crs.AUTHORITY}
    ).scalar_one()


def test_upgrade_from_empty_then_downgrade_to_empty(empty_database):
    settings = settings_for(empty_database)
    engine = database.create_engine(empty_database)
    with database.connect(engine) as conn:
        assert _tables(conn) == set()

    assert database.migrate(engine, settings) == database.head_revision() == migrations.HEAD
    with database.connect(engine) as conn:
        assert _tables(conn) == TABLES
        assert database.storage_srid(conn) == 4326
        assert _citymodel_srids(conn) == len(crs.CATALOGUE)
        indexes = {
            row.indexname: row.indexdef
            for row in conn.execute(text("SELECT indexname, indexdef FROM pg_indexes"))
        }
        assert "USING gist (geom)" in indexes["parcels_geom_gist"]
        assert "USING gist (footprint)" in indexes["buildings_footprint_gist"]
        assert "gin_trgm_ops" in indexes["parcels_address_trgm"]
        assert "UNIQUE" in indexes["parcels_cadastral_key_key"]

    assert database.downgrade(engine, settings, "base") is None
    with database.connect(engine) as conn:
        assert _tables(conn) == set()
        assert _citymodel_srids(conn) == 0
        assert MigrationContext.configure(conn).get_current_revision() is None

    assert database.migrate(engine, settings) == database.head_revision()  # and up again
    engine.dispose()


def _compare_type(context, inspected, metadata, inspected_type, metadata_type):
    """Geometry columns: the models leave the SRID to the storage CRS; compare the rest."""
    if isinstance(metadata_type, Geometry):
        return not (
            isinstance(inspected_type, Geometry)
            and inspected_type.geometry_type == metadata_type.geometry_type
        )
    return None


def test_models_describe_the_migrated_schema(migrated):
    with migrated.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": _compare_type,
                "include_object": lambda obj, name, type_, reflected, compare_to: not (
                    (type_ == "table" and reflected and compare_to is None)
                    or (type_ == "index" and name in EXPRESSION_INDEXES)
                ),
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_the_storage_crs_is_fixed_once_the_schema_exists(empty_database):
    engine = database.create_engine(empty_database)
    database.migrate(engine, settings_for(empty_database, storage_crs="EPSG:32637"))
    with pytest.raises(ConfigurationError) as caught:
        database.migrate(engine, settings_for(empty_database))  # default: EPSG:4326
    assert "SRID 32637" in str(caught.value) and "EPSG:4326" in str(caught.value)
    engine.dispose()


def test_a_failing_migration_changes_nothing(empty_database):
    engine = database.create_engine(empty_database)
    with database.connect(engine) as conn:
        conn.execute(text("CREATE TABLE rights (id int)"))  # collides with the last table made
    with pytest.raises(Exception, match="rights"):
        database.migrate(engine, settings_for(empty_database))
    with database.connect(engine) as conn:
        assert _tables(conn) == {"rights"}
        # even the extensions it enabled are gone again
        assert conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")).scalar_one() == 0
        assert MigrationContext.configure(conn).get_current_revision() is None
    engine.dispose()


def test_a_rule_that_stored_rows_break_stops_its_migration_saying_so(empty_database):
    """Migration 0010 adds the building-kind CHECK: a stored kind outside the list stops it
    with a message naming the table, the column and how many; nothing is changed."""
    engine = database.create_engine(empty_database)
    settings = settings_for(empty_database)
    assert database.migrate(engine, settings, "0009") == "0009"
    with database.connect(engine) as conn:
        conn.execute(text("INSERT INTO buildings (kind, height, height_source, source) VALUES "
                          "('tower', 9, 'measured', 'test'), ('tower', 9, 'measured', 'test'), "
                          "('building', 9, 'measured', 'test')"))
    with pytest.raises(Exception, match=r"2 row\(s\) of buildings have a kind that is not one of "
                                        "building, construction, part"):
        database.migrate(engine, settings)
    with database.connect(engine) as conn:
        assert database.current_revision(conn) == "0009"
        conn.execute(text("UPDATE buildings SET kind = 'construction' WHERE kind = 'tower'"))
    assert database.migrate(engine, settings) == migrations.HEAD
    engine.dispose()


def test_constraints_guard_the_data(migrated):
    square = "ST_Multi(ST_GeomFromText('POLYGON((37.6 55.7,37.601 55.7,37.601 55.701,37.6 55.7))', 4326))"
    with database.connect(migrated) as conn:
        parcel_id = conn.execute(
            text(
                "INSERT INTO parcels (cadastral_number, cadastral_key, geom, source) "
                f"VALUES ('77:01:0001013:1', '77:1:1013:1', {square}, 'test') RETURNING id"
            )
        ).scalar_one()
    cases = [
        # the same parcel under its zero-stripped key
        "INSERT INTO parcels (cadastral_number, cadastral_key, source) "
        "VALUES ('77:1:1013:1', '77:1:1013:1', 'test')",
        # a right on nothing
        "INSERT INTO rights (kind, type_code, holder_kind, source) "
        "VALUES ('right', '001001000000', 'public', 'test')",
        # a share of more than the whole
        "INSERT INTO rights (parcel_id, kind, type_code, holder_kind, share_numerator, "
        f"share_denominator, source) VALUES ({parcel_id}, 'right', '001002000000', "
        "'individual', 3, 2, 'test')",
        # a building whose base is above its top
        "INSERT INTO buildings (footprint, height, min_height, height_source, source) "
        f"VALUES ({square}, 10, 12, 'measured', 'test')",
        # a height from nowhere
        "INSERT INTO buildings (footprint, height, height_source, source) "
        f"VALUES ({square}, 10, 'guessed', 'test')",
        # a kind of building the model does not know
        f"INSERT INTO buildings (kind, footprint, source) VALUES ('tower', {square}, 'test')",
    ]
    for statement in cases:
        with pytest.raises(IntegrityError), database.connect(migrated) as conn:
            conn.execute(text(statement))
    with database.connect(migrated) as conn:
        area = conn.execute(text("SELECT computed_area_m2 FROM parcels")).scalar_one()
    assert 3_000 < area < 4_000  # half of a ~62.6 m × 111 m cell near 55.7°N
