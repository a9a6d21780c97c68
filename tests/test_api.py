"""The API over the sample district, through a real `citymodel serve` and HTTP.

Answers are checked against the database itself: counts, ids and values come from
SQL on the same database, not from numbers written into the tests.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys

import mapbox_vector_tile
import pyproj
import pytest
from conftest import query
from helpers import execute, tile_of, walk

from citymodel.records import LOT_STATUSES

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


@pytest.fixture(scope="module")
def client(api):
    with api.client() as c:
        yield c


def db(api, sql: str, **params):
    return query(api.db, sql, **params)


# --- Part 1: landing page, conformance, collections -------------------------------------------

def test_landing_page_links_typed_as_clients_need(client):
    landing = client.get("/", headers={"Accept": "application/json"}).json()
    rels = {link["rel"]: link for link in landing["links"]}
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert rels["service-doc"]["type"] == "text/html"
    assert {"self", "alternate", "conformance", "data"} <= set(rels)
    assert all("type" in link for link in landing["links"])
    for rel in ("service-desc", "service-doc", "conformance", "data"):
        assert client.get(rels[rel]["href"]).status_code == 200


def test_conformance_declares_only_what_the_tests_here_exercise(client):
    declared = set(client.get("/conformance").json()["conformsTo"])
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in declared
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in declared
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in declared
    assert not any("arithmetic" in c or "queryables-query-parameters" in c or "temporal" in c
                   or "array-functions" in c or "accent" in c for c in declared)


def test_collections_carry_items_links_crs_and_storage_crs(client):
    document = client.get("/collections").json()
    ids = [c["id"] for c in document["collections"]]
    assert ids == ["parcels", "buildings", "lots", "zones", "services", "linear_objects", "point_objects",
                   "procurements"]
    for c in document["collections"]:
        items = [link for link in c["links"] if link["rel"] == "items"]
        assert any(link["type"] == "application/geo+json" for link in items)
        assert c["storageCrs"] == CRS84 and CRS84 in c["crs"] and EPSG.format(32637) in c["crs"]
        one = client.get(f"/collections/{c['id']}").json()
        assert one["id"] == c["id"] and any(link["rel"] == "self" for link in one["links"])
    parcels = document["collections"][0]
    west, south, east, north = parcels["extent"]["spatial"]["bbox"][0]
    assert 37 < west < east < 38 and 55 < south < north < 56


def test_html_representations(client):
    for path in ("/?f=html", "/conformance?f=html", "/collections?f=html",
                 "/collections/parcels?f=html", "/collections/parcels/items?f=html&limit=5",
                 "/collections/parcels/items/1?f=html", "/api.html"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert "<table" in response.text or "<ul" in response.text


def test_openapi_is_3_0_with_a_referenced_limit_that_carries_the_maximum(client):
    document = client.get("/api").json()
    assert document["openapi"].startswith("3.0")
    limit = document["components"]["parameters"]["limit"]
    assert limit["schema"]["maximum"] == 10_000 and limit["schema"]["default"] == 100
    parameters = document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/limit"} in parameters
    assert {"$ref": "#/components/parameters/bbox"} in parameters
    text = json.dumps(document)
    assert '"type": "null"' not in text  # 3.1-only constructs rewritten


# --- items, paging -----------------------------------------------------------------------------

def test_walking_next_links_returns_every_parcel_once(api, client):
    features, pages = walk(client, "/collections/parcels/items", {"limit": 250})
    ids = [f["id"] for f in features]
    expected = [r[0] for r in db(api, "SELECT id FROM parcels ORDER BY id")]
    assert ids == expected and pages == -(-len(expected) // 250)


def test_keyset_paging_by_a_sort_key_with_nulls_and_ties(api, client):
    features, _ = walk(client, "/collections/buildings/items",
                       {"limit": 97, "sortby": "-floors,+year_built", "properties": "floors,year_built"})
    expected = db(api, "SELECT id FROM buildings ORDER BY floors DESC, year_built ASC, id")
    assert [f["id"] for f in features] == [r[0] for r in expected]
    assert set(features[0]["properties"]) == {"floors", "year_built"}


def test_number_matched_is_exact_and_limit_is_clamped(api, client):
    page = client.get("/collections/buildings/items", params={"limit": 10**9}).json()
    total = db(api, "SELECT count(*) FROM buildings")[0][0]
    assert page["numberReturned"] == min(total, 10_000) and page["numberMatched"] == total
    page = client.get("/collections/buildings/items", params={"limit": 5}).json()
    assert page["numberReturned"] == 5 and page["numberMatched"] == total
    second = client.get(next(link["href"] for link in page["links"] if link["rel"] == "next")).json()
    assert "numberMatched" not in second  # later pages do not count again


def test_a_bbox_page_counts_and_sorts_like_postgis(api, client):
    """A map's page (a bbox matching few features: counted in the same query) holds the
    first matches by id, numberMatched all of them, and its next link the rest."""
    w, s, e, n = db(api, "SELECT ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x) FROM "
                         "(SELECT ST_Extent(geom) x FROM parcels) t")[0]
    box = (w, s, w + (e - w) / 3, s + (n - s) / 3)
    expected = [r[0] for r in db(api, "SELECT id FROM parcels WHERE ST_Intersects(geom, "
                                      "ST_MakeEnvelope(:w, :s, :e, :n, 4326)) ORDER BY id",
                                 w=box[0], s=box[1], e=box[2], n=box[3])]
    assert len(expected) > 12
    params = {"bbox": ",".join(map(str, box)), "limit": 10, "properties": "cadastral_number,auction_status"}
    features, pages = walk(client, "/collections/parcels/items", params)
    first = client.get("/collections/parcels/items", params=params).json()
    assert first["numberMatched"] == len(expected) and first["numberReturned"] == 10
    assert [f["id"] for f in features] == expected and pages == -(-len(expected) // 10)
    statuses = dict(db(api, "SELECT p.id, l.status FROM parcels p, parcel_latest_lot(p.id) l"))
    assert {f["id"]: f["properties"].get("auction_status") for f in features} == \
        {i: statuses.get(i) for i in expected}


def test_offset_is_still_accepted(api, client):
    page = client.get("/collections/parcels/items", params={"limit": 3, "offset": 10}).json()
    expected = [r[0] for r in db(api, "SELECT id FROM parcels ORDER BY id LIMIT 3 OFFSET 10")]
    assert [f["id"] for f in page["features"]] == expected


def test_one_item_with_links_and_values_from_the_database(api, client):
    pid, number, area = db(api, "SELECT id, cadastral_number, computed_area_m2 FROM parcels "
                                "ORDER BY id OFFSET 5 LIMIT 1")[0]
    feature = client.get(f"/collections/parcels/items/{pid}").json()
    assert feature["id"] == pid and feature["properties"]["cadastral_number"] == number
    assert feature["properties"]["computed_area_m2"] == pytest.approx(area, abs=0.01)
    assert feature["geometry"]["type"] == "MultiPolygon"
    rels = {link["rel"]: link["type"] for link in feature["links"]}
    assert rels == {"self": "application/geo+json", "alternate": "text/html",
                    "collection": "application/json"}
    assert client.get("/collections/parcels/items/999999999").status_code == 404


def test_bbox_returns_exactly_the_intersecting_parcels(api, client):
    box = db(api, "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                  "(SELECT ST_Extent(geom) e FROM parcels) t")[0]
    w, s, e, n = box[0], box[1], (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    features, _ = walk(client, "/collections/parcels/items", {"bbox": f"{w},{s},{e},{n}", "limit": 500})
    expected = db(api, "SELECT id FROM parcels WHERE ST_Intersects(geom, ST_MakeEnvelope(:w,:s,:e,:n,4326)) "
                       "ORDER BY id", w=w, s=s, e=e, n=n)
    assert [f["id"] for f in features] == [r[0] for r in expected] and expected


def test_datetime_filters_lots_by_publication(api, client):
    day = db(api, "SELECT min(published_at)::date + 3 FROM auction_notices")[0][0]
    features, _ = walk(client, "/collections/lots/items", {"datetime": f"../{day}T00:00:00Z"})
    expected = db(api, "SELECT l.id FROM lots l JOIN auction_notices n ON n.id = l.notice_id "
                       "WHERE n.published_at <= :d ORDER BY l.id", d=f"{day}T00:00:00Z")
    assert [f["id"] for f in features] == [r[0] for r in expected]
    assert client.get("/collections/buildings/items", params={"datetime": "2020-01-01"}).status_code == 400


# --- Part 2: CRS ------------------------------------------------------------------------------

def test_output_crs_and_content_crs_header(api, client):
    pid = db(api, "SELECT min(id) FROM parcels")[0][0]
    base = client.get(f"/collections/parcels/items/{pid}").json()
    assert client.get(f"/collections/parcels/items/{pid}").headers["content-crs"] == f"<{CRS84}>"
    lon, lat = base["geometry"]["coordinates"][0][0][0]

    latlon = client.get(f"/collections/parcels/items/{pid}", params={"crs": EPSG.format(4326)})
    assert latlon.headers["content-crs"] == f"<{EPSG.format(4326)}>"
    assert latlon.json()["geometry"]["coordinates"][0][0][0] == pytest.approx([lat, lon])

    utm = client.get(f"/collections/parcels/items/{pid}", params={"crs": EPSG.format(32637)}).json()
    x, y = utm["geometry"]["coordinates"][0][0][0]
    ex, ey = pyproj.Transformer.from_crs(4326, 32637, always_xy=True).transform(lon, lat)
    assert (x, y) == pytest.approx((ex, ey), abs=0.01)


def test_bbox_crs_in_latitude_first_and_utm(api, client):
    w, s, e, n = 37.52, 55.74, 37.54, 55.76
    plain = {f["id"] for f in walk(client, "/collections/buildings/items",
                                   {"bbox": f"{w},{s},{e},{n}", "limit": 1000})[0]}
    flipped = {f["id"] for f in walk(client, "/collections/buildings/items",
                                     {"bbox": f"{s},{w},{n},{e}", "bbox-crs": EPSG.format(4326),
                                      "limit": 1000})[0]}
    assert plain == flipped and plain
    to_utm = pyproj.Transformer.from_crs(4326, 32637, always_xy=True)
    x0, y0 = to_utm.transform(w, s)
    x1, y1 = to_utm.transform(e, n)
    utm = {f["id"] for f in walk(client, "/collections/buildings/items",
                                 {"bbox": f"{x0},{y0},{x1},{y1}", "bbox-crs": EPSG.format(32637),
                                  "limit": 1000})[0]}
    assert len(utm ^ plain) <= 0.05 * len(plain)  # the boxes differ slightly at the edges


# --- Part 3: CQL2 -----------------------------------------------------------------------------

FILTERS = [
    ("height > 30 AND floors <= 12", "height > 30 AND floors <= 12"),
    ("use = 'residential' OR year_built < 1950", "use = 'residential' OR year_built < 1950"),
    ("address LIKE '%Пресн%'", "address LIKE '%%Пресн%%'"),
    ("floors IN (5, 9, 12)", "floors IN (5, 9, 12)"),
    ("height BETWEEN 20 AND 40", "height BETWEEN 20 AND 40"),
    ("year_built IS NULL", "year_built IS NULL"),
    ("NOT (floors > 5)", "NOT (floors > 5)"),
    ("CASEI(use) = CASEI('RESIDENTIAL')", "lower(use) = lower('RESIDENTIAL')"),
    ("S_INTERSECTS(geometry, POLYGON((37.52 55.74, 37.54 55.74, 37.54 55.76, 37.52 55.76, 37.52 55.74)))",
     "ST_Intersects(footprint, ST_MakeEnvelope(37.52, 55.74, 37.54, 55.76, 4326))"),
    ("S_INTERSECTS(geometry, BBOX(37.52, 55.74, 37.54, 55.76))",
     "ST_Intersects(footprint, ST_MakeEnvelope(37.52, 55.74, 37.54, 55.76, 4326))"),
]


@pytest.mark.parametrize("cql, sql", FILTERS, ids=[f[0][:30] for f in FILTERS])
def test_cql2_text_filters_match_sql(api, client, cql, sql):
    features, _ = walk(client, "/collections/buildings/items", {"filter": cql, "limit": 2000})
    expected = db(api, f"SELECT id FROM buildings WHERE {sql} ORDER BY id")
    assert [f["id"] for f in features] == [r[0] for r in expected]


def test_cql2_json_and_filter_on_joined_properties(api, client):
    cql = json.dumps({"op": "and", "args": [
        {"op": ">", "args": [{"property": "height"}, 25]},
        {"op": "isNull", "args": [{"property": "auction_status"}]}]})
    features, _ = walk(client, "/collections/buildings/items",
                       {"filter": cql, "filter-lang": "cql2-json", "limit": 2000})
    with_lots = db(api, "SELECT DISTINCT o.parcel_id FROM lot_objects o WHERE o.parcel_id IS NOT NULL")
    expected = db(api, "SELECT id FROM buildings WHERE height > 25 AND (parcel_id IS NULL OR "
                       "parcel_id <> ALL(:p)) ORDER BY id", p=[r[0] for r in with_lots])
    assert [f["id"] for f in features] == [r[0] for r in expected]
    parcels = client.get("/collections/parcels/items",
                         params={"filter": "auction_status = 'PUBLISHED'", "limit": 1000}).json()
    assert parcels["numberReturned"] > 0
    assert all(f["properties"]["auction_status"] == "PUBLISHED" for f in parcels["features"])


def test_queryables_list_the_filterable_properties(client):
    document = client.get("/collections/buildings/queryables").json()
    assert document["$schema"].startswith("https://json-schema.org/")
    assert document["properties"]["height"]["type"] == "number"
    assert "parcel" in document["properties"] and "geometry" in document["properties"]


# --- parcel cards, search ----------------------------------------------------------------------

def test_card_by_any_spelling_holds_buildings_rights_and_auctions(api, client):
    number, pid = db(api, """SELECT p.cadastral_number, p.id FROM parcels p
        WHERE EXISTS (SELECT 1 FROM rights r WHERE r.parcel_id = p.id)
          AND EXISTS (SELECT 1 FROM lot_objects o WHERE o.parcel_id = p.id)
        ORDER BY EXISTS (SELECT 1 FROM buildings b WHERE b.parcel_id = p.id) DESC, p.id LIMIT 1""")[0]
    okrug, district, quarter, n = number.split(":")
    for spelling in (number, f"{int(okrug)}:{int(district)}:{int(quarter)}:{n}", f" {number} "):
        card = client.get(f"/parcels/{spelling}").json()
        assert card["id"] == pid and card["cadastral_number"] == number
    assert len(card["buildings"]) == db(api, "SELECT count(*) FROM buildings WHERE parcel_id = :p "
                                             "AND kind <> 'part'", p=pid)[0][0]
    assert len(card["rights"]) == db(api, "SELECT count(*) FROM rights WHERE parcel_id = :p", p=pid)[0][0]
    assert len(card["auctions"]) == db(api, "SELECT count(*) FROM lot_objects WHERE parcel_id = :p",
                                       p=pid)[0][0]
    declared, computed = db(api, "SELECT declared_area_m2, computed_area_m2 FROM parcels WHERE id = :p",
                            p=pid)[0]
    assert card["computed_area_m2"] == pytest.approx(computed, abs=0.01)
    assert card["declared_area_m2"] == (None if declared is None else pytest.approx(float(declared)))
    assert client.get("/parcels/77:01:0009999:99999").status_code == 404
    bad = client.get("/parcels/77-01-1")
    assert bad.status_code == 400 and "cadastral number" in bad.json()["description"]


def test_parcel_at_a_point(api, client):
    pid, lon, lat = db(api, "SELECT id, ST_X(p), ST_Y(p) FROM (SELECT id, ST_PointOnSurface(geom) p "
                            "FROM parcels WHERE geom IS NOT NULL ORDER BY id LIMIT 1) t")[0]
    assert client.get("/parcels/at", params={"lon": lon, "lat": lat}).json()["id"] == pid
    assert client.get("/parcels/at", params={"lon": 0, "lat": 0}).status_code == 404


def test_search_by_number_quarter_and_address(api, client):
    number = db(api, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]
    found = client.get("/search", params={"q": number}).json()
    assert found["matched_as"] == "cadastral_number" and found["results"][0]["cadastral_number"] == number
    quarter = number.rsplit(":", 1)[0]
    listed = client.get("/search", params={"q": quarter, "limit": 100}).json()
    in_quarter = db(api, "SELECT count(*) FROM parcels WHERE cadastral_number LIKE :q", q=quarter + ":%")[0][0]
    assert listed["matched_as"] == "quarter"
    assert len(listed["results"]) == min(in_quarter, 100) and in_quarter
    street = db(api, "SELECT split_part(address, ',', 2) FROM parcels WHERE address IS NOT NULL "
                     "ORDER BY id LIMIT 1")[0][0].strip()
    words = client.get("/search", params={"q": street}).json()
    assert words["matched_as"] == "address" and words["results"]
    assert street.split()[-1] in words["results"][0]["address"]
    scores = [r["score"] for r in words["results"]]
    assert scores == sorted(scores, reverse=True)


# --- auctions ---------------------------------------------------------------------------------

def test_auctions_filters_and_exports(api, client):
    lots = client.get("/auctions", params={"status": "PUBLISHED,COMPLETED", "limit": 1000}).json()
    expected = db(api, "SELECT count(*) FROM lots WHERE status IN ('PUBLISHED', 'COMPLETED')")[0][0]
    assert lots["numberReturned"] == expected > 0
    prices = client.get("/auctions", params={"price_min": 1_000_000, "price_max": 5_000_000,
                                             "limit": 1000}).json()
    assert all(1e6 <= f["properties"]["start_price"] <= 5e6 for f in prices["features"])
    assert prices["numberReturned"] == db(api, "SELECT count(*) FROM lots WHERE start_price "
                                               "BETWEEN 1000000 AND 5000000")[0][0]
    csv = client.get("/auctions", params={"f": "csv", "limit": 1000})
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == db(api, "SELECT count(*) FROM lots")[0][0] + 1
    notice, lot = db(api, "SELECT n.notice_number, l.lot_number FROM lots l JOIN auction_notices n "
                          "ON n.id = l.notice_id ORDER BY l.id LIMIT 1")[0]
    one = client.get(f"/auctions/{notice}/{lot}").json()
    assert one["properties"]["notice_number"] == notice and one["properties"]["lot_number"] == lot
    assert client.get(f"/auctions/{notice}/9999").status_code == 404


# --- vector tiles -----------------------------------------------------------------------------

def test_vector_tiles_decode_with_attributes_and_etag(api, client):
    lon, lat = db(api, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) c FROM parcels) t")[0]
    x, y = tile_of(lon, lat, 15)
    response = client.get(f"/tiles/parcels/15/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    layers = mapbox_vector_tile.decode(response.content)
    features = layers["parcels"]["features"]
    assert features and {"cadastral_number", "auction_status", "permitted_use"} <= {
        k for f in features for k in f["properties"]}
    numbers = {f["properties"]["cadastral_number"] for f in features}
    in_db = {r[0] for r in db(api, "SELECT cadastral_number FROM parcels WHERE id = ANY(:ids)",
                              ids=[f["id"] for f in features])}
    assert numbers == in_db
    again = client.get(f"/tiles/parcels/15/{x}/{y}.mvt", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and not again.content
    buildings = mapbox_vector_tile.decode(client.get(f"/tiles/buildings/15/{x}/{y}.mvt").content)
    assert "height" in buildings["buildings"]["features"][0]["properties"]
    tilejson = client.get("/tiles/parcels/tilejson.json").json()
    assert tilejson["tiles"][0].endswith("/tiles/parcels/{z}/{x}/{y}.mvt") and tilejson["bounds"]


def test_a_change_by_any_writer_reaches_the_next_tile(api, client):
    """Tiles are cached by data version: a change made outside the API (here plain SQL)
    changes the ETag and the content at once."""
    pid, lon, lat, use = db(api, "SELECT id, ST_X(p), ST_Y(p), permitted_use FROM (SELECT id, "
                                 "permitted_use, ST_PointOnSurface(geom) p FROM parcels "
                                 "WHERE geom IS NOT NULL ORDER BY id LIMIT 1) t")[0]
    x, y = tile_of(lon, lat, 16)
    path = f"/tiles/parcels/16/{x}/{y}.mvt"
    before = client.get(path)
    assert client.get(path, headers={"If-None-Match": before.headers["etag"]}).status_code == 304
    execute(api, "UPDATE parcels SET permitted_use = 'changed-by-sql' WHERE id = :p", p=pid)
    try:
        after = client.get(path, headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
        features = mapbox_vector_tile.decode(after.content)["parcels"]["features"]
        assert {f["id"]: f["properties"].get("permitted_use") for f in features}[pid] == "changed-by-sql"
    finally:
        execute(api, "UPDATE parcels SET permitted_use = :u WHERE id = :p", u=use, p=pid)


def _page_around(api, client, parcel_id: int, **params) -> dict:
    """The bbox page of parcels around one parcel's point on surface (as a map asks)."""
    lon, lat = db(api, "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM parcels "
                       "WHERE id = :p) t", p=parcel_id)[0]
    response = client.get("/collections/parcels/items", params={
        "bbox": f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}", "limit": 100, **params})
    assert response.status_code == 200, response.text
    return {f["id"]: f for f in response.json()["features"]}


def test_a_change_by_any_writer_reaches_the_next_page(api, client):
    """Pages keep their features' GeoJSON by data version (api.feature_cache): a change to
    a parcel, or to an auction lot on it, made outside the API, shows in the next page."""
    pid, use, lot, status = db(api, "SELECT p.id, p.permitted_use, l.id, l.status FROM parcels p "
                                    "JOIN lot_objects o ON o.parcel_id = p.id JOIN lots l ON l.id = o.lot_id "
                                    "WHERE p.geom IS NOT NULL AND l.id = (SELECT lot_id FROM parcel_latest_lot(p.id)) "
                                    "ORDER BY p.id LIMIT 1")[0]
    first = _page_around(api, client, pid)
    assert _page_around(api, client, pid) == first  # kept: the same
    assert first[pid]["properties"]["auction_status"] == status
    other = next(s for s in LOT_STATUSES if s != status)
    execute(api, "UPDATE parcels SET permitted_use = 'changed-by-sql' WHERE id = :p", p=pid)
    try:
        assert _page_around(api, client, pid)[pid]["properties"]["permitted_use"] == "changed-by-sql"
        execute(api, "UPDATE lots SET status = :s WHERE id = :l", s=other, l=lot)
        assert _page_around(api, client, pid)[pid]["properties"]["auction_status"] == other
    finally:
        execute(api, "UPDATE parcels SET permitted_use = :u WHERE id = :p", u=use, p=pid)
        execute(api, "UPDATE lots SET status = :s WHERE id = :l", s=status, l=lot)
    assert _page_around(api, client, pid) == first
    # kept per CRS and per choice of properties: the same parcels, written for each
    metres = _page_around(api, client, pid, crs=EPSG.format(32637), properties="permitted_use")
    assert set(metres) == set(first) and set(metres[pid]["properties"]) == {"permitted_use"}
    assert metres[pid]["geometry"]["coordinates"][0][0][0][0] > 180  # UTM metres, not degrees


def test_a_page_read_while_the_data_changes_is_read_whole(api):
    """Between the statement that finds a page's ids and the one that writes the features
    not kept, the data may change: the page is then read again in one statement."""
    from sqlalchemy import make_url

    from api import crs as crs_
    from api.collections import PARCELS
    from api.db import Database
    from api.feature_cache import FeatureCache, _features, read_page
    from api.features import FeatureQuery, parse_properties, parse_sortby

    pid, use = db(api, "SELECT id, permitted_use FROM parcels WHERE geom IS NOT NULL ORDER BY id LIMIT 1")[0]
    crss = crs_.supported(4326)

    def query() -> FeatureQuery:
        q = FeatureQuery(PARCELS, 4326, crss[crs_.CRS84], parse_properties(PARCELS, None),
                         parse_sortby(PARCELS, None))
        q.where.add("p.id = %s", pid)
        return q

    async def run():
        database = Database(make_url(api.db.render_as_string(hide_password=False)))
        await database.open()
        cache = FeatureCache(1 << 20)
        try:
            row = await database.one(*query().page(10, ids=True))
            assert row[0] == [pid]
            execute(api, "UPDATE parcels SET permitted_use = 'changed-between' WHERE id = :p", p=pid)
            assert await _features(database, cache, query(), row[0], tuple(row[-1])) is None
            page = await read_page(database, cache, query(), 10)
            assert json.loads(page.features_json)["properties"]["permitted_use"] == "changed-between"
        finally:
            await database.close()
            execute(api, "UPDATE parcels SET permitted_use = :u WHERE id = :p", u=use, p=pid)

    asyncio.run(run())


# --- 3D Tiles ---------------------------------------------------------------------------------

def test_3d_tiles_served_with_media_types_etag_gzip_and_cors(api, client):
    tileset = client.get("/3dtiles/tileset.json", headers={"Origin": "http://example.org"})
    assert tileset.status_code == 200 and tileset.headers["content-type"] == "application/json"
    assert tileset.headers["access-control-allow-origin"] in ("*", "http://example.org")
    uri = tileset.json()["root"]["content"]["uri"]
    glb = client.get(f"/3dtiles/{uri}", headers={"Accept-Encoding": "gzip"})
    assert glb.headers.get("content-encoding") == "gzip"  # httpx decodes it for us
    assert glb.headers["content-type"] == "model/gltf-binary" and glb.content[:4] == b"glTF"
    assert client.get(f"/3dtiles/{uri}", headers={"If-None-Match": glb.headers["etag"]}).status_code == 304


def test_a_new_build_is_served_without_a_restart(api, client):
    before = client.get("/3dtiles/tileset.json")
    result = subprocess.run([sys.executable, "-m", "citymodel", "tiles", "build", "--jobs", "1",
                             "--where", "b.height > 20"], env=api.env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    try:
        after = client.get("/3dtiles/tileset.json", headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
        assert after.json() != before.json()
    finally:
        subprocess.run([sys.executable, "-m", "citymodel", "tiles", "build", "--jobs", "1"],
                       env=api.env, check=True, capture_output=True)


def test_gzip_where_it_pays(api):
    import httpx
    uri = json.loads((api.tiles / "tileset.json").read_bytes())["root"]["content"]["uri"]
    with httpx.Client(base_url=api.url) as plain:
        request = plain.build_request("GET", f"/3dtiles/{uri}", headers={"Accept-Encoding": "gzip"})
        response = plain.send(request, stream=True)
        body = b"".join(response.iter_raw())
    assert gzip.decompress(body) == (api.tiles / uri).read_bytes()
    assert os.path.getsize(api.tiles / uri) > 1.2 * len(body)


def test_viewer_config_starts_over_the_busiest_square_kilometre(api, client):
    config = client.get("/viewer/config.json").json()
    assert config["imagery"] is None and config["terrain"] == "/terrain/"  # the imported terrain
    assert config["terrain_configured"] is False
    assert 134 < config["home_ground"] < 195  # the district's ground (120–166 m) + the geoid: aimed at
    assert config["timezone"] == "Europe/Moscow"
    west, south, east, north = config["home"]
    assert west < east and south < north and east - west <= 0.02 and north - south <= 0.01
    # the cell holds more buildings than any other cell of the same grid
    cells = query(api.db, """SELECT floor(ST_X(c) / 0.02), floor(ST_Y(c) / 0.01), count(*) FROM
        (SELECT ST_Centroid(footprint) c FROM buildings WHERE kind <> 'part' AND footprint IS NOT NULL) t
        GROUP BY 1, 2""")
    best = max(n for _, _, n in cells)
    home_cell = (int(((west + east) / 2) // 0.02), int(((south + north) / 2) // 0.01))
    assert {(int(x), int(y)): n for x, y, n in cells}[home_cell] == best


def test_viewer_versions_change_with_the_data_and_the_build(api, client):
    """What an open viewer polls: data versions bumped by any writer (a lot, then a right),
    and the current build."""
    first = client.get("/viewer/versions.json")
    assert first.headers["cache-control"] == "no-store"
    before = first.json()
    assert before["tileset"] == api.tiles.resolve().name
    with api.client("official") as official:
        lot = {"status": "PUBLISHED", "deal_type": "sale", "notice": {"published_at": "2026-11-23T09:00:00+03:00"}}
        assert official.put("/auctions/21000099990000000009/1", json=lot).status_code in (200, 201)
    after = client.get("/viewer/versions.json").json()
    assert after["auctions"] > before["auctions"]
    assert {k: v for k, v in after.items() if k != "auctions"} == {k: v for k, v in before.items() if k != "auctions"}
    number = query(api.db, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]
    with api.client("official") as official:
        right = {"registration_number": f"{number}-77/011/2026-556", "type_code": "022006000000",
                 "holder_kind": "legal_entity", "holder_name": "ООО «Версия»", "holder_inn": "7701234567"}
        assert official.post(f"/parcels/{number}/rights", json=right).status_code == 201
    later = client.get("/viewer/versions.json").json()
    assert later["rights"] > after["rights"] and later["auctions"] == after["auctions"]
