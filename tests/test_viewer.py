"""The web viewer in a real headless Chromium (Debian's), with software WebGL, against the
real API on the sample district. Screenshots of each step go to test-artifacts/viewer/."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import api_server
import numpy as np
import pytest
from browser import BUILDINGS_ON_SCREEN, CHROMIUM, settle, shot, viewer_page
from conftest import query
from PIL import Image

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@contextmanager
def own_server(env: dict[str, str], log: Path):
    """`citymodel serve` with this environment, stopped at the end."""
    url, process = api_server.launch(env, log)
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def page(browser, api):
    with viewer_page(browser, api.url + "/") as page:
        yield page


AUCTION_COLOURS = {"PUBLISHED": "#1a9850", "APPLICATIONS_SUBMISSION": "#1a9850",
                   "DETERMINING_WINNER": "#fee08b", "COMPLETED": "#4575b4", "CANCELED": "#d73027"}
OPEN = {"PUBLISHED", "APPLICATIONS_SUBMISSION"}


def latest_statuses(db) -> dict[str, str]:
    """Each parcel with a lot: its newest lot's status, by cadastral number."""
    return dict(query(db, """SELECT DISTINCT ON (p.cadastral_number) p.cadastral_number, l.status
        FROM lot_objects o JOIN lots l ON l.id = o.lot_id JOIN auction_notices n ON n.id = l.notice_id
        JOIN parcels p ON p.id = o.parcel_id
        ORDER BY p.cadastral_number, n.published_at DESC NULLS LAST, l.id DESC"""))


def camera_target(page) -> list[float]:
    """Longitude and latitude of the ground at the centre of the screen."""
    return page.evaluate("""() => { const v = window.citymodel.viewer;
        const c = v.camera.pickEllipsoid(new Cesium.Cartesian2(v.scene.canvas.clientWidth / 2,
                                                                v.scene.canvas.clientHeight / 2));
        const g = Cesium.Cartographic.fromCartesian(c);
        return [Cesium.Math.toDegrees(g.longitude), Cesium.Math.toDegrees(g.latitude)]; }""")


def near(db, number: str, lon_lat: list[float], metres: float) -> bool:
    return query(db, "SELECT ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography, :m) "
                     "FROM parcels WHERE cadastral_number = :n", x=lon_lat[0], y=lon_lat[1], m=metres, n=number)[0][0]


def test_the_page_loads_the_tileset_without_errors(page):
    pixels = shot(page, "1-loaded")
    assert pixels.std() > 10, "the canvas is blank"
    assert page.problems == []


def test_picking_a_building_opens_its_parcel(page, api):
    # find a building on screen through Cesium's own picking, then click it like a person
    found = next(iter(page.evaluate(BUILDINGS_ON_SCREEN)), None)
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
    page.wait_for_function("window.citymodel.tileset.style !== undefined", timeout=30_000)
    settle(page)
    after = shot(page, "4-theme-auction")
    colours = page.evaluate(FEATURE_COLOURS)
    expected = AUCTION_COLOURS
    status_of = latest_statuses(api.db)
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
    settle(page)  # the flight
    shot(page, "5-searched-anonymous")
    rights = page.inner_text("#panel .rights")
    assert name not in page.content() and "private individual" in rights
    centre = camera_target(page)
    assert near(api.db, number, centre, 150), f"the camera looks at {centre}, not at {number}"

    page.click("#signin")
    page.fill("#key", api.keys["official"])
    page.press("#key", "Enter")
    page.wait_for_function(f"document.querySelector('#panel .rights').innerText.includes({name!r})",
                           timeout=30_000)
    shot(page, "6-searched-official")
    assert page.problems == []


FEATURE_SHOWN = FEATURE_COLOURS.replace('f.color.toCssHexString()', 'f.show')


def test_parcels_layer_is_draped_and_coloured_by_auction_status(page, api):
    before = shot(page, "7-parcels-off")
    page.click("#parcels-toggle")
    settle(page)
    after = shot(page, "8-parcels-on")
    drawn = dict(page.evaluate("[...window.citymodel.parcels.drawn]"))
    status_of = latest_statuses(api.db)
    numbers = {n for (n,) in query(api.db, "SELECT cadastral_number FROM parcels")}
    assert len(drawn) > 20, "hardly any parcel was drawn"
    assert set(drawn) <= numbers
    assert any(drawn.values()), "no parcel with an auction in view"
    for number, colour in drawn.items():  # each in the colour of its newest lot's status
        assert colour == AUCTION_COLOURS.get(status_of.get(number)), (number, status_of.get(number), colour)
    assert np.abs(after - before).mean() > 1.0, "the ground looks the same"
    assert "parcels=1" in page.url
    page.click("#parcels-toggle")
    assert page.evaluate("window.citymodel.parcels.layer.show") is False
    assert page.problems == []


