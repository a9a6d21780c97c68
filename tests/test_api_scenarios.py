"""Development scenarios through the real API: the planner's workflow, who may do what,
bad proposals refused whole, stale reports, comparison and export.

Measured values are checked against PostGIS's own answers on the same data."""

from __future__ import annotations

import json
import math

import numpy as np
import pyproj
import pytest
import shapely
from conftest import query
from dem import SourceDem
from helpers import execute
from tileset_checks import Glb, extension_errors, khronos_reports, tileset_errors

from tiles import geoid


def q(api, sql: str, **params):
    return query(api.db, sql, **params)


@pytest.fixture(scope="module")
def site(api):
    """A parcel of zone Ж-1 (15 m, 4 floors) that the cable strip crosses: (number, lon/lat polygon)."""
    number, wkt = q(api, """
        SELECT p.cadastral_number, ST_AsText(p.geom) FROM parcels p
        JOIN zones t ON t.zone_code = 'Ж-1' AND ST_Contains(t.geom, p.geom)
        JOIN zones c ON c.registry_number = '77:01-6.501' AND ST_Intersects(c.geom, p.geom)
        WHERE p.permitted_use = '2.1.1' ORDER BY p.id LIMIT 1""")[0]
    return number, shapely.from_wkt(wkt)


def feature(polygon: shapely.Geometry, **properties) -> dict:
    return {"type": "Feature", "geometry": shapely.geometry.mapping(polygon),
            "properties": {"height": 12, "use": "residential", **properties}}


def over_the_edge(parcel: shapely.Geometry) -> shapely.Geometry:
    """A footprint from the parcel's middle past its east and north edges (into the cable
    strip along the street to the north)."""
    w, s, e, n = parcel.bounds
    cx, cy = parcel.centroid.x, parcel.centroid.y
    return shapely.box(cx - (e - w) * 0.15, cy - (n - s) * 0.2, e + 0.00005, n + 0.00002)


@pytest.fixture(scope="module")
def scenario(api, site):
    """A planner's scenario with one 30 m building over the parcel's edge, checked."""
    number, parcel = site
    with api.client("planner") as planner:
        created = planner.post("/scenarios", json={"name": "Башня на Пресне", "description": "проба"})
        assert created.status_code == 201, created.text
        sid = created.json()["id"]
        added = planner.post(f"/scenarios/{sid}/buildings",
                             json=feature(over_the_edge(parcel), height=30, floors=10, name="Башня"))
        assert added.status_code == 201, added.text
        report = planner.post(f"/scenarios/{sid}/check")
        assert report.status_code == 200, report.text
    return sid, added.json()["id"], report.json()


def findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def test_the_checks_find_the_violations_postgis_measures(api, site, scenario):
    number, parcel = site
    sid, bid, report = scenario
    assert report["status"] == "violation" and report["stale"] is False
    outside = findings(report, "parcel_fit")[0]
    assert outside["status"] == "violation"
    expected = q(api, """SELECT ST_Area(ST_Difference(b.footprint, p.geom)::geography)
        FROM scenario_buildings b, parcels p WHERE b.id = :b AND p.cadastral_number = :n""",
                 b=bid, n=number)[0][0]
    assert outside["value"] == pytest.approx(expected, rel=0.01) and expected > 10
    assert shapely.geometry.shape(outside["geometry"]).distance(parcel.boundary) < 1e-7
    height = findings(report, "height")[0]
    assert (height["status"], height["value"], height["limit"], height["source"]) == \
        ("violation", 30, 15, "zone Ж-1")
    assert findings(report, "floors")[0]["status"] == "violation"
    cable = [f for f in findings(report, "zones") if f["source"] == "77:01-6.501"]
    assert cable and cable[0]["status"] == "violation" and "Запрещается" in cable[0]["message"]
    assert report["summary"]["violation"] == sum(f["status"] == "violation" for f in report["findings"])
    assert report["totals"]["floor_area_m2"] > 0 and report["totals"]["residents"] > 0
    assert report["totals"]["max_height_m"] == 30
    sunlight = findings(report, "insolation")
    assert sunlight and sunlight[-1]["details"]["buildings"] > 0 and "screening" in sunlight[-1]["message"]
    social = {f["subject"]: f for f in findings(report, "social")}
    assert set(social) == {"kindergarten", "school", "clinic"}
    assert {f["details"]["measured"] for f in social.values() if "measured" in f["details"]} == {"network"}
    assert all(f["details"]["residents"] == report["totals"]["residents"] for f in social.values())


