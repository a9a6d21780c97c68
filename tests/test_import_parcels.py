"""Parcel imports: every format lands the same parcels in the same place."""

from __future__ import annotations

import re

import numpy as np
import pyproj
import pytest
import shapely
from conftest import DATA, KPT_SAMPLE, query, settings_for
from helpers import SHAPEFILE_MAP
from lxml import etree

from citymodel import crs, database
from importers.parcels import import_parcels

SAMPLE = {  # cadastral number → declared area, as written by tests/data/make_samples.py
    "77:01:0004010:101": 2000, "77:01:0004010:102": 1700, "77:01:0004010:103": 500,
}


def parcels_in_msk77(url) -> dict[str, shapely.Geometry]:
    """The stored parcels, brought back to МСК-77 by PostGIS."""
    return {
        number: shapely.from_wkt(wkt)
        for number, wkt in query(url, "SELECT cadastral_number, ST_AsText(ST_Transform(geom, 990770)) "
                                      "FROM parcels WHERE geom IS NOT NULL")
    }


@pytest.mark.parametrize(
    ("path", "options"),
    [
        (DATA / "parcels" / "parcels.geojson", {}),
        (DATA / "parcels" / "parcels-msk77.gpkg", {}),
        (DATA / "parcels" / "utm" / "parcels.shp", {"mapping": SHAPEFILE_MAP}),
        (DATA / "parcels" / "mapped.geojson",
         {"mapping": {"cadastral_number": "KN", "address": "ADDR", "declared_area_m2": "AREA"}}),
    ],
    ids=["geojson-4326", "gpkg-msk77", "shapefile-utm37", "geojson-mapped"],
)
def test_vector_formats_land_the_same_parcels(db, path, options):
    summary = import_parcels(db, settings_for(db), path, **options)
    assert (summary.counts.loaded, summary.rejected) == (3, 0)

    rows = query(db, "SELECT cadastral_number, declared_area_m2, computed_area_m2, address, "
                     "import_run_id FROM parcels ORDER BY 1")
    assert [r[0] for r in rows] == sorted(SAMPLE)
    for number, declared, computed, address, run in rows:
        assert float(declared) == SAMPLE[number]
        assert computed == pytest.approx(SAMPLE[number], rel=0.01)
        assert address.startswith("г. Москва, ул. Заморёнова")
        assert run == summary.run_id

    # Where make_samples.py drew them in МСК-77, to a centimetre, holes and all.
    from make_samples import PARCELS
    stored = parcels_in_msk77(db)
    for parcel in PARCELS:
        got = stored[parcel["cadastral_number"]]
        assert got.geom_type == "MultiPolygon"
        assert shapely.hausdorff_distance(got, parcel["geometry"]) < 0.01
    assert len(stored["77:01:0004010:102"].geoms[0].interiors) == 1


def test_the_same_file_twice_changes_nothing(db, tmp_path):
    path = DATA / "parcels" / "parcels.geojson"
    first = import_parcels(db, settings_for(db), path)
    before = query(db, "SELECT id, updated_at FROM parcels ORDER BY id")
    second = import_parcels(db, settings_for(db), path)
    assert (second.counts.loaded, second.counts.updated, second.counts.unchanged) == (0, 0, 3)
    assert "nothing changed" in str(second)
    assert query(db, "SELECT id, updated_at FROM parcels ORDER BY id") == before
    assert first.run_id != second.run_id

    changed = tmp_path / "changed.geojson"
    changed.write_text(path.read_text(encoding="utf-8").replace("ул. Заморёнова, д. 3", "ул. Заморёнова, д. 3А"),
                       encoding="utf-8")
    third = import_parcels(db, settings_for(db), changed)
    assert (third.counts.loaded, third.counts.updated, third.counts.unchanged) == (0, 1, 2)
    assert query(db, "SELECT address FROM parcels WHERE cadastral_key = '77:1:4010:102'") == [
        ("г. Москва, ул. Заморёнова, д. 3А",)]


