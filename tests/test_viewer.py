"""The web viewer in a real headless Chromium (Debian's), with software WebGL, against the
real API on the sample district. Screenshots of each step go to test-artifacts/viewer/."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import query

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts" / "viewer"
FLAGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--ignore-gpu-blocklist"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, api):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("response", lambda r: page.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(api.url + "/", wait_until="load")
    page.wait_for_function("window.citymodel && window.citymodel.ready", timeout=180_000)
    yield page
    context.close()


def shot(page, name: str) -> np.ndarray:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return np.asarray(Image.open(path).convert("RGB"), dtype=float)


def test_the_page_loads_the_tileset_without_errors(page):
    pixels = shot(page, "1-loaded")
    assert pixels.std() > 10, "the canvas is blank"
    assert page.problems == []


def test_picking_a_building_opens_its_parcel(page, api):
    # find a building on screen through Cesium's own picking, then click it like a person
    found = page.evaluate("""() => {
        const { viewer } = window.citymodel;
        const canvas = viewer.scene.canvas;
        for (let y = canvas.clientHeight * 0.3; y < canvas.clientHeight * 0.8; y += 20) {
          for (let x = canvas.clientWidth * 0.3; x < canvas.clientWidth * 0.7; x += 20) {
            const picked = viewer.scene.pick(new Cesium.Cartesian2(x, y));
            if (picked instanceof Cesium.Cesium3DTileFeature && picked.getProperty("parcel")) {
              return { x, y, parcel: picked.getProperty("parcel"), id: picked.getProperty("building_id") };
            }
          }
        }
        return null;
    }""")
    assert found, "no building with a parcel on screen"
    page.mouse.click(found["x"], found["y"])
    page.wait_for_selector(f"#panel h2[data-cadastral-number='{found['parcel']}']", timeout=30_000)
    shot(page, "2-picked")
    in_db = query(api.db, "SELECT p.cadastral_number FROM buildings b JOIN parcels p ON p.id = b.parcel_id "
                          "WHERE b.id = :i", i=found["id"])[0][0]
    assert in_db == found["parcel"]
    assert page.problems == []


FEATURE_COLOURS = """() => {
    const out = [];
    const visit = (tile) => {
      const content = tile.content;
      if (content && content.featuresLength) {
        for (let i = 0; i < content.featuresLength; i++) {
          const f = content.getFeature(i);
          out.push([f.getProperty("parcel") ?? null, f.color.toCssHexString()]);
        }
      }
      tile.children.forEach(visit);
    };
    visit(window.citymodel.tileset.root);
    return out;
}"""


def test_theme_by_auction_status_changes_the_colours(page, api):
    """An official publishes a lot on a built parcel; the auction theme shows it at once
    (statuses come live from the API, not from the last tile build)."""
    number = query(api.db, "SELECT p.cadastral_number FROM parcels p WHERE EXISTS (SELECT 1 FROM "
                           "buildings b WHERE b.parcel_id = p.id) AND NOT EXISTS (SELECT 1 FROM "
                           "lot_objects o WHERE o.parcel_id = p.id) ORDER BY p.id LIMIT 1")[0][0]
    with api.client("official") as official:
        lot = {"status": "PUBLISHED", "deal_type": "sale", "parcels": [number],
               "notice": {"published_at": "2026-11-23T10:00:00+03:00"}}
        assert official.put("/auctions/21000099990000000001/1", json=lot).status_code in (200, 201)
    before = shot(page, "3-theme-none")
    page.select_option("#theme", "auction")
    page.wait_for_timeout(1500)
    page.wait_for_function("window.citymodel.tileset.tilesLoaded", timeout=60_000)
    page.wait_for_function("window.citymodel.tileset.style !== undefined", timeout=30_000)
    page.wait_for_timeout(1000)
    after = shot(page, "4-theme-auction")
    colours = page.evaluate(FEATURE_COLOURS)
    expected = {"PUBLISHED": "#1a9850", "APPLICATIONS_SUBMISSION": "#1a9850",
                "DETERMINING_WINNER": "#fee08b", "COMPLETED": "#4575b4", "CANCELED": "#d73027"}
    status_of = dict(query(api.db, """SELECT DISTINCT ON (p.cadastral_number) p.cadastral_number, l.status
        FROM lot_objects o JOIN lots l ON l.id = o.lot_id JOIN auction_notices n ON n.id = l.notice_id
        JOIN parcels p ON p.id = o.parcel_id
        ORDER BY p.cadastral_number, n.published_at DESC NULLS LAST, l.id DESC"""))
    assert status_of[number] == "PUBLISHED"
    assert any(parcel == number for parcel, _ in colours), "the published parcel's buildings are not loaded"
    for parcel, colour in colours:
        wanted = expected.get(status_of.get(parcel), "#ffffff59")
        assert colour.startswith(wanted), (parcel, status_of.get(parcel), colour)
    height, width = before.shape[:2]
    middle = (slice(height // 4, 3 * height // 4), slice(width // 4, 3 * width // 4))
    assert np.abs(after[middle] - before[middle]).mean() > 2.0  # the buildings look different
    assert page.locator("#legend").is_visible()
    assert page.problems == []


def test_search_flies_to_the_parcel_and_holder_names_need_an_official(page, api):
    number, name = query(api.db, """SELECT p.cadastral_number, r.holder_name FROM rights r
        JOIN parcels p ON p.id = r.parcel_id WHERE r.holder_kind = 'individual'
        AND r.holder_name IS NOT NULL AND p.geom IS NOT NULL ORDER BY r.id LIMIT 1""")[0]
    okrug, district, quarter, n = number.split(":")
    page.fill("#q", f"{int(okrug)}:{int(district)}:{int(quarter)}:{n}")  # another spelling
    page.press("#q", "Enter")
    page.wait_for_selector(f"#panel h2[data-cadastral-number='{number}']", timeout=30_000)
    page.wait_for_timeout(2500)  # the flight
    shot(page, "5-searched-anonymous")
    rights = page.inner_text("#panel .rights")
    assert name not in page.content() and "private individual" in rights
    centre = page.evaluate("""() => { const v = window.citymodel.viewer;
        const c = v.camera.pickEllipsoid(new Cesium.Cartesian2(v.scene.canvas.clientWidth / 2,
                                                                v.scene.canvas.clientHeight / 2));
        const g = Cesium.Cartographic.fromCartesian(c);
        return [Cesium.Math.toDegrees(g.longitude), Cesium.Math.toDegrees(g.latitude)]; }""")
    inside = query(api.db, "SELECT ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography, 150) "
                           "FROM parcels WHERE cadastral_number = :n", x=centre[0], y=centre[1], n=number)[0][0]
    assert inside, f"the camera looks at {centre}, not at {number}"

    page.click("#signin")
    page.fill("#key", api.keys["official"])
    page.press("#key", "Enter")
    page.wait_for_function(f"document.querySelector('#panel .rights').innerText.includes({name!r})",
                           timeout=30_000)
    shot(page, "6-searched-official")
    assert page.problems == []