def test_roles_and_publication(api, scenario):
    sid, bid, _ = scenario
    for role in (None, "viewer", "planner2"):  # unpublished: not there for them
        with api.client(role) as client:
            assert client.get(f"/scenarios/{sid}").status_code == 404
            assert sid not in [s["id"] for s in client.get("/scenarios").json()["scenarios"]]
    with api.client("official") as official:
        assert official.get(f"/scenarios/{sid}").status_code == 200  # officials read all
        assert official.patch(f"/scenarios/{sid}", json={"name": "x"}).status_code == 403
    with api.client("planner2") as other:
        own = other.post("/scenarios", json={"name": "Чужой"}).json()["id"]
    with api.client("planner") as planner:
        assert planner.patch(f"/scenarios/{own}", json={"published": True}).status_code == 404
        assert planner.patch(f"/scenarios/{sid}", json={"published": True}).status_code == 200
    with api.client("planner2") as other:
        assert other.get(f"/scenarios/{sid}").status_code == 200  # published: readable
        assert other.post(f"/scenarios/{sid}/check").status_code == 403  # but not theirs
        assert other.delete(f"/scenarios/{sid}/buildings/{bid}").status_code == 403
    with api.client() as anonymous:
        assert anonymous.get(f"/scenarios/{sid}/report").status_code == 200
        assert anonymous.post("/scenarios", json={"name": "x"}).status_code == 401
    with api.client("viewer") as viewer:
        assert viewer.post("/scenarios", json={"name": "x"}).status_code == 403
    actions = {(r[0], r[1]) for r in q(api, "SELECT action, entity FROM audit_log WHERE actor = 'test-planner'")}
    assert {("create", "scenarios"), ("create", "scenario_buildings"), ("update", "scenarios")} <= actions


@pytest.mark.parametrize(("change", "needle"), [
    ({"geometry": {"type": "Polygon", "coordinates": [[[37.55, 55.75], [37.5505, 55.7505], [37.5505, 55.75],
                                                       [37.55, 55.7505], [37.55, 55.75]]]}}, "Self-intersection"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[55.75, 37.55], [55.7505, 37.55], [55.7505, 37.5505],
                                                       [55.75, 37.5505], [55.75, 37.55]]]}}, "outside the city"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[37.55, 55.75], [37.550001, 55.75], [37.550001, 55.750001],
                                                       [37.55, 55.750001], [37.55, 55.75]]]}}, "no area"),
    ({"geometry": {"type": "LineString", "coordinates": [[37.55, 55.75], [37.56, 55.75]]}}, "Polygon"),
    ({"properties": {"height": 0, "use": "residential"}}, "height"),
    ({"properties": {"height": 1001, "use": "residential"}}, "height"),
    ({"properties": {"height": 20, "use": "casino"}}, "use"),
    ({"properties": {"height": 20, "use": "office", "min_height": 25}}, "min_height"),
    ({"properties": {"height": 20, "use": "office", "floors": 0}}, "floors"),
    ({"properties": {"height": 20, "use": "office", "residential_share": 1.5}}, "residential_share"),
])
def test_bad_proposals_are_422_naming_the_field_and_write_nothing(api, site, scenario, change, needle):
    sid, _, _ = scenario
    good = feature(site[1].centroid.buffer(0.0001, quad_segs=2))
    before = q(api, "SELECT count(*), max(updated_at) FROM scenario_buildings WHERE scenario_id = :s", s=sid)
    with api.client("planner") as planner:
        response = planner.post(f"/scenarios/{sid}/buildings", json={**good, **change})
    assert response.status_code == 422, response.text
    assert needle in response.json()["description"]
    assert q(api, "SELECT count(*), max(updated_at) FROM scenario_buildings WHERE scenario_id = :s", s=sid) == before


def test_a_report_is_stale_after_the_data_or_the_scenario_change(api, site):
    number, parcel = site
    with api.client("planner") as planner:
        sid = planner.post("/scenarios", json={"name": "Проверка свежести"}).json()["id"]
        planner.post(f"/scenarios/{sid}/buildings", json=feature(parcel.centroid.buffer(0.00008, quad_segs=2)))
        assert planner.post(f"/scenarios/{sid}/check").json()["stale"] is False
        assert planner.get(f"/scenarios/{sid}/report").json()["stale"] is False
        seen = planner.get("/viewer/versions.json").json()
        execute(api, "UPDATE zones SET max_height_m = max_height_m WHERE zone_code = 'Ж-1'")  # any writer
        assert planner.get(f"/scenarios/{sid}/report").json()["stale"] is True
        assert planner.post(f"/scenarios/{sid}/check").json()["stale"] is False
        building = planner.get(f"/scenarios/{sid}").json()["buildings"]["features"][0]["id"]
        assert planner.delete(f"/scenarios/{sid}/buildings/{building}").status_code == 204
        report = planner.get(f"/scenarios/{sid}/report").json()
        assert report["stale"] is True  # the scenario itself changed
        now = planner.get("/viewer/versions.json").json()
        assert now["scenarios"] > seen["scenarios"] and now["zones"] > seen["zones"]


