"""Zones, services and the linear objects of the register, served: OGC API collections,
vector tiles, the parcel card's planning section and /services near a point.

Answers are checked against the database and against distances computed here, on the
spheroid, with pyproj — not against numbers written into the tests.
"""

from __future__ import annotations

import mapbox_vector_tile
import numpy as np
import pyproj
import pytest
import shapely
from conftest import query
from helpers import execute, gdal, tile_of, walk

from citymodel.planning import SERVICE_CATEGORIES, ZONE_KINDS

GEOD = pyproj.Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def client(api):
    with api.client() as c:
        yield c


def geodesic_m(a: shapely.Point, b: shapely.Point) -> float:
    return GEOD.inv(a.x, a.y, b.x, b.y)[2]


def to_metres(geom: shapely.Geometry) -> shapely.Geometry:
    """Lon/lat → UTM 37N metres (the district is in it): for distances to polygons."""
    t = pyproj.Transformer.from_crs(4326, 32637, always_xy=True)
    return shapely.transform(geom, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))


def test_the_new_collections_are_listed_with_queryables(client):
    ids = {c["id"] for c in client.get("/collections").json()["collections"]}
    assert {"zones", "services", "linear_objects", "point_objects"} <= ids
    zones = client.get("/collections/zones/queryables").json()["properties"]
    assert zones["kind"]["enum"] == list(ZONE_KINDS)
    assert {"max_height_m", "max_floors", "max_coverage_pct", "max_density", "min_setback_m"} <= set(zones)
    services = client.get("/collections/services/queryables").json()["properties"]
    assert services["category"]["enum"] == list(SERVICE_CATEGORIES)
    assert services["geometry"]["format"] == "geometry-point"
    links = client.get("/collections/zones").json()["links"]
    assert any(link["rel"] == "tiles" for link in links)


def test_zones_filtered_by_kind_and_parameters(api, client):
    features, _ = walk(client, "/collections/zones/items", {"filter": "kind = 'territorial'"})
    expected = query(api.db, "SELECT zone_code, max_height_m FROM zones WHERE kind = 'territorial' ORDER BY id")
    assert [(f["properties"]["zone_code"], f["properties"]["max_height_m"]) for f in features] == \
        [tuple(r) for r in expected]
    assert len(features) == 3
    low = client.get("/collections/zones/items",
                     params={"filter": "max_height_m < 20 AND min_setback_m >= 3"}).json()["features"]
    assert [f["properties"]["zone_code"] for f in low] == ["Ж-1"]
    assert low[0]["properties"]["permitted_uses"][:2] == ["2.1", "2.1.1"]
    assert low[0]["geometry"]["type"] == "MultiPolygon"


def test_linear_and_point_objects_are_served_as_lines_and_points(api, client):
    lines, _ = walk(client, "/collections/linear_objects/items")
    expected = {r[0] for r in query(api.db, "SELECT cadastral_number FROM buildings WHERE lines IS NOT NULL")}
    assert {f["properties"]["cadastral_number"] for f in lines} == expected and len(expected) >= 2
    assert {f["geometry"]["type"] for f in lines} == {"MultiLineString"}
    heating = next(f for f in lines if f["properties"]["use"].startswith("Тепловая сеть"))
    assert heating["properties"]["has_footprint"] is True  # its chamber is a ring
    points, _ = walk(client, "/collections/point_objects/items")
    assert len(points) == query(api.db, "SELECT count(*) FROM buildings WHERE points IS NOT NULL")[0][0] >= 8
    assert {f["geometry"]["type"] for f in points} == {"MultiPoint"}
    # a building without lines is not a linear object
    building = query(api.db, "SELECT id FROM buildings WHERE lines IS NULL LIMIT 1")[0][0]
    assert client.get(f"/collections/linear_objects/items/{building}").status_code == 404


def test_ogrinfo_reads_zones_and_services(api):
    out = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{api.url}/", "zones").stdout
    assert f"Feature Count: {query(api.db, 'SELECT count(*) FROM zones')[0][0]}" in out
    # GDAL 3.6 types the fields by the first page's values (15 m reads as an Integer)
    assert "max_height_m: " in out and "kind: String" in out and "permitted_uses: StringList" in out
    out = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{api.url}/", "services").stdout
    assert f"Feature Count: {query(api.db, 'SELECT count(*) FROM services')[0][0]}" in out
    assert "Point" in out and "capacity: Integer" in out


def test_vector_tiles_of_zones_services_and_lines(api, client):
    lon, lat = query(api.db, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(lines)) c "
                             "FROM buildings) t")[0]
    x, y = tile_of(lon, lat, 14)
    zones = mapbox_vector_tile.decode(client.get(f"/tiles/zones/14/{x}/{y}.mvt").content)["zones"]
    kinds = {f["properties"]["kind"] for f in zones["features"]}
    assert "territorial" in kinds and "restriction" in kinds
    lines = mapbox_vector_tile.decode(client.get(f"/tiles/linear_objects/14/{x}/{y}.mvt").content)
    assert lines["linear_objects"]["features"][0]["geometry"]["type"] in ("LineString", "MultiLineString")
    sx, sy = tile_of(*query(api.db, "SELECT ST_X(geom), ST_Y(geom) FROM services ORDER BY id LIMIT 1")[0], 14)
    services = mapbox_vector_tile.decode(client.get(f"/tiles/services/14/{sx}/{sy}.mvt").content)
    assert {"category", "kind", "name"} <= set(services["services"]["features"][0]["properties"])
    assert client.get("/tiles/services/tilejson.json").json()["vector_layers"][0]["id"] == "services"
    assert client.get("/tiles/lots/14/1/1.mvt").status_code == 400


