"""A planner's workflow in a real Chromium: sign in, create a scenario, draw a building on a
parcel, check it, click a violation and see it highlighted, demolish a building, compare
two scenarios."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from browser import CHROMIUM, settle, shot, viewer_page
from conftest import query

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed")

TO_SCREEN = """([lon, lat]) => { const v = window.citymodel.viewer;  // the point on the ground (the terrain)
    const ground = v.scene.globe.getHeight(Cesium.Cartographic.fromDegrees(lon, lat)) ?? 0;
    const p = Cesium.SceneTransforms.worldToWindowCoordinates(v.scene, Cesium.Cartesian3.fromDegrees(lon, lat, ground));
    return p ? [p.x, p.y] : null; }"""


def test_a_planner_draws_checks_highlights_demolishes_and_compares(browser, api):
    number, wkt = query(api.db, """SELECT p.cadastral_number, ST_AsText(p.geom) FROM parcels p
        JOIN zones z ON z.zone_code = 'Ж-1' AND ST_Contains(z.geom, p.geom)
        WHERE NOT EXISTS (SELECT 1 FROM zones r WHERE r.kind <> 'territorial' AND ST_Intersects(r.geom, p.geom))
        ORDER BY p.id LIMIT 1""")[0]
    parcel = shapely.from_wkt(wkt)
    c = parcel.centroid
    with viewer_page(browser, f"{api.url}/#view={c.x:.6f},{c.y:.6f},260,0,-90") as page:
        page.click("#signin")
        page.fill("#key", api.keys["planner"])
        page.press("#key", "Enter")
        page.wait_for_function("document.querySelector('#signin').innerText.includes('test-planner')")
        page.click("#scenarios-toggle")
        page.wait_for_selector("#scenarios form.new-scenario")
        page.fill("#scenarios form.new-scenario input[name=name]", "Дом из браузера")
        page.press("#scenarios form.new-scenario input[name=name]", "Enter")
        page.wait_for_selector("#scenarios h3[data-scenario-open]")
        sid = int(page.get_attribute("#scenarios h3[data-scenario-open]", "data-scenario-open"))
        assert f"scenario={sid}" in page.url
        settle(page)

        # draw a 12 × 12 m square around the parcel's centre, corner by corner
        page.click("#scenarios [data-action=draw]")
        dx, dy = 6 / (111_320 * np.cos(np.radians(c.y))), 6 / 111_320
        corners = [(c.x - dx, c.y - dy), (c.x + dx, c.y - dy), (c.x + dx, c.y + dy), (c.x - dx, c.y + dy)]
        screen = [page.evaluate(TO_SCREEN, list(corner)) for corner in corners]
        for k, (x, y) in enumerate(screen, start=1):
            page.mouse.click(x, y)
            page.wait_for_function(f"window.citymodel.scenarios.points.length === {k}")
        page.mouse.dblclick(*screen[-1])
        page.wait_for_selector("#scenarios form.proposal")
        page.fill("#scenarios form.proposal input[name=height]", "30")
        page.fill("#scenarios form.proposal input[name=floors]", "10")
        page.select_option("#scenarios form.proposal select[name=use]", "residential")
        page.click("#scenarios form.proposal button[type=submit]")
        page.wait_for_selector("#scenarios ul.proposed li[data-building]")
        drawn = shapely.from_wkt(query(api.db, "SELECT ST_AsText(footprint) FROM scenario_buildings "
                                               "WHERE scenario_id = :s", s=sid)[0][0])
        square = shapely.Polygon(corners)
        assert drawn.symmetric_difference(square).area / square.area < 0.05, "drawn where clicked"
        # drawn from the scenario's own 3D tileset: the proposal is what is under its centre
        pid = query(api.db, "SELECT id FROM scenario_buildings WHERE scenario_id = :s", s=sid)[0][0]
        middle = page.evaluate(TO_SCREEN, [c.x, c.y])
        page.wait_for_function(f"""() => {{ const s = window.citymodel.scenarios;
            return s.proposalOf(window.citymodel.viewer.scene.pick(new Cesium.Cartesian2({middle[0]}, {middle[1]}))) === {pid}; }}""")
        settle(page)
        shot(page, "30-scenario-drawn")

        # a click on it edits it: drag its north-east corner 6 m further out, make it 27 m, save
        page.mouse.click(*middle)
        page.wait_for_selector("#scenarios form.proposal button[data-action=cancel-edit]")
        assert page.input_value("#scenarios form.proposal input[name=height]") == "30"
        page.wait_for_function("window.citymodel.scenarios.points.length === 4")
        moved = (c.x + 2 * dx, c.y + 2 * dy)
        start, end = screen[2], page.evaluate(TO_SCREEN, list(moved))
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(*end, steps=8)
        page.mouse.up()
        page.wait_for_function(f"window.citymodel.scenarios.points[2][0] > {c.x + 1.5 * dx}")
        page.fill("#scenarios form.proposal input[name=height]", "27")
        page.click("#scenarios form.proposal button[type=submit]")
        page.wait_for_function("!document.querySelector('#scenarios form.proposal')")
        edited, height = query(api.db, "SELECT ST_AsText(footprint), height FROM scenario_buildings WHERE id = :i", i=pid)[0]
        corners_now = shapely.get_coordinates(shapely.from_wkt(edited))
        metres = np.hypot((corners_now[:, 0] - moved[0]) * 111_320 * np.cos(np.radians(c.y)),
                          (corners_now[:, 1] - moved[1]) * 111_320)
        assert metres.min() < 1.0 and height == 27, "the corner was not dragged where it was dropped"
        assert shapely.from_wkt(edited).area > square.area * 1.2

        page.click("#scenarios [data-action=check]")
        page.wait_for_selector("#scenarios ol.findings li")
        height = page.locator("#scenarios ol.findings li[data-rule=height][data-status=violation]")
        assert height.count() == 1 and "15" in height.inner_text()
        height.click()
        page.wait_for_function("window.citymodel.scenarios.highlight.entities.values.length > 0")
        index = int(height.get_attribute("data-finding"))
        assert page.evaluate("window.citymodel.scenarios.highlighted") == index
        assert "chosen" in height.get_attribute("class")
        page.wait_for_function("!window.citymodel.scenarios.flying")
        settle(page)
        pixels = shot(page, "31-violation-highlighted")
        panel = page.locator("#scenarios").bounding_box()
        globe = pixels[:, int(panel["x"] + panel["width"]) + 5:]  # right of the panel
        red = (globe[..., 0] > 170) & (globe[..., 1] < 100) & (globe[..., 2] < 100)
        assert red.sum() > 500, "the highlighted building is not drawn in red on the map"
        target = page.evaluate("""() => { const v = window.citymodel.viewer;
            const c = v.camera.pickEllipsoid(new Cesium.Cartesian2(v.scene.canvas.clientWidth / 2,
                                                                    v.scene.canvas.clientHeight / 2));
            const g = Cesium.Cartographic.fromCartesian(c);
            return [Cesium.Math.toDegrees(g.longitude), Cesium.Math.toDegrees(g.latitude)]; }""")
        assert shapely.Point(target).distance(c) < 0.003, "the camera did not fly to the building"

        # demolish an existing building: it leaves the view
        building = query(api.db, """SELECT b.id FROM buildings b JOIN parcels p ON p.id = b.parcel_id
            WHERE p.cadastral_number = :n AND b.footprint IS NOT NULL ORDER BY b.id LIMIT 1""", n=number)
        if building:
            bid = building[0][0]
            page.evaluate(f"""async () => {{ const s = window.citymodel.scenarios;
                await fetch('/scenarios/{sid}/demolitions/{bid}', {{ method: 'PUT',
                    headers: {{ Authorization: 'Bearer ' + sessionStorage.getItem('citymodel-token') }} }});
                await s.open({sid}); }}""")
            page.wait_for_selector(f"#scenarios ul.demolished li[data-demolished='{bid}']")
            assert page.evaluate(f"window.citymodel.scenarios.hidden.has({bid})")

        # proposals from a GeoJSON file: a bad one names the feature and the field, a good one adds
        upload = "#scenarios input[name=upload]"
        ring = [[c.x - 3 * dx, c.y - 3 * dy], [c.x - 2 * dx, c.y - 3 * dy], [c.x - 2 * dx, c.y - 2 * dy],
                [c.x - 3 * dx, c.y - 2 * dy], [c.x - 3 * dx, c.y - 3 * dy]]
        shed = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
            "height": 6, "use": "garage", "name": "Гараж"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
        bad = json.loads(json.dumps(shed))
        bad["features"][0]["properties"]["use"] = "casino"
        page.set_input_files(upload, files=[{"name": "bad.geojson", "mimeType": "application/geo+json",
                                             "buffer": json.dumps(bad).encode()}])
        page.wait_for_function("document.querySelector('#status').textContent.includes('features.0.properties.use')")
        assert "bad.geojson" in page.text_content("#status")
        page.set_input_files(upload, files=[{"name": "shed.geojson", "mimeType": "application/geo+json",
                                             "buffer": json.dumps(shed).encode()}])
        page.wait_for_function("document.querySelectorAll('#scenarios ul.proposed li[data-building]').length === 2")
        assert query(api.db, "SELECT name, use FROM scenario_buildings WHERE scenario_id = :s AND id <> :p",
                     s=sid, p=pid) == [("Гараж", "garage")]

        # the sun of the insolation norm's day, one click away
        page.click("#scenarios [data-action=sun]")
        assert page.evaluate("window.citymodel.viewer.shadows") is True
        assert "-04-22T12:00" in page.input_value("#shadow-time")

        # compare with the published example
        page.click("#scenarios [data-action=back]")
        page.wait_for_selector("#scenarios ol.scenario-list li[data-scenario]")
        example = query(api.db, "SELECT id FROM scenarios WHERE name = 'Башня на Пресне (пример)'")[0][0]
        page.check(f"#scenarios input[name=compare][value='{sid}']")
        page.check(f"#scenarios input[name=compare][value='{example}']")
        page.click("#scenarios [data-action=compare]")
        page.wait_for_selector("#scenarios table.compared")
        header = page.locator("#scenarios table.compared th").all_inner_texts()
        assert "Дом из браузера" in header and "Башня на Пресне (пример)" in header
        heights = page.locator("#scenarios table.compared tr[data-total=max_height_m] td").all_inner_texts()
        assert heights[1:] in (["27", "78"], ["78", "27"])
        shot(page, "32-scenarios-compared")
        expected = ("404", "422")  # no report yet; the bad upload
        assert [p for p in page.problems if not any(e in p for e in expected)] == []


def test_the_card_shows_what_can_be_built_as_a_volume(browser, api):
    number = query(api.db, """SELECT p.cadastral_number FROM parcels p
        JOIN zones z ON z.zone_code = 'Ж-1' AND ST_Contains(z.geom, p.geom) ORDER BY p.id LIMIT 1""")[0][0]
    with viewer_page(browser, f"{api.url}/#parcel={number}") as page:
        page.wait_for_selector("#panel .envelope-toggle", timeout=30_000)
        page.click("#panel .envelope-toggle")
        page.wait_for_selector("#panel .envelope table")
        text = page.inner_text("#panel .envelope")
        assert "density" in text and "15" in text
        assert page.evaluate("window.citymodel.card.volume.length") >= 1
        height = page.evaluate("""window.citymodel.card.volume[0].polygon.extrudedHeight.getValue(
            window.citymodel.viewer.clock.currentTime)""")
        assert height == 15
        settle(page)
        shot(page, "33-envelope")
        page.click("#panel .envelope-toggle")
        assert page.evaluate("window.citymodel.card.volume") is None
        assert page.problems == []


def test_the_investment_map_shows_buildable_parcels_and_opens_their_cards(browser, api):
    lon, lat = query(api.db, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) c FROM parcels "
                             "WHERE cadastral_number LIKE '77:%') t")[0]
    with viewer_page(browser, f"{api.url}/#view={lon:.6f},{lat:.6f},900,0,-90&buildable=1") as page:
        page.wait_for_function("window.citymodel.buildable.source.entities.values.length > 0", timeout=60_000)
        shown = page.evaluate("window.citymodel.buildable.found.map((f) => f.properties.cadastral_number)")
        ok = {r[0] for r in query(api.db, """SELECT p.cadastral_number FROM parcels p
            WHERE EXISTS (SELECT 1 FROM rights r WHERE r.parcel_id = p.id AND r.kind = 'right')
            AND NOT EXISTS (SELECT 1 FROM rights r WHERE r.parcel_id = p.id
                            AND (r.kind = 'encumbrance' OR r.holder_kind <> 'public'))""")}
        assert shown and set(shown) <= ok
        assert page.get_attribute("#buildable-toggle", "aria-pressed") == "true"
        settle(page)
        shot(page, "34-investment-map")
        target = page.evaluate("""() => { const v = window.citymodel.viewer, layer = window.citymodel.buildable;
            for (const e of layer.source.entities.values) {
              const pts = e.polygon.hierarchy.getValue(v.clock.currentTime).positions;
              const c = Cesium.BoundingSphere.fromPoints(pts).center;
              const p = Cesium.SceneTransforms.worldToWindowCoordinates(v.scene, c);
              if (p && p.x > 420 && p.x < v.scene.canvas.clientWidth - 450 && p.y > 150
                  && p.y < v.scene.canvas.clientHeight - 80) {
                const picked = v.scene.pick(p);
                if (layer.parcelOf(picked) === e.buildable.properties.cadastral_number) {
                  return [p.x, p.y, e.buildable.properties.cadastral_number]; }
              }
            }
            return null; }""")
        assert target, "no buildable parcel to click on screen"
        page.mouse.click(target[0], target[1])
        page.wait_for_selector(f"#panel h2[data-cadastral-number='{target[2]}']", timeout=30_000)
        assert page.problems == []