def test_demolitions_and_comparison(api, site):
    number, parcel = site
    existing = q(api, """SELECT b.id, b.footprint IS NOT NULL FROM buildings b JOIN parcels p ON p.id = b.parcel_id
                         WHERE p.cadastral_number = :n ORDER BY b.id LIMIT 1""", n=number)
    assert existing, "the site has no building"
    building = existing[0][0]
    with api.client("planner") as planner:
        keep = planner.post("/scenarios", json={"name": "Сохранить"}).json()["id"]
        clear = planner.post("/scenarios", json={"name": "Снести"}).json()["id"]
        footprint = parcel.centroid.buffer(0.00006, quad_segs=2)
        for sid in (keep, clear):
            assert planner.post(f"/scenarios/{sid}/buildings", json=feature(footprint, floors=4)).status_code == 201
        assert planner.put(f"/scenarios/{clear}/demolitions/{building}").status_code == 204
        assert planner.put(f"/scenarios/{clear}/demolitions/999999999").status_code == 404
        report = planner.post(f"/scenarios/{clear}/check").json()
        removed = [f for f in findings(report, "demolitions") if f["details"].get("building_id") == building]
        floor_area = q(api, """SELECT ST_Area(footprint::geography) * coalesce(floors, greatest(1, round(height / 3)))
                               FROM buildings WHERE id = :b""", b=building)[0][0]
        assert removed and removed[0]["value"] == pytest.approx(floor_area, rel=0.01)
        compared = planner.get("/scenarios/compare", params={"ids": f"{keep},{clear}"})
        assert compared.status_code == 200, compared.text
        a, b = compared.json()["scenarios"]
        assert (a["id"], b["id"]) == (keep, clear)
        assert a["totals"]["floor_area_m2"] == pytest.approx(b["totals"]["floor_area_m2"])
        assert (a["totals"]["demolished"], b["totals"]["demolished"]) == (0, 1)
        assert b["totals"]["demolished_floor_area_m2"] == pytest.approx(floor_area, rel=0.01)
        assert a["totals"]["coverage_pct"] > b["totals"]["coverage_pct"]
        exported = planner.get(f"/scenarios/{clear}.geojson")
        assert exported.headers["content-type"] == "application/geo+json"
        kinds = sorted("demolished" if f["properties"].get("demolished") else "proposed"
                       for f in exported.json()["features"])
        assert kinds == ["demolished", "proposed"]
        html = planner.get(f"/scenarios/{clear}/report", params={"f": "html"})
        assert html.headers["content-type"].startswith("text/html") and "demolitions" in html.text
        assert planner.get("/scenarios/compare", params={"ids": f"{keep}"}).status_code == 400
        assert planner.get("/scenarios/compare", params={"ids": "1,x"}).status_code == 400
    with api.client() as anonymous:  # not published: not comparable for everyone
        assert anonymous.get("/scenarios/compare", params={"ids": f"{keep},{clear}"}).status_code == 404
    json.dumps(report)  # the report is plain JSON


def test_the_published_example_breaks_rules_1_3_and_8(api):
    """As the demo does: the generator's example scenario, imported and checked by the CLI."""
    with api.client() as anonymous:
        listed = anonymous.get("/scenarios").json()["scenarios"]
        example = next(s for s in listed if s["name"] == "Башня на Пресне (пример)")
        assert example["published"] is True and example["owner"] == "test-planner"
        report = anonymous.get(f"/scenarios/{example['id']}/report").json()
    violated = {f["rule"] for f in report["findings"] if f["status"] == "violation"}
    assert {"parcel_fit", "height", "insolation"} <= violated, violated
    assert report["totals"]["demolished"] >= 1  # (stale or not: other tests change the data)
    lost = [f for f in findings(report, "insolation") if f["subject"]]
    assert lost and all(f["geometry"] for f in lost)