def test_dry_run_validates_and_writes_nothing(db):
    summary = import_parcels(db, settings_for(db), DATA / "parcels" / "parcels.geojson", dry_run=True)
    assert summary.counts.loaded == 3 and "dry run" in str(summary)
    assert query(db, "SELECT count(*) FROM parcels") == [(0,)]
    assert query(db, "SELECT status, loaded FROM import_runs") == [("dry_run", 3)]


def _kpt_ordinates(number: str) -> list[tuple[float, float]]:
    """A parcel's or building's points as the file gives them: (easting, northing)."""
    tree = etree.parse(str(KPT_SAMPLE))
    element = tree.find(f".//*[@CadastralNumber='{number}']")
    return [(float(o.get("Y")), float(o.get("X"))) for o in element.iterfind(".//{*}Ordinate")]


def test_the_real_kpt_extract(db):
    summary = import_parcels(db, settings_for(db), KPT_SAMPLE)
    assert summary.counts.loaded == 112
    assert summary.counts.extra["without_boundaries"] == 92
    assert summary.counts.extra["buildings_loaded"] == 23
    assert summary.counts.extra["area_differs_from_declared"] == 1
    assert summary.rejected == 0

    numbers = set(re.findall(r'<Parcel CadastralNumber="([^"]+)"', KPT_SAMPLE.read_text(encoding="utf-8")))
    rows = query(db, "SELECT cadastral_number, declared_area_m2, computed_area_m2, geom IS NULL "
                     "FROM parcels")
    assert {r[0] for r in rows} == numbers
    assert sum(r[3] for r in rows) == 92
    for number, declared, computed, no_geometry in rows:
        if no_geometry:
            continue
        if number == "26:05:060402:117":
            # The register's own discrepancy: its one closed ring covers 437.5 m² of 829.
            assert computed == pytest.approx(437.5, abs=1)
            continue
        assert abs(computed - float(declared)) <= max(0.01 * float(declared), 0.5), number

    # Parcels without established boundaries are still found by their number.
    assert query(db, "SELECT cadastral_number, geom IS NULL, address FROM parcels "
                     "WHERE cadastral_key = '26:5:60402:1'") == [
        ("26:05:060402:1", True, "край Ставропольский, р-н Труновский, п. Правоегорлыкский,, ул. Советская, дом 4")]

    # The multi-contour parcel (МКУ) keeps all its contours.
    mku = query(db, "SELECT ST_NumGeometries(geom), parcel_type FROM parcels "
                    "WHERE cadastral_number = '26:05:000000:554'")
    assert mku[0][0] > 1 and mku[0][1] == "05"

    # Placed where the file says: the file's points, back in МСК-26, to a centimetre.
    local = crs.resolve("МСК-26 от СК-95, зона 1").srid
    for table, column, number in (("parcels", "geom", "26:05:060402:9"),
                                  ("buildings", "footprint", "26:05:060402:178")):
        wkt = query(db, f"SELECT ST_AsText(ST_Transform({column}, :srid)) FROM {table} "
                        "WHERE cadastral_number = :n", srid=local, n=number)[0][0]
        stored = shapely.get_coordinates(shapely.from_wkt(wkt))
        expected = _kpt_ordinates(number)
        assert len(stored) == len(expected)
        assert max(shapely.distance(shapely.points(stored), shapely.points(expected))) < 0.01

    buildings = query(db, "SELECT count(*), count(footprint), count(*) FILTER (WHERE use = 'apartments') "
                          "FROM buildings WHERE source = 'rosreestr'")
    assert buildings == [(23, 2, 1)]


