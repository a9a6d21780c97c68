"""Terrain: `citymodel import terrain` (a DEM, checked, stored, replacing the one before),
buildings stood on the lowest terrain under their footprints (a part where its building
stands, a ground the source gave kept), the terrain served as quantized-mesh, and the
district standing on it in a real Chromium: neither floating nor sunk."""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pyproj
import pytest
import rasterio
import rasterio.warp
import shapely
from conftest import query, settings_for
from dem import SourceDem

from importers.buildings import import_buildings
from importers.core import ImportFailed
from importers.terrain import import_terrain

GENERATOR = Path(__file__).parent.parent / "scripts" / "generate_district.py"


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("terrain-district")
    subprocess.run([sys.executable, str(GENERATOR), str(directory), "--buildings", "150", "--seed", "5"],
                   check=True, capture_output=True)
    return directory


def _versions(db) -> dict:
    return dict(query(db, "SELECT name, version FROM data_versions"))


def _write_like(source: Path, target: Path, values: np.ndarray, **profile) -> Path:
    with rasterio.open(source) as src:
        meta = src.profile | profile
        with rasterio.open(target, "w", **meta) as dst:
            dst.write(values.astype(meta["dtype"]), 1)
    return target


def test_buildings_stand_on_the_lowest_terrain_under_them_and_follow_a_new_terrain(db, district, tmp_path):
    settings = settings_for(db, state_dir=tmp_path / "state")
    import_buildings(db, settings, district / "buildings.gpkg")
    assert query(db, "SELECT count(*) FROM buildings WHERE ground_elevation IS NOT NULL")[0][0] == 0
    before = _versions(db)

    summary = import_terrain(db, settings, district / "terrain.tif")
    total = query(db, "SELECT count(*) FROM buildings WHERE footprint IS NOT NULL")[0][0]
    assert (summary.counts.loaded, summary.counts.extra["buildings_grounded"]) == (1, total)
    assert query(db, "SELECT count(*) FROM buildings WHERE ground_source = 'terrain'")[0][0] == total
    after = _versions(db)
    assert after["terrain"] > before["terrain"] and after["buildings"] > before["buildings"]
    (row,) = query(db, "SELECT height_datum, source, source_crs, min_height, max_height FROM terrain")
    assert row[:3] == ("orthometric", "terrain.tif", "МСК-77")
    assert 120 <= row.min_height < row.max_height <= 180
    stored = list((tmp_path / "state" / "terrain").iterdir())
    assert [p.suffix for p in stored] == [".tif"]

    # the rule, against the source DEM sampled densely (1 m) under each footprint
    dem = SourceDem(district / "terrain.tif")
    rows = query(db, "SELECT id, ST_AsText(ST_Transform(footprint, 4326)), ground_elevation FROM buildings "
                     "WHERE kind = 'building' ORDER BY id")
    worst = max(abs(dem.lowest_under(shapely.from_wkt(wkt)) - ground) for _, wkt, ground in rows)
    assert worst < 0.3, f"a ground is {worst:.2f} m from the lowest terrain under its building"
    slope_seen = max(dem.at(*shapely.get_coordinates(shapely.from_wkt(wkt)).T).max() - ground
                     for _, wkt, ground in rows)
    assert slope_seen > 0.5  # the district is not flat: "lowest" is a choice that shows

    # the same file again changes nothing
    again = import_terrain(db, settings, district / "terrain.tif")
    assert (again.counts.unchanged, again.counts.extra.get("buildings_grounded", 0)) == (1, 0)
    assert _versions(db) == after

    # a terrain 10 m higher replaces it: every ground follows, the old file goes
    with rasterio.open(district / "terrain.tif") as src:
        higher = _write_like(district / "terrain.tif", tmp_path / "higher.tif", src.read(1) + 10)
    grounds = dict((i, g) for i, _, g in rows)
    replaced = import_terrain(db, settings, higher)
    assert replaced.counts.updated == 1
    risen = dict(query(db, "SELECT id, ground_elevation FROM buildings WHERE kind = 'building'"))
    assert all(abs(risen[i] - grounds[i] - 10) < 0.02 for i in grounds)
    assert _versions(db)["buildings"] > after["buildings"]
    assert len(list((tmp_path / "state" / "terrain").iterdir())) == 1