def test_the_envelope_of_a_parcel_in_the_low_rise_zone(api, site):
    number, parcel = site
    with api.client() as client:
        response = client.get(f"/parcels/{number}/envelope")
        assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
        found = response.json()
        area = q(api, "SELECT ST_Area(geom::geography) FROM parcels WHERE cadastral_number = :n", n=number)[0][0]
        props = found["properties"]
        # Ж-1: 3 m setback, 40 %, 4 floors, 10 thousand m²/ha — density binds at the parcel's area
        assert props["binding"] == "density" and props["max_floor_area_m2"] == pytest.approx(area, rel=0.01)
        assert (props["floors"], props["height_m"], props["floors_limited_by"]) == (4, 15, "floors")
        assert props["footprint_m2"] == pytest.approx(0.4 * area, rel=0.01)
        footprint = shapely.geometry.shape(found["geometry"])
        assert parcel.buffer(1e-7).contains(footprint)
        assert footprint.distance(parcel.boundary) > 2.5 / 111_320  # the setback
        # the cable strip is cut out of it
        strip = shapely.from_wkt(q(api, "SELECT ST_AsText(geom) FROM zones WHERE registry_number = '77:01-6.501'")[0][0])
        assert footprint.intersection(strip).area < 1e-10  # under a square metre: rounding
        assert client.get("/parcels/77:01:0999999:1/envelope").status_code == 404
        assert client.get("/parcels/x/envelope").status_code == 400


def test_buildable_parcels_are_the_citys_unencumbered_ones_with_room_left(api):
    w, s, e, n = q(api, "SELECT ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x) FROM "
                        "(SELECT ST_Extent(geom) x FROM parcels WHERE cadastral_number LIKE '77:%') t")[0]
    with api.client() as client:
        response = client.get("/parcels", params={"buildable": "true", "bbox": f"{w},{s},{e},{n}", "limit": 500})
        assert response.status_code == 200, response.text
        features = response.json()["features"]
        assert features
        numbers = [f["properties"]["cadastral_number"] for f in features]
        bad = q(api, """SELECT p.cadastral_number FROM parcels p JOIN rights r ON r.parcel_id = p.id
            WHERE p.cadastral_number = ANY(:n) AND (r.kind = 'encumbrance' OR r.holder_kind <> 'public')""", n=numbers)
        assert bad == []
        left = [f["properties"]["floor_area_left_m2"] for f in features]
        assert min(left) > 0 and left == sorted(left, reverse=True)
        assert client.get("/parcels", params={"buildable": "false", "bbox": f"{w},{s},{e},{n}"}).status_code == 400
        assert client.get("/parcels", params={"buildable": "true", "bbox": "1,2,3"}).status_code == 400
        assert client.get("/parcels", params={"buildable": "true", "bbox": "30,50,40,60"}).status_code == 400