def test_filter_shows_only_buildings_on_parcels_with_open_auctions(page, api):
    # a parcel whose buildings are on screen gets an open lot, so there is something to show
    loaded = {parcel for parcel, _ in page.evaluate(FEATURE_COLOURS) if parcel}
    status_of = latest_statuses(api.db)
    number = min(p for p in loaded if p not in status_of)
    with api.client("official") as official:
        lot = {"status": "APPLICATIONS_SUBMISSION", "deal_type": "lease", "parcels": [number],
               "notice": {"published_at": "2026-11-20T10:00:00+03:00"}}
        assert official.put("/auctions/21000099990000000002/1", json=lot).status_code in (200, 201)
    page.select_option("#filter", "open")
    page.wait_for_function("window.citymodel.tileset.style !== undefined", timeout=30_000)
    settle(page)
    shot(page, "9-filter-open-auctions")
    status_of = latest_statuses(api.db)
    features = page.evaluate(FEATURE_SHOWN)
    assert any(shown for parcel, shown in features if parcel == number)
    for parcel, shown in features:
        assert shown == (status_of.get(parcel) in OPEN), (parcel, status_of.get(parcel), shown)
    assert not all(shown for _, shown in features), "nothing was filtered out"
    assert "filter=open" in page.url
    assert page.problems == []