def test_a_ground_the_source_gave_is_kept_and_a_part_stands_where_its_building_does(db, district, tmp_path):
    settings = settings_for(db, state_dir=tmp_path / "state")
    import_terrain(db, settings, district / "terrain.tif")
    (w, s, e, n), = query(db, "SELECT west, south, east, north FROM terrain")
    lon, lat = (w + e) / 2, (s + n) / 2
    d = 0.0004  # about 25–45 m
    hall = shapely.box(lon, lat, lon + 2 * d, lat + d)
    tower = shapely.box(lon + 1.5 * d, lat + 0.2 * d, lon + 1.9 * d, lat + 0.8 * d)  # its upper end
    features = [
        {"register_id": "given", "ground_elevation": 200.0, "height": 10, "geometry": shapely.box(lon - 2 * d, lat, lon - d, lat + d)},
        {"register_id": "hall", "height": 12, "geometry": hall},
        {"register_id": "tower", "kind": "part", "height": 60, "min_height": 12, "geometry": tower},
        {"register_id": "given-part", "kind": "part", "height": 20, "min_height": 10,
         "geometry": shapely.box(lon - 1.8 * d, lat + 0.2 * d, lon - 1.2 * d, lat + 0.8 * d)},
    ]
    path = tmp_path / "three.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": shapely.geometry.mapping(f.pop("geometry")), "properties": f}
        for f in features]}))
    import_buildings(db, settings, path)
    got = {r[0]: (r[1], r[2]) for r in query(db, "SELECT register_id, ground_elevation, ground_source FROM buildings")}
    assert got["given"] == (200.0, "source")
    assert got["given-part"][0] == 200.0  # on the ground its building's source gave
    dem = SourceDem(district / "terrain.tif")
    assert got["hall"][1] == "terrain" and abs(got["hall"][0] - dem.lowest_under(hall)) < 0.3
    assert got["tower"] == got["hall"]  # not the (higher or lower) ground under the tower alone
    assert abs(dem.lowest_under(tower) - got["hall"][0]) > 0.05

    with rasterio.open(district / "terrain.tif") as src:
        higher = _write_like(district / "terrain.tif", tmp_path / "higher.tif", src.read(1) + 10)
    import_terrain(db, settings, higher)
    now = {r[0]: (r[1], r[2]) for r in query(db, "SELECT register_id, ground_elevation, ground_source FROM buildings")}
    assert now["given"] == (200.0, "source") and now["given-part"][0] == 200.0
    assert now["hall"][0] == pytest.approx(got["hall"][0] + 10, abs=0.02) and now["tower"] == now["hall"]


def test_bad_terrain_files_are_refused_naming_the_problem_and_change_nothing(db, district, tmp_path):
    settings = settings_for(db, state_dir=tmp_path / "state")
    import_buildings(db, settings, district / "buildings.gpkg")
    import_terrain(db, settings, district / "terrain.tif")
    state = lambda: (query(db, "SELECT digest, updated_at FROM terrain"),  # noqa: E731
                     query(db, "SELECT md5(string_agg(ground_elevation::text, ',' ORDER BY id)) FROM buildings"),
                     sorted(p.name for p in (tmp_path / "state" / "terrain").iterdir()))
    before = state()
    source = district / "terrain.tif"
    with rasterio.open(source) as src:
        heights = src.read(1)
    spiked = heights.copy()
    spiked[17, 23] = 32767
    not_a_raster = tmp_path / "notes.tif"
    not_a_raster.write_text("heights, by hand\n")
    cases = {
        not_a_raster: "not a raster GDAL can read",
        _write_like(source, tmp_path / "nocrs.tif", heights, crs=None): "declares no coordinate system: pass --crs",
        _write_like(source, tmp_path / "spike.tif", spiked, nodata=None): "row 17, column 23: 32767 is not a height",
        _write_like(source, tmp_path / "empty.tif", np.full_like(heights, -9999)): "every cell is nodata",
    }
    two = tmp_path / "two.tif"
    with rasterio.open(source) as src, rasterio.open(two, "w", **(src.profile | {"count": 2})) as dst:
        dst.write(np.stack([heights, heights]))
    cases[two] = "2 bands"
    for path, message in cases.items():
        with pytest.raises(ImportFailed, match=message) as caught:
            import_terrain(db, settings, path)
        assert path.name in str(caught.value)
        assert state() == before, path.name
    # a dry run of a new terrain checks it and leaves everything as it was
    with rasterio.open(source) as src:
        higher = _write_like(source, tmp_path / "higher.tif", src.read(1) + 10)
    assert import_terrain(db, settings, higher, dry_run=True).counts.updated == 1
    assert state() == before
    # a DEM without a CRS imports with --crs: the same heights in the same CRS, the same terrain
    assert import_terrain(db, settings, tmp_path / "nocrs.tif", crs_name="МСК-77").counts.unchanged == 1
    assert state()[1:] == before[1:]