def test_crafted_kpt_holes_contours_circles_and_lines(db):
    summary = import_parcels(db, settings_for(db), DATA / "kpt" / "kpt10-crafted.xml")
    assert (summary.counts.loaded, summary.rejected) == (3, 0)
    assert summary.counts.extra["without_boundaries"] == 1
    rows = dict(query(db, "SELECT cadastral_number, ARRAY[ST_NumGeometries(geom), ST_NumInteriorRings(ST_GeometryN(geom, 1)), "
                          "round(computed_area_m2)::int, round(declared_area_m2)::int] FROM parcels"))
    assert rows["26:05:060403:1"] == [1, 1, 1500, 1500]  # a hole
    assert rows["26:05:060403:2"] == [2, 0, 800, 800]  # two contours; area given in hectares
    assert rows["26:05:060403:3"] == [None, None, None, 600]  # no coordinates
    buildings = dict(query(db, "SELECT cadastral_number, ARRAY[kind, use, coalesce(round(ST_Area(ST_Transform(footprint, 990261)))::text, '-')] "
                               "FROM buildings"))
    assert buildings["26:05:060403:10"] == ["building", "residential", "100"]
    circle = float(buildings["26:05:060403:11"][2])
    assert buildings["26:05:060403:11"][0] == "construction"
    assert circle == pytest.approx(3.14159 * 36, rel=0.01)  # a circle of radius 6 m
    assert buildings["26:05:060403:12"][2] == "-"  # a fence: a line, no footprint


def test_extract_cadastral_plan_territory(db):
    summary = import_parcels(db, settings_for(db), DATA / "extract" / "extract-cpt.xml")
    assert (summary.counts.loaded, summary.rejected) == (2, 0)
    assert summary.counts.extra["buildings_loaded"] == 2
    rows = dict(query(db, "SELECT cadastral_number, ARRAY[round(computed_area_m2)::int, "
                          "ST_NumInteriorRings(ST_GeometryN(geom, 1))] FROM parcels"))
    assert rows == {"26:05:0604040:7": [2400, 1], "26:05:0604040:8": [None, None]}
    assert query(db, "SELECT address, permitted_use_text, cadastral_value FROM parcels "
                     "WHERE cadastral_number = '26:05:0604040:7'")[0][:2] == (
        "Ставропольский край, п. Правоегорлыкский, ул. Новая, 7", "для ИЖС")
    buildings = dict(query(db, "SELECT cadastral_number, ARRAY[kind, coalesce(use, '-'), coalesce(floors::text, '-'), "
                               "coalesce(year_built::text, '-'), round(ST_Area(ST_Transform(footprint, 990261)))::text] FROM buildings"))
    assert buildings["26:05:0604040:30"] == ["building", "non-residential", "2", "1987", "64"]
    assert buildings["26:05:0604040:31"][0] == "construction"
    assert float(buildings["26:05:0604040:31"][4]) == pytest.approx(3.14159 * 9, rel=0.02)
    # The building stands on the parcel it is drawn on.
    assert query(db, "SELECT p.cadastral_number FROM buildings b JOIN parcels p ON p.id = b.parcel_id "
                     "WHERE b.cadastral_number = '26:05:0604040:30'") == [("26:05:0604040:7",)]


def test_storage_in_a_projected_crs(empty_database):
    settings = settings_for(empty_database, storage_crs="EPSG:32637")
    database.migrate(database.create_engine(empty_database), settings)
    import_parcels(empty_database, settings, DATA / "parcels" / "parcels-msk77.gpkg")
    to_utm = pyproj.Transformer.from_crs(crs.resolve("МСК-77").crs, 32637, always_xy=True)
    from make_samples import PARCELS
    stored = dict(query(empty_database, "SELECT cadastral_number, ST_AsText(geom) FROM parcels"))
    for parcel in PARCELS:
        expected = shapely.transform(parcel["geometry"],
                                     lambda c: np.column_stack(to_utm.transform(c[:, 0], c[:, 1])))
        assert shapely.hausdorff_distance(shapely.from_wkt(stored[parcel["cadastral_number"]]), expected) < 0.01