def test_auctions_panel_filters_lots_and_flies_to_the_chosen_parcel(page, api):
    page.click("#auctions-toggle")
    page.wait_for_selector("#auctions ol[data-query]", timeout=30_000)

    def listed() -> set[str]:
        return set(page.eval_on_selector_all("#auctions li[data-lot]", "els => els.map(e => e.dataset.lot)"))

    lots = query(api.db, """SELECT n.notice_number || '/' || l.lot_number, l.status, l.start_price
        FROM lots l JOIN auction_notices n ON n.id = l.notice_id""")
    assert len(lots) <= 200  # one page of the panel: the whole list can be compared
    assert listed() == {lot for lot, _, _ in lots}

    page.select_option("#auctions select[name=status]", "open")
    page.wait_for_selector("#auctions ol[data-query*='status=PUBLISHED']", timeout=30_000)
    assert listed() == {lot for lot, status, _ in lots if status in OPEN}
    page.select_option("#auctions select[name=status]", "")
    prices = sorted(float(price) for _, _, price in lots if price is not None)
    threshold = prices[len(prices) // 2]
    page.fill("#auctions input[name=price_min]", str(threshold))
    page.press("#auctions input[name=price_min]", "Enter")
    page.wait_for_selector("#auctions ol[data-query*='price_min=']", timeout=30_000)
    assert listed() == {lot for lot, _, price in lots if price is not None and float(price) >= threshold}
    shot(page, "10-auctions-filtered")

    item = page.locator("#auctions li[data-parcel]").first
    number = item.get_attribute("data-parcel")
    item.click()
    page.wait_for_selector(f"#panel h2[data-cadastral-number='{number}']", timeout=30_000)
    settle(page)  # the flight
    shot(page, "11-auction-chosen")
    assert near(api.db, number, camera_target(page), 150)
    history = page.inner_text("#panel .auction-history")
    assert item.get_attribute("data-lot").split("/")[0] in history
    assert page.problems == []


def test_shadows_follow_the_date_and_time_in_the_city(page):
    page.evaluate("""() => { const v = window.citymodel.viewer;  // low over the district, looking along it
        v.camera.setView({ orientation: { heading: v.camera.heading, pitch: Cesium.Math.toRadians(-25), roll: 0 },
                           destination: v.camera.position }); }""")
    settle(page)
    page.click("#shadows-toggle")
    assert page.input_value("#shadow-time").endswith("T12:00")
    times = {}
    for local, utc in (("2026-06-21T09:00", "2026-06-21T06:00:00Z"), ("2026-06-21T19:00", "2026-06-21T16:00:00Z")):
        page.fill("#shadow-time", local)
        page.dispatch_event("#shadow-time", "change")
        settle(page)
        # Moscow time is UTC+3 whatever the browser's time zone
        assert page.evaluate("Cesium.JulianDate.toIso8601(window.citymodel.viewer.clock.currentTime, 0)") == utc
        times[local] = shot(page, f"12-shadows-{local[-5:].replace(':', '')}")
    assert page.evaluate("window.citymodel.viewer.shadows") is True
    assert f"shadows={'2026-06-21T19:00'}" in page.url.replace("%3A", ":")
    page.click("#shadows-toggle")  # off, at the same time of day
    settle(page)
    unshadowed = shot(page, "12-shadows-off")
    assert page.evaluate("window.citymodel.viewer.shadows") is False
    evening = times["2026-06-21T19:00"]
    assert (evening.sum(axis=2) < unshadowed.sum(axis=2) - 30).mean() > 0.02, "no shadow was cast"
    assert np.abs(times["2026-06-21T09:00"] - evening).mean() > 2.0
    assert page.problems == []


def test_measuring_tool_gives_the_geodesic_distance(page, api):
    from pyproj import Geod

    page.click("#measure-toggle")  # at once: the globe's tiles may still be coarse
    for k, (x, y) in enumerate(((420, 620), (880, 560), (760, 380)), start=1):
        page.mouse.click(x, y)  # far apart: never taken for a double click
        page.wait_for_function(f"window.citymodel.measure.coordinates.length === {k}")
    points = page.evaluate("window.citymodel.measure.coordinates")
    metres = float(page.get_attribute("#measure-output", "data-metres"))
    shot(page, "13-measured")
    assert len(points) == 3
    geod = Geod(ellps="WGS84")
    expected = sum(geod.inv(a[0], a[1], b[0], b[1])[2] for a, b in pairwise(points))
    assert expected > 10 and abs(metres - expected) < 0.01, (metres, expected)
    west, south, east, north = query(api.db, "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                                             "FROM (SELECT ST_Extent(geom) e FROM parcels) t")[0]
    for lon, lat, _ in points:  # on the district, not somewhere on the globe
        assert west - 0.01 < lon < east + 0.01 and south - 0.01 < lat < north + 0.01
    text = page.inner_text("#measure-output").replace(",", "")

    def shown(value: float, digits: int) -> str:  # as toLocaleString's maximumFractionDigits
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")

    assert (f"{shown(metres / 1000, 3)} km" if metres >= 1000 else f"{shown(metres, 1)} m") in text, text
    assert page.locator("#panel").is_hidden()  # clicks measure, they do not open cards
    page.keyboard.press("Escape")  # the line ends; the next click starts another
    page.mouse.click(640, 500)
    assert len(page.evaluate("window.citymodel.measure.coordinates")) == 1
    page.click("#measure-toggle")
    assert page.locator("#measure-output").is_hidden()
    assert page.problems == []


def test_a_shared_link_restores_camera_theme_layer_and_parcel(page, api, browser):
    number = query(api.db, "SELECT cadastral_number FROM parcels WHERE geom IS NOT NULL ORDER BY id DESC LIMIT 1")[0][0]
    page.fill("#q", number)
    page.press("#q", "Enter")
    page.wait_for_selector(f"#panel h2[data-cadastral-number='{number}']", timeout=30_000)
    page.select_option("#theme", "year")
    page.click("#parcels-toggle")
    settle(page)  # the flight ends; its view goes into the address
    link = page.url
    view = page.evaluate("window.citymodel.state.view")
    assert "theme=year" in link and "parcels=1" in link and number in link.replace("%3A", ":")

    with viewer_page(browser, link) as other:
        other.wait_for_selector(f"#panel h2[data-cadastral-number='{number}']", timeout=30_000)
        settle(other)
        shot(other, "14-shared-link")
        assert other.input_value("#theme") == "year"
        assert other.get_attribute("#parcels-toggle", "aria-pressed") == "true"
        restored = other.evaluate("""() => { const c = window.citymodel.viewer.camera;
            const g = c.positionCartographic;
            return [Cesium.Math.toDegrees(g.longitude), Cesium.Math.toDegrees(g.latitude), g.height,
                    Cesium.Math.toDegrees(c.heading), Cesium.Math.toDegrees(c.pitch)]; }""")
        assert abs(restored[0] - view["lon"]) < 1e-5 and abs(restored[1] - view["lat"]) < 1e-5
        assert abs(restored[2] - view["height"]) < 1.0
        assert abs((restored[3] - view["heading"] + 180) % 360 - 180) < 0.5
        assert abs(restored[4] - view["pitch"]) < 0.5
    assert page.problems == []


BUILDING_COLOURS = FEATURE_COLOURS.replace(
    'f.getProperty("parcel") ?? null', 'f.getProperty("building_id"), f.getProperty("parcel") ?? null')


def test_a_page_left_open_follows_changes_to_the_data(browser, api, tmp_path):
    """An official publishes a lot while a planner looks at the parcel: without a reload the
    parcels layer, the buildings' auction colours and the open card show it, and the picked
    building stays highlighted; then a right registered on the parcel appears on the card."""
    env = {**api.env, "CITYMODEL_VIEWER_REFRESH_SECONDS": "1"}
    with (own_server(env, tmp_path / "server.log") as (url, _),
          viewer_page(browser, url + "/#theme=auction&parcels=1") as page):
        settle(page)
        status_of = latest_statuses(api.db)
        drawn = dict(page.evaluate("[...window.citymodel.parcels.drawn]"))
        candidates = [b for b in page.evaluate(BUILDINGS_ON_SCREEN)
                      if b["parcel"] not in status_of and b["parcel"] in drawn]
        assert candidates, "no building on screen stands on a parcel without auctions"
        on_parcel = Counter(parcel for _, parcel, _ in page.evaluate(BUILDING_COLOURS))
        building = max(candidates, key=lambda b: on_parcel[b["parcel"]])  # its neighbours recoloured too
        number = building["parcel"]
        assert drawn[number] is None
        page.mouse.click(building["x"], building["y"])
        page.wait_for_selector(f"#panel h2[data-cadastral-number='{number}']", timeout=30_000)
        before = shot(page, "18-before-a-lot-is-published")

        with api.client("official") as official:
            lot = {"status": "APPLICATIONS_SUBMISSION", "deal_type": "lease", "parcels": [number],
                   "notice": {"published_at": "2026-11-23T12:00:00+03:00"}}
            assert official.put("/auctions/21000099990000000003/1", json=lot).status_code in (200, 201)
        assert latest_statuses(api.db)[number] == "APPLICATIONS_SUBMISSION"
        open_colour = AUCTION_COLOURS["APPLICATIONS_SUBMISSION"]
        page.wait_for_function(f"window.citymodel.parcels.drawn.get({number!r}) === {open_colour!r}",
                               timeout=30_000)
        # the card is updated last, after the buildings' new style
        page.wait_for_function("document.querySelector('#panel .auction-history') && document.querySelector("
                               "'#panel .auction-history').innerText.includes('21000099990000000003')",
                               timeout=30_000)
        settle(page)
        after = shot(page, "19-after-a-lot-is-published")
        for building_id, parcel, colour in page.evaluate(BUILDING_COLOURS):
            if building_id == building["id"]:
                assert colour.startswith("#ffff00"), "the picked building lost its highlight"
            elif parcel == number:
                assert colour.startswith(open_colour), (building_id, colour)
        drawn = dict(page.evaluate("[...window.citymodel.parcels.drawn]"))
        assert drawn[number] == open_colour
        assert np.abs(after - before).mean() > 0.2, "the picture did not change"

        # a lease is registered on the parcel: the open card lists it (a company's name is public)
        with api.client("official") as official:
            right = {"registration_number": f"{number}-77/011/2026-555", "type_code": "022006000000",
                     "holder_kind": "legal_entity", "holder_name": "ООО «Открытый город»",
                     "holder_inn": "7701234567"}
            assert official.post(f"/parcels/{number}/rights", json=right).status_code == 201
        page.wait_for_function("document.querySelector('#panel .rights').innerText.includes('Открытый город')",
                               timeout=30_000)
        shot(page, "20-after-a-right-is-registered")
        assert page.problems == []


LAYOUTS = {"laptop": {"width": 1366, "height": 768}, "tablet-landscape": {"width": 1024, "height": 768},
           "tablet-portrait": {"width": 768, "height": 1024}}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layout_fits_laptops_and_tablets_in_russian(browser, api, layout):
    size = LAYOUTS[layout]
    number = query(api.db, "SELECT cadastral_number FROM parcels WHERE geom IS NOT NULL ORDER BY id LIMIT 1")[0][0]
    with viewer_page(browser, f"{api.url}/#parcel={number}", viewport=size, locale="ru-RU",
                     has_touch=layout.startswith("tablet")) as page:
        page.wait_for_selector(f"#panel h2[data-cadastral-number='{number}']", timeout=30_000)
        assert page.inner_text("#parcels-toggle") == "Участки"  # the interface follows the browser's language
        tap = page.tap if layout.startswith("tablet") else page.click
        tap("#auctions-toggle")
        page.wait_for_selector("#auctions ol[data-query]", state="attached", timeout=30_000)

        def box(selector):
            b = page.locator(selector).bounding_box()
            return b and (b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"])

        bar = box("#bar")
        for control in page.locator("#bar > *:visible, #bar .tools > *").all():
            b = control.bounding_box()
            assert b and b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= size["width"] + 0.5, control
        card = box("#panel")
        assert card[1] >= bar[3] and card[2] <= size["width"] and card[3] <= size["height"]
        if layout == "tablet-portrait":  # one sheet at a time: the card over the list
            assert page.locator("#auctions").is_hidden()
            shot(page, f"15-layout-{layout}-card")
            tap("#close")
            assert page.locator("#auctions").is_visible()
        auctions = box("#auctions")
        assert auctions[1] >= bar[3] and auctions[2] <= size["width"] and auctions[3] <= size["height"]
        if layout != "tablet-portrait":  # side by side, not over each other
            assert auctions[2] <= card[0]
        shot(page, f"15-layout-{layout}")


def test_configured_imagery_is_used_and_missing_parts_are_explained(browser, api, tmp_path):
    """An administrator's imagery server replaces the bundled imagery; a server with no
    tileset built says so instead of failing silently, and so does a page whose API stopped."""
    import io
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (255, 0, 255)).save(buffer, "PNG")
    png, requested = buffer.getvalue(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    tiles = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    env = {**api.env, "CITYMODEL_VIEWER_IMAGERY_URL": f"http://127.0.0.1:{tiles.server_port}/{{z}}/{{x}}/{{y}}.png",
           "CITYMODEL_VIEWER_IMAGERY_CREDIT": "Test tiles", "CITYMODEL_TILES_DIR": str(tmp_path / "not-built"),
           "CITYMODEL_VIEWER_REFRESH_SECONDS": "1"}
    try:
        with (own_server(env, tmp_path / "server.log") as (url, process),
              viewer_page(browser, url + "/", viewport={"width": 1024, "height": 700}) as page):
            page.wait_for_function("document.getElementById('status').textContent.includes('unavailable')",
                                   timeout=30_000)
            settle(page)
            pixels = shot(page, "16-configured-imagery-no-tileset")
            assert requested and all(p.endswith(".png") for p in requested)
            magenta = (pixels[..., 0] > 200) & (pixels[..., 1] < 60) & (pixels[..., 2] > 200)
            assert magenta.mean() > 0.3, "the configured imagery is not on the globe"
            assert "build it" in page.inner_text("#status")

            # The tileset is built while the page is open: it appears, and the message goes.
            api_server.cli(env, "tiles", "build", "--jobs", "1")
            page.wait_for_function("window.citymodel.tileset && window.citymodel.tileset.tilesLoaded"
                                   " && !document.getElementById('status').textContent", timeout=60_000)
            settle(page)
            assert page.evaluate(f"({FEATURE_COLOURS})().length") > 20, "hardly any building is shown"
            shot(page, "16b-tileset-built-meanwhile")
            # A new build replaces it: the old one is let go, the new one shown.
            page.evaluate("window.citymodel.tileset.first = true")
            api_server.cli(env, "tiles", "build", "--jobs", "1")
            page.wait_for_function("window.citymodel.tileset && !window.citymodel.tileset.first"
                                   " && window.citymodel.tileset.tilesLoaded", timeout=60_000)
            settle(page)
            tilesets = page.evaluate("""() => { const all = window.citymodel.viewer.scene.primitives, found = [];
                for (let i = 0; i < all.length; i++) {
                  if (all.get(i) instanceof Cesium.Cesium3DTileset) found.push(all.get(i));
                }
                return [found.length, found[0] === window.citymodel.tileset]; }""")
            assert tilesets == [1, True], "the old build is still drawn"
            process.terminate()  # the API goes away: the next request says so
            process.wait(timeout=30)
            page.fill("#q", "77:01")
            page.press("#q", "Enter")
            page.wait_for_function("document.getElementById('status').textContent.includes('cannot be reached')",
                                   timeout=30_000)
            shot(page, "17-api-unreachable")
            assert page.page_errors == []
    finally:
        tiles.shutdown()