def test_proposals_as_a_3d_tileset_with_the_city_tilesets_metadata(api, site, tmp_path):
    """The tileset and its glTF are valid (official schemas, Khronos validator), the
    building stands on its footprint from min_height to height, its metadata are the city
    tileset's class with the proposal's values, and only the scenario's readers get it."""
    number, parcel = site
    inner = shapely.box(*parcel.centroid.buffer(0.00008).bounds)
    with api.client("planner") as planner:
        sid = planner.post("/scenarios", json={"name": "В 3D"}).json()["id"]
        empty = planner.get(f"/scenarios/{sid}/tileset.json")
        assert empty.status_code == 200 and "content" not in empty.json()["root"]
        assert tileset_errors(empty.json()) == []
        assert planner.get(f"/scenarios/{sid}/proposals.glb").status_code == 404
        bid = planner.post(f"/scenarios/{sid}/buildings", json=feature(
            inner, height=21, min_height=6, floors=5, use="office", name="Корпус Б")).json()["id"]
        response = planner.get(f"/scenarios/{sid}/tileset.json")
        assert response.status_code == 200 and "private" in response.headers["cache-control"]
        tileset = response.json()
        assert tileset_errors(tileset) == []
        w, s, e, n, low, high = tileset["root"]["boundingVolume"]["region"]
        # it stands on the terrain, as the city's buildings do: on the lowest ground under it
        # (plus the geoid: tilesets are ellipsoidal)
        ground = SourceDem(api.state.parent / "district" / "terrain.tif").lowest_under(inner) + float(
            geoid.undulation(np.array([inner.centroid.x]), np.array([inner.centroid.y]))[0])
        assert low - 6 == pytest.approx(high - 21, abs=1e-6) and low - 6 == pytest.approx(ground, abs=0.3)
        uri = tileset["root"]["content"]["uri"]
        glb = planner.get(f"/scenarios/{sid}/{uri}")
        assert glb.status_code == 200 and glb.headers["content-type"] == "model/gltf-binary"
        again = planner.get(f"/scenarios/{sid}/{uri}", headers={"If-None-Match": glb.headers["etag"]})
        assert again.status_code == 304
        for role in (None, "planner2"):  # not published: not there for others
            with api.client(role) as other:
                assert other.get(f"/scenarios/{sid}/tileset.json").status_code == 404
                assert other.get(f"/scenarios/{sid}/proposals.glb").status_code == 404
        # a change to the building is a new version: a new content URI and ETag
        planner.put(f"/scenarios/{sid}/buildings/{bid}", json=feature(inner, height=24, use="office"))
        changed = planner.get(f"/scenarios/{sid}/tileset.json").json()
        assert changed["root"]["content"]["uri"] != uri
        assert planner.get(f"/scenarios/{sid}/{uri}",
                           headers={"If-None-Match": glb.headers["etag"]}).status_code == 200
    path = tmp_path / "proposals.glb"
    path.write_bytes(glb.content)
    [report] = khronos_reports([path])
    assert report["issues"]["numErrors"] == 0 and report["issues"]["numWarnings"] == 0, report
    model = Glb(path)
    assert extension_errors(model.json) == []
    table = model.property_table()
    assert table["building_id"] == [bid] and table["height_source"] == ["proposed"]
    assert table["parcel"] == [number] and table["use"] == ["office"] and table["floors"] == [5]
    assert table["address"] == ["Корпус Б"] and table["height"] == [21.0]
    # every vertex lies on the footprint's outline or inside it, between 6 and 21 m above its ground
    positions = model.positions_ecef()
    lon, lat, h = pyproj.Transformer.from_crs(4978, 4979, always_xy=True).transform(
        positions[:, 0], positions[:, 1], positions[:, 2])
    assert h.min() == pytest.approx(low, abs=0.01) and h.max() == pytest.approx(high, abs=0.01)
    assert shapely.contains_xy(inner.buffer(1e-7), lon, lat).all()
    w2, s2, e2, n2 = inner.bounds
    assert (w, s, e, n) == pytest.approx([math.radians(v) for v in (w2, s2, e2, n2)])


def test_a_feature_collection_is_proposed_whole_or_not_at_all(api, site):
    number, parcel = site
    c = parcel.centroid
    west, east = shapely.box(c.x - 0.0001, c.y - 0.00005, c.x - 0.00002, c.y + 0.00005), \
        shapely.box(c.x + 0.00002, c.y - 0.00005, c.x + 0.0001, c.y + 0.00005)
    collection = {"type": "FeatureCollection", "name": "from QGIS", "features": [
        feature(west, name="Запад"), feature(east, height=18, floors=6, name="Восток")]}
    with api.client("planner") as planner:
        sid = planner.post("/scenarios", json={"name": "Загрузка"}).json()["id"]
        bad = json.loads(json.dumps(collection))
        bad["features"][1]["properties"]["height"] = -3
        refused = planner.post(f"/scenarios/{sid}/buildings", json=bad)
        assert refused.status_code == 422 and "features.1.properties.height" in refused.json()["description"]
        bad["features"][1]["properties"]["height"] = 18
        bad["features"][1]["geometry"]["coordinates"][0] = [[y, x] for x, y in bad["features"][1]["geometry"]["coordinates"][0]]
        refused = planner.post(f"/scenarios/{sid}/buildings", json=bad)
        assert refused.status_code == 422 and refused.json()["description"].startswith("features[1].geometry")
        assert q(api, "SELECT count(*) FROM scenario_buildings WHERE scenario_id = :s", s=sid)[0][0] == 0
        created = planner.post(f"/scenarios/{sid}/buildings", json=collection)
        assert created.status_code == 201, created.text
        names = [f["properties"]["name"] for f in created.json()["features"]]
        assert names == ["Запад", "Восток"]
        stored = q(api, "SELECT name, height, floors FROM scenario_buildings WHERE scenario_id = :s ORDER BY id", s=sid)
        assert [tuple(r) for r in stored] == [("Запад", 12, None), ("Восток", 18, 6)]
        empty = planner.post(f"/scenarios/{sid}/buildings", json={"type": "FeatureCollection", "features": []})
        assert empty.status_code == 422 and "features" in empty.json()["description"]