def test_the_card_lists_the_zone_parameters_restrictions_and_nearest_services(api, client):
    number, wkt = query(api.db, """
        SELECT p.cadastral_number, ST_AsText(p.geom) FROM parcels p JOIN zones z
          ON z.registry_number = '77:01-6.501' AND ST_Intersects(z.geom, p.geom)
        ORDER BY p.id LIMIT 1""")[0]
    card = client.get(f"/parcels/{number}").json()

    zone = card["territorial_zone"]
    expected = query(api.db, """SELECT zone_code, max_height_m, max_floors, max_coverage_pct,
        max_density, min_setback_m FROM zones WHERE kind = 'territorial'
        AND ST_Intersects(geom, ST_PointOnSurface(ST_GeomFromText(:wkt, 4326)))""", wkt=wkt)[0]
    assert (zone["zone_code"], zone["max_height_m"], zone["max_floors"], zone["max_coverage_pct"],
            zone["max_density"], zone["min_setback_m"]) == tuple(expected)
    assert zone["permitted_uses"] and zone["share_of_parcel_pct"] > 50

    cable = next(z for z in card["restriction_zones"] if z["registry_number"] == "77:01-6.501")
    assert cable["kind"] == "restriction" and cable["restrictions"].startswith("Запрещается")
    strip = shapely.from_wkt(query(api.db, "SELECT ST_AsText(geom) FROM zones WHERE "
                                           "registry_number = '77:01-6.501'")[0][0])
    overlap = to_metres(strip.intersection(shapely.from_wkt(wkt))).area
    assert cable["overlap_m2"] == pytest.approx(overlap, rel=0.01) and overlap > 10

    parcel = to_metres(shapely.from_wkt(wkt))
    services = query(api.db, "SELECT id, category, ST_AsText(geom) FROM services")
    nearest = {}
    for id_, category, point in services:
        distance = parcel.distance(to_metres(shapely.from_wkt(point)))
        if distance <= 5000 and (category not in nearest or distance < nearest[category][1]):
            nearest[category] = (id_, distance)
    got = {s["category"]: s for s in card["nearest_services"]}
    assert set(got) == set(nearest) and {"education", "health", "culture", "sport"} <= set(got)
    for category, (id_, distance) in nearest.items():
        assert got[category]["id"] == id_
        assert got[category]["distance_m"] == pytest.approx(distance, rel=0.01, abs=2)


def test_services_near_a_point_sorted_by_distance(api, client):
    lon, lat = query(api.db, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) c "
                             "FROM parcels) t")[0]
    response = client.get("/services", params={"near": f"{lon},{lat}", "radius": 700,
                                               "category": "education"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
    features = response.json()["features"]
    here = shapely.Point(lon, lat)
    every = query(api.db, "SELECT id, ST_X(geom), ST_Y(geom) FROM services WHERE category = 'education'")
    inside = sorted((geodesic_m(here, shapely.Point(x, y)), i) for i, x, y in every
                    if geodesic_m(here, shapely.Point(x, y)) <= 700)
    assert [f["id"] for f in features] == [i for _, i in inside] and features
    for feature, (distance, _) in zip(features, inside, strict=True):
        assert feature["properties"]["distance_m"] == pytest.approx(distance, abs=0.5)
        assert feature["properties"]["category"] == "education"
    schools = client.get("/services", params={"near": f"{lon},{lat}", "radius": 700, "kind": "school"}).json()
    assert {f["properties"]["kind"] for f in schools["features"]} <= {"school"}
    by_name = client.get("/services", params={"q": "Школа"}).json()["features"]
    assert by_name and all("Школа" in f["properties"]["name"] for f in by_name[:3])
    one = client.get(f"/services/{features[0]['id']}").json()
    assert one["properties"]["name"] == features[0]["properties"]["name"]
    assert client.get("/services/999999999").status_code == 404


@pytest.mark.parametrize(("params", "needle"), [
    ({"near": "37.5"}, "near"), ({"near": "200,55"}, "near"), ({"near": "nan,55"}, "near"),
    ({"near": "37.5,55.7", "radius": "0"}, "radius"), ({"near": "37.5,55.7", "radius": "1e9"}, "radius"),
    ({"radius": "100"}, "radius"), ({"category": "casinos"}, "category"), ({"bbox": "1,2,3,4"}, "bbox"),
    ({"q": ""}, "q"), ({"q": "a\x00b"}, ""),
])
def test_bad_service_queries_get_a_400_naming_the_parameter(client, params, needle):
    response = client.get("/services", params=params)
    assert response.status_code == 400, response.text
    assert needle in response.json()["description"]


def test_viewer_config_and_versions_carry_zones_and_services(api, client):
    config = client.get("/viewer/config.json").json()
    assert config["zone_kinds"] == list(ZONE_KINDS)
    assert config["service_categories"] == list(SERVICE_CATEGORIES)
    before = client.get("/viewer/versions.json").json()
    assert {"zones", "services"} <= set(before)

    service, capacity = query(api.db, "SELECT id, capacity FROM services ORDER BY id LIMIT 1")[0]
    execute(api, "UPDATE services SET capacity = coalesce(capacity, 0) + 1 WHERE id = :s", s=service)
    try:
        after = client.get("/viewer/versions.json").json()
        assert after["services"] > before["services"] and after["zones"] == before["zones"]
    finally:
        execute(api, "UPDATE services SET capacity = :c WHERE id = :s", c=capacity, s=service)
