"""The viewer's planning layers in a real Chromium: zones coloured by kind, services with a
symbol per category (a click opens the service's card), linear objects on the ground, the
planning section of the parcel card, and services found by name."""

from __future__ import annotations

import numpy as np
import pytest
from browser import CHROMIUM, settle, shot, viewer_page
from conftest import query

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed")

SERVICES_ON_SCREEN = """() => {
    const { viewer, services } = window.citymodel;
    const found = [];
    for (const entity of services.source.entities.values) {
      const xy = Cesium.SceneTransforms.worldToWindowCoordinates(viewer.scene,
        entity.position.getValue(viewer.clock.currentTime));
      const w = viewer.scene.canvas.clientWidth, h = viewer.scene.canvas.clientHeight;
      if (xy && xy.x > 40 && xy.x < w * 0.6 && xy.y > 120 && xy.y < h - 60) {
        found.push({ x: xy.x, y: xy.y - 20, id: entity.service.id, name: entity.service.properties.name });
      }
    }
    return found;
}"""


def test_zones_and_services_layers_toggle_and_a_service_opens_its_card(browser, api):
    # look at the cable strip and the zones around it, from above
    lon, lat = query(api.db, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) c FROM zones "
                             "WHERE registry_number = '77:01-6.501') t")[0]
    view = f"{lon:.6f},{lat:.6f},1500,0,-90"
    with viewer_page(browser, f"{api.url}/#view={view}") as page:
        settle(page)
        before = shot(page, "20-zones-off")
        page.click("#zones-toggle")
        page.wait_for_function("window.citymodel.zones.drawn.size > 0", timeout=60_000)
        settle(page)
        after = shot(page, "21-zones-on")
        drawn = dict(page.evaluate("[...window.citymodel.zones.drawn]"))
        kinds = dict(query(api.db, "SELECT coalesce(registry_number, zone_code), kind FROM zones"))
        assert drawn and all(kinds[key] == kind for key, kind in drawn.items())
        assert drawn.get("77:01-6.501") == "restriction"  # the strip, clearly marked
        assert "territorial" in drawn.values()
        assert np.abs(after - before).mean() > 1.0, "the ground looks the same"
        legend = page.inner_text("#legend")
        assert "restriction zone" in legend and "territorial zone" in legend
        assert page.get_attribute("#zones-toggle", "aria-pressed") == "true" and "zones=1" in page.url

        page.click("#services-toggle")
        page.wait_for_function("window.citymodel.services.source.entities.values.length > 0",
                               timeout=60_000)
        settle(page)
        shot(page, "22-services-on")
        in_view = page.evaluate("window.citymodel.services.source.entities.values.map((e) => e.service.id)")
        west, south, east, north = page.evaluate("""() => {
            const r = window.citymodel.viewer.camera.computeViewRectangle();
            return [r.west, r.south, r.east, r.north].map(Cesium.Math.toDegrees); }""")
        expected = {r[0] for r in query(api.db, "SELECT id FROM services WHERE ST_Intersects(geom, "
                                                "ST_MakeEnvelope(:w, :s, :e, :n, 4326))",
                                        w=west, s=south, e=east, n=north)}
        assert set(in_view) == expected and expected
        assert "education" in page.inner_text("#legend")

        on_screen = page.evaluate(SERVICES_ON_SCREEN)
        assert on_screen, "no service pin on screen"
        target = on_screen[0]
        page.mouse.click(target["x"], target["y"])
        page.wait_for_selector(f"#panel h2.service-card[data-service='{target['id']}']", timeout=30_000)
        name, capacity = query(api.db, "SELECT name, capacity FROM services WHERE id = :i", i=target["id"])[0]
        assert page.inner_text("#panel h2") == name
        if capacity is not None:
            assert f"{capacity:,}".replace(",", "") in page.inner_text("#panel").replace(",", "").replace("\u00a0", "")
        shot(page, "23-service-card")

        page.click("#zones-toggle")
        page.click("#services-toggle")
        assert page.evaluate("window.citymodel.zones.layer.show") is False
        assert page.evaluate("window.citymodel.services.show") is False
        assert page.problems == []


def test_networks_are_drawn_on_the_ground(browser, api):
    lon, lat = query(api.db, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(lines)) c "
                             "FROM buildings) t")[0]
    with viewer_page(browser, f"{api.url}/#view={lon:.6f},{lat:.6f},1500,0,-90&networks=1") as page:
        page.wait_for_function("window.citymodel.networks.drawn.size > 0", timeout=60_000)
        settle(page)
        shot(page, "24-networks")
        lines = dict(page.evaluate("[...window.citymodel.networks.drawn]"))
        expected = {r[0] for r in query(api.db, "SELECT cadastral_number FROM buildings WHERE lines IS NOT NULL")}
        assert set(lines) <= expected and lines
        assert page.get_attribute("#networks-toggle", "aria-pressed") == "true"
        assert page.problems == []


def test_the_card_shows_zones_and_nearest_services_and_search_finds_services(browser, api):
    number = query(api.db, """SELECT p.cadastral_number FROM parcels p JOIN zones z
        ON z.registry_number = '77:01-6.501' AND ST_Intersects(z.geom, p.geom) ORDER BY p.id LIMIT 1""")[0][0]
    with viewer_page(browser, f"{api.url}/#parcel={number}") as page:
        page.wait_for_selector("#panel .territorial-zone", timeout=30_000)
        code = query(api.db, """SELECT z.zone_code FROM zones z JOIN parcels p ON p.cadastral_number = :n
            AND ST_Intersects(z.geom, p.geom) WHERE z.kind = 'territorial'
            ORDER BY ST_Area(ST_Intersection(z.geom, p.geom)) DESC LIMIT 1""", n=number)[0][0]
        assert page.get_attribute("#panel .territorial-zone", "data-zone") == code
        assert page.locator("#panel .restriction-zones [data-zone='77:01-6.501']").count() == 1
        assert "Запрещается" in page.inner_text("#panel .restriction-zones")
        assert "education" in page.inner_text("#panel .nearest-services")
        shot(page, "25-card-planning")

        name = query(api.db, "SELECT name FROM services WHERE kind = 'museum' ORDER BY id LIMIT 1")[0][0]
        page.fill("#q", name)
        page.press("#q", "Enter")
        page.wait_for_selector("#results li.service", timeout=30_000)
        page.click(f"#results li.service >> text={name}")
        page.wait_for_selector("#panel h2.service-card", timeout=30_000)
        assert page.inner_text("#panel h2") == name
        assert page.get_attribute("#services-toggle", "aria-pressed") == "true"
        assert page.problems == []
