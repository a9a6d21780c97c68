"""Tiles shade right in a real renderer: flat roofs in tiles of different quantization
scales, seen from above under one fixed sun, are equally bright. (Normals written in
world space while positions are quantized with a non-uniform node scale come out of the
renderer bent by that scale: then every tile's roofs get their own brightness.)"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from browser import CHROMIUM, settle, shot, viewer_page
from conftest import query, settings_for
from tileset_checks import Glb

from importers.buildings import import_buildings
from tiles.build import build_tileset

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

GENERATOR = Path(__file__).parent.parent / "scripts" / "generate_district.py"

UNDER_ONE_SUN = """async () => {
    const { viewer, tileset } = window.citymodel;
    const scene = viewer.scene;
    tileset.style = new Cesium.Cesium3DTileStyle({ color: "color('white')" });
    const centre = tileset.boundingSphere.center;
    const enu = Cesium.Transforms.eastNorthUpToFixedFrame(centre);
    const column = (i) => Cesium.Matrix4.getColumn(enu, i, new Cesium.Cartesian4());
    const [east, north, up] = [0, 1, 2].map((i) => { const c = column(i); return new Cesium.Cartesian3(c.x, c.y, c.z); });
    // the sun in the south-east, 35° up: light travels north-west and down
    const toSun = new Cesium.Cartesian3();
    Cesium.Cartesian3.add(Cesium.Cartesian3.multiplyByScalar(east, 0.58, new Cesium.Cartesian3()),
                          Cesium.Cartesian3.multiplyByScalar(north, -0.58, new Cesium.Cartesian3()), toSun);
    Cesium.Cartesian3.add(toSun, Cesium.Cartesian3.multiplyByScalar(up, 0.57, new Cesium.Cartesian3()), toSun);
    Cesium.Cartesian3.normalize(toSun, toSun);
    scene.light = new Cesium.DirectionalLight({ direction: Cesium.Cartesian3.negate(toSun, new Cesium.Cartesian3()) });
    await window.citymodel.nextFrame();
    await window.citymodel.nextFrame();
}"""

ROOFS_ON_SCREEN = """(roofs) => {
    const scene = window.citymodel.viewer.scene;
    const w = scene.canvas.clientWidth, h = scene.canvas.clientHeight;
    const seen = [];
    for (const [id, lon, lat, top] of roofs) {
      const xy = Cesium.SceneTransforms.worldToWindowCoordinates(scene, Cesium.Cartesian3.fromDegrees(lon, lat, top));
      if (!xy || xy.x < 20 || xy.y < 20 || xy.x > w - 20 || xy.y > h - 20) continue;
      const picked = scene.pick(xy);  // the roof is this building's, not a taller neighbour's
      if (picked instanceof Cesium.Cesium3DTileFeature && picked.getProperty("building_id") === id) {
        seen.push({ id, x: Math.round(xy.x), y: Math.round(xy.y) });
      }
    }
    // the drawn frame itself, not a screenshot: the panels over the canvas are not roofs
    const canvas = document.createElement("canvas");
    canvas.width = scene.canvas.width; canvas.height = scene.canvas.height;
    const context = canvas.getContext("2d");
    context.drawImage(scene.canvas, 0, 0);
    const scale = scene.canvas.width / w;
    for (const roof of seen) {
      const p = context.getImageData(Math.round(roof.x * scale) - 1, Math.round(roof.y * scale) - 1, 3, 3).data;
      const values = [];
      for (let i = 0; i < 9; i++) values.push((p[4 * i] + p[4 * i + 1] + p[4 * i + 2]) / 3);
      values.sort((a, b) => a - b);
      roof.brightness = values[4];
    }
    return seen;
}"""


def test_flat_roofs_in_tiles_of_different_scales_are_equally_bright(db, browser, tmp_path):
    import api_server

    district = tmp_path / "district"
    subprocess.run([sys.executable, str(GENERATOR), str(district), "--buildings", "150", "--seed", "9"],
                   check=True, capture_output=True)
    settings = settings_for(db)
    import_buildings(db, settings, district / "buildings.gpkg")
    tiles = tmp_path / "tiles"
    build_tileset(db, tiles, jobs=1, max_features=12, coarse=4)  # many small tiles, each its own scale
    tile_of = {}
    scales = set()
    for path in tiles.resolve().rglob("*.glb"):
        glb = Glb(path)
        scales.add(tuple(np.round(glb.json["nodes"][0].get("scale", [1, 1, 1]), 3)))
        for building in glb.property_table()["building_id"]:
            tile_of[building] = path.name
    assert len(set(tile_of.values())) >= 6 and len(scales) >= 6
    roofs = query(db, """SELECT id, ST_X(p), ST_Y(p), height FROM (
        SELECT id, ST_PointOnSurface(ST_Transform(footprint, 4326)) p, height FROM buildings
        WHERE kind = 'building' AND min_height = 0) t""")
    lon, lat = np.mean([(r[1], r[2]) for r in roofs], axis=0)

    with api_server.serving(db, tmp_path / "state", tiles, tmp_path / "server.log") as url:
        with viewer_page(browser, f"{url}/#view={lon:.6f},{lat:.6f},1400,0,-90") as page:
            settle(page)
            page.evaluate(UNDER_ONE_SUN)
            settle(page)
            seen = page.evaluate(ROOFS_ON_SCREEN, [[int(r[0]), r[1], r[2], r[3]] for r in roofs])
            shot(page, "shading-roofs")
            assert page.page_errors == []
    brightness = defaultdict(list)  # tile → the roofs' brightness
    for roof in seen:
        brightness[tile_of[roof["id"]]].append(roof["brightness"])
    assert len(brightness) >= 4, f"roofs of only {len(brightness)} tiles on screen"
    values = [v for vs in brightness.values() for v in vs]
    assert min(values) > 60  # lit, not in shade
    by_tile = {tile: round(float(np.median(vs)), 1) for tile, vs in brightness.items()}
    assert max(values) - min(values) <= 4, f"roof brightness by tile: {by_tile}"