# --- served as quantized-mesh ------------------------------------------------------------------


def _tile_over(layer: dict, lon: float, lat: float) -> tuple[int, int, int]:
    z = layer["maxzoom"]
    size = 180 / 2 ** z
    return z, int((lon + 180) // size), int((lat + 90) // size)


def test_the_terrain_is_served_as_quantized_mesh_that_matches_it(api):
    from quantized_mesh import decode, oct_decode

    from tiles import geoid

    layer = httpx.get(f"{api.url}/terrain/layer.json").json()
    assert (layer["format"], layer["scheme"], layer["projection"]) == ("quantized-mesh-1.0", "tms", "EPSG:4326")
    assert layer["extensions"] == ["octvertexnormals"]
    assert layer["available"][0] == [{"startX": 0, "startY": 0, "endX": 1, "endY": 0}]
    assert len(layer["available"]) == layer["maxzoom"] + 1
    assert httpx.get(f"{api.url}/viewer/config.json").json()["terrain"] == "/terrain/"

    lon, lat = query(api.db, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Transform(ST_Collect(footprint), 4326)) c "
                             "FROM buildings WHERE ground_source = 'terrain') t")[0]
    z, x, y = _tile_over(layer, lon, lat)
    rng = layer["available"][z][0]
    assert rng["startX"] <= x <= rng["endX"] and rng["startY"] <= y <= rng["endY"]
    url = f"{api.url}/terrain/" + layer["tiles"][0].format(z=z, x=x, y=y)
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"].startswith("application/vnd.quantized-mesh")
    assert "immutable" in r.headers["cache-control"]
    tile = decode(gzip.decompress(raw))
    size = 180 / 2 ** z
    bounds = (-180 + x * size, -90 + y * size, -180 + (x + 1) * size, -90 + (y + 1) * size)
    p = tile.positions(bounds)
    assert len(tile.triangles) > 100 and tile.triangles.max() < len(p)
    a, b, c = (p[tile.triangles[:, k], :2] for k in range(3))
    turns = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    assert (turns > 0).all()  # counter-clockwise seen from above, as the format wants
    for side, axis, value in (("west", tile.u, 0), ("east", tile.u, 32767), ("south", tile.v, 0), ("north", tile.v, 32767)):
        assert len(tile.edges[side]) >= 2 and set(axis[tile.edges[side]]) == {value}
    # heights: the terrain's above sea level, plus the geoid (quantized-mesh is ellipsoidal)
    dem = SourceDem(api.state.parent / "district" / "terrain.tif")
    with rasterio.open(api.state.parent / "district" / "terrain.tif") as src:
        inner = rasterio.warp.transform_bounds(src.crs, "EPSG:4326", *src.bounds)
    on = (p[:, 0] > inner[0] + 0.001) & (p[:, 0] < inner[2] - 0.001) & (p[:, 1] > inner[1] + 0.001) & (p[:, 1] < inner[3] - 0.001)
    assert on.sum() > 100
    expected = dem.at(p[on, 0], p[on, 1]) + geoid.undulation(p[on, 0], p[on, 1])
    assert np.abs(p[on, 2] - expected).max() < 0.2
    # normals: unit vectors pointing up, out of the ground
    normals = oct_decode(tile.extensions[1])
    up = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    a = np.column_stack(up.transform(p[:, 0], p[:, 1], p[:, 2]))
    b = np.column_stack(up.transform(p[:, 0], p[:, 1], p[:, 2] + 1))
    assert np.min(np.sum(normals * (b - a), axis=1)) > 0.9  # slopes of a few per cent

    # caching: a revalidation is a 304; an unlisted tile is a 404; a level past 20, a 400
    again = httpx.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    stale = httpx.get(f"{api.url}/terrain/{z}/{x}/{y}.terrain?v=old")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    assert stale.content == gzip.decompress(raw)  # httpx undid the gzip
    assert httpx.get(f"{api.url}/terrain/{z}/0/0.terrain").status_code == 404
    bad = httpx.get(f"{api.url}/terrain/99/0/0.terrain")
    assert bad.status_code == 400 and "z" in bad.json()["description"]


# --- in the browser ------------------------------------------------------------------------------

SAMPLE = """async (points) => {
    const { viewer, tileset } = window.citymodel;
    const scene = viewer.scene;
    // the viewer renders on request: keep frames coming while the picks load their tiles
    const frames = setInterval(() => scene.requestRender(), 50);
    try {
      const cartos = points.map(([lon, lat]) => Cesium.Cartographic.fromDegrees(lon, lat));
      const found = await scene.sampleHeightMostDetailed(cartos, [tileset]);  // the ground alone
      return found.map((c) => (c === undefined ? null : c.height));
    } finally {
      clearInterval(frames);
    }
}"""


def test_the_district_stands_on_its_rendered_terrain(browser, api):
    from browser import CHROMIUM, settle, viewer_page

    from tiles import geoid

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    rows = query(api.db, """
        SELECT id, ST_AsText(ST_Transform(footprint, 4326)), ground_elevation,
               ST_X(ST_Centroid(ST_Transform(footprint, 4326))), ST_Y(ST_Centroid(ST_Transform(footprint, 4326)))
        FROM buildings WHERE ground_source = 'terrain' AND kind = 'building' ORDER BY id""")
    chosen = random.Random(14).sample(rows, 50)
    points, owners = [], []
    for i, (_, wkt, *_rest) in enumerate(chosen):
        footprint = shapely.from_wkt(wkt)
        ring = shapely.get_coordinates(footprint)
        inner = shapely.get_coordinates(shapely.point_on_surface(footprint))
        for lon, lat in np.vstack([ring, inner]):
            points.append([float(lon), float(lat)])
            owners.append(i)
    # each building's base in the tileset: its ground plus the geoid at its centre (tiles.build)
    centres = np.array([(r[3], r[4]) for r in chosen])
    bases = np.array([r[2] for r in chosen]) + geoid.undulation(centres[:, 0], centres[:, 1])
    lon, lat = centres.mean(axis=0)
    with viewer_page(browser, f"{api.url}/#view={lon:.6f},{lat:.6f},2500,0,-90") as page:
        settle(page)
        assert page.evaluate("window.citymodel.viewer.terrainProvider instanceof Cesium.CesiumTerrainProvider")
        heights = page.evaluate(SAMPLE, points)
        assert page.page_errors == []
    assert None not in heights
    lowest = np.full(len(chosen), np.inf)
    np.minimum.at(lowest, np.array(owners), np.array(heights, dtype=float))
    gaps = lowest - bases  # > 0: the building floats; < 0: sunk
    worst = int(np.argmax(np.abs(gaps)))
    assert np.abs(gaps).max() <= 0.5, (
        f"building {chosen[worst][0]}: the terrain under it is {gaps[worst]:+.2f} m from its base")


def test_a_damaged_or_missing_terrain_file_is_a_503_not_a_500(db, district, tmp_path):
    import api_server

    settings = settings_for(db, state_dir=tmp_path / "state")
    import_terrain(db, settings, district / "terrain.tif")
    (digest,) = query(db, "SELECT digest FROM terrain")[0]
    stored = tmp_path / "state" / "terrain" / f"{digest}.tif"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYMODEL_")}
    env |= {"DATABASE_URL": db.render_as_string(hide_password=False),
            "CITYMODEL_STATE_DIR": str(tmp_path / "state"), "CITYMODEL_TILES_DIR": str(tmp_path / "tiles")}
    url, server = api_server.launch(env, tmp_path / "server.log")
    try:
        layer = httpx.get(f"{url}/terrain/layer.json").json()
        z = layer["maxzoom"]
        r = layer["available"][z][0]
        tiles = [f"{url}/terrain/{z}/{x}/{r['startY']}.terrain" for x in range(r["startX"], r["endX"] + 1)]
        stored.write_bytes(b"II*\x00" + b"\x00" * 64)  # damaged before any tile was made
        damaged = httpx.get(tiles[0])
        assert damaged.status_code == 503 and damaged.headers["retry-after"]
        assert "import the terrain again" in damaged.json()["description"]
        stored.unlink()
        missing = httpx.get(tiles[-1])
        assert missing.status_code == 503 and str(stored) in missing.json()["description"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in (tmp_path / "server.log").read_text()
