"""The CRS catalogue: names as Rosreestr writes them, and definitions that land right."""

from __future__ import annotations

import re

import pyproj
import pytest
import shapely
from conftest import KPT_SAMPLE, settings_for
from sqlalchemy import text

from citymodel import crs, database
from citymodel.errors import UnknownCrs


@pytest.mark.parametrize(
    ("name", "srid"),
    [
        ("МСК-77", 990770),
        ("MSK-77", 990770),
        ("msk77", 990770),
        ("МГГТ", 990770),
        ("МСК-26 от СК-95, зона 1", 990261),  # as in the real KPT file
        ("МСК-26, от СК -95, зона 1", 990261),  # spellings seen in ЕГРН extracts
        ("МСК - 26 от СК-95, зоны 1", 990261),
        ("МСК-26 зона 1", 990261),
        ("МСК-50, зона 2", 990502),
        ("МСК-1964", 990780),
        ("EPSG:32637", 32637),
        ("epsg:4326", 4326),
        ("4326", 4326),
        (28407, 28407),
        ("+proj=utm +zone=37 +datum=WGS84 +units=m +no_defs", 32637),
    ],
)
def test_names_and_codes_resolve(name, srid):
    assert crs.resolve(name).srid == srid


@pytest.mark.parametrize(
    "name",
    [
        "МСК - 66, зона 1",  # a real name, but no definition in the catalogue
        "МСК-26 от СК-95",  # two zones: which one?
        "МСК-26 от СК-42, зона 1",  # another base system than the catalogue's
    ],
)
def test_unknown_local_systems_ask_for_crs(name):
    with pytest.raises(UnknownCrs) as caught:
        crs.resolve(name)
    message = str(caught.value)
    assert repr(name) in message
    assert "pass --crs" in message
    assert "МСК-77" in message  # says what is known


@pytest.mark.parametrize("spec", ["", "not a crs", "EPSG:999999"])
def test_nonsense_is_refused(spec):
    with pytest.raises(UnknownCrs, match="--crs|EPSG"):
        crs.resolve(spec)


def test_one_off_proj_string_has_no_srid_but_works():
    resolved = crs.resolve("+proj=tmerc +lon_0=37 +ellps=krass +units=m")
    assert resolved.srid is None
    assert resolved.crs.is_projected


def test_overrides_replace_a_definition():
    other = "+proj=tmerc +lat_0=55.66666666667 +lon_0=37.5 +k=1 +x_0=0 +y_0=0 +ellps=bessel +units=m"
    default = crs.resolve("МСК-77")
    overridden = crs.resolve("МСК-77", overrides={"msk-77": other})
    assert overridden.srid == default.srid
    to_wgs = pyproj.Transformer.from_crs(overridden.crs, 4326, always_xy=True)
    assert to_wgs.transform(0, 0) == pytest.approx((37.5, 55.66666666667), abs=1e-9)


# Independent control points (public facts): two parcels of cadastral quarter
# 26:29:130106 as ЕГРН extracts give them, (north, east) in МСК-26 zone 1, and the
# same parcels' contours from the public cadastral map (НСПД), lon/lat WGS 84.
EXTRACT_RINGS = {
    "26:29:130106:382": [
        (360527.54, 1405241.74), (360530.35, 1405277.75), (360534.47, 1405306.95),
        (360539.28, 1405334.58), (360507.81, 1405358.07), (360507.70, 1405357.60),
        (360500.42, 1405327.05), (360523.89, 1405319.72), (360517.54, 1405296.21),
        (360513.34, 1405247.79),
    ],
    "26:29:130106:334": [
        (360367.46, 1404834.84), (360361.89, 1404764.37), (360380.08, 1404779.94),
        (360381.38, 1404789.75), (360382.14, 1404795.64), (360392.67, 1404803.69),
        (360436.76, 1404753.20), (360464.86, 1404766.66), (360432.40, 1404820.22),
        (360411.68, 1404832.01),
    ],
}
MAP_RINGS = {
    "26:29:130106:382": [
        (43.06048624, 43.98799627), (43.06055882, 43.98786764), (43.06116307, 43.98789851),
        (43.06145731, 43.98795228), (43.06154401, 43.98774006), (43.06192616, 43.98780119),
        (43.06193204, 43.98780211), (43.06164555, 43.98808863), (43.06130026, 43.98804930),
        (43.06093556, 43.98801641),
    ],
    "26:29:130106:334": [
        (43.05538384, 43.98661399), (43.05535730, 43.98701227), (43.05521445, 43.98720038),
        (43.05455339, 43.98750006), (43.05438011, 43.98724914), (43.05500063, 43.98684526),
        (43.05489823, 43.98675166), (43.05482468, 43.98674566), (43.05470218, 43.98673536),
        (43.05450456, 43.98657391),
    ],
}
DECLARED_AREAS = {"26:29:130106:382": 1986.0, "26:29:130106:334": 4416.0}


def _worst_offset_m(definition: pyproj.CRS, cadastral_number: str) -> float:
    """Largest distance, in metres, from an extract vertex to the map's contour."""
    metric = pyproj.CRS.from_epsg(32638)  # UTM 38N covers 43°E
    from_local = pyproj.Transformer.from_crs(definition, metric, always_xy=True)
    from_wgs = pyproj.Transformer.from_crs(4326, metric, always_xy=True)
    north, east = zip(*EXTRACT_RINGS[cadastral_number])  # X is northing, Y easting
    points = shapely.points(*from_local.transform(east, north))
    contour = shapely.LinearRing(list(zip(*from_wgs.transform(*zip(*MAP_RINGS[cadastral_number])))))
    return float(shapely.distance(points, contour).max())


@pytest.mark.parametrize("cadastral_number", sorted(EXTRACT_RINGS))
def test_msk26_lands_on_the_public_cadastral_map(cadastral_number):
    definition = crs.resolve("МСК-26 от СК-95, зона 1").crs
    assert _worst_offset_m(definition, cadastral_number) < 0.5
    north, east = zip(*EXTRACT_RINGS[cadastral_number])
    area = shapely.Polygon(list(zip(east, north))).area
    assert area == pytest.approx(DECLARED_AREAS[cadastral_number], abs=1.0)


def test_the_control_points_catch_a_wrong_definition():
    # The definition circulated by several tools puts these parcels kilometres off.
    circulated = pyproj.CRS(
        "+proj=tmerc +lat_0=0 +lon_0=40.98333333333 +k=1 +x_0=1300000 +y_0=-4511057.63 "
        "+ellps=krass +towgs84=23.57,-140.95,-79.8,0,0.35,0.79,-0.22 +units=m +no_defs"
    )
    assert _worst_offset_m(circulated, "26:29:130106:382") > 1000


def test_the_real_kpt_file_names_a_known_system_and_lands_in_its_area():
    xml = KPT_SAMPLE.read_text(encoding="utf-8")
    name = re.search(r'CoordSystem Name="([^"]+)"', xml)[1]
    resolved = crs.resolve(name)
    assert resolved.name == "МСК-26 от СК-95, зона 1"
    x, y = (float(v) for v in re.search(r'Ordinate X="([\d.]+)" Y="([\d.]+)"', xml).groups())
    lon, lat = pyproj.Transformer.from_crs(resolved.crs, 4326, always_xy=True).transform(y, x)
    west, south, east, north = resolved.bounds
    assert west < lon < east and south < lat < north
    # Труновский район, Ставропольский край (the address in the file)
    assert 42.0 < lon < 42.7 and 45.3 < lat < 45.8


MSK77_SQUARE = [(7300.0, 9500.0), (7400.0, 9500.0), (7400.0, 9600.0), (7300.0, 9600.0)]


@pytest.mark.parametrize("storage_crs", ["EPSG:4326", "EPSG:32637", "МСК-77"])
def test_msk77_geometry_comes_back_in_wgs84_where_pyproj_puts_it(empty_database, storage_crs):
    """Written in МСК-77 (PostGIS custom SRID), read back in EPSG:4326: within 1 cm."""
    settings = settings_for(empty_database, storage_crs=storage_crs)
    engine = database.create_engine(empty_database)
    database.migrate(engine, settings)
    msk77 = crs.resolve("МСК-77")
    ring = MSK77_SQUARE + MSK77_SQUARE[:1]
    wkt = shapely.MultiPolygon([shapely.Polygon(ring)]).wkt
    with database.connect(engine) as conn:
        storage = database.storage_srid(conn)
        conn.execute(
            text(
                "INSERT INTO parcels (cadastral_number, cadastral_key, geom, source) VALUES "
                "('77:01:0001013:4915', '77:1:1013:4915', "
                " ST_Transform(ST_GeomFromText(:wkt, :msk), :storage), 'test')"
            ),
            {"wkt": wkt, "msk": msk77.srid, "storage": storage},
        )
        back, area = conn.execute(
            text("SELECT ST_AsText(ST_Transform(geom, 4326)), computed_area_m2 FROM parcels")
        ).one()
    engine.dispose()
    assert storage == crs.resolve(storage_crs).srid
    got = shapely.get_coordinates(shapely.from_wkt(back))[:-1]
    lon, lat = pyproj.Transformer.from_crs(msk77.crs, 4326, always_xy=True).transform(
        *zip(*MSK77_SQUARE)
    )
    _, _, distance = pyproj.Geod(ellps="WGS84").inv(got[:, 0], got[:, 1], lon, lat)
    assert max(distance) < 0.01
    assert 55.7 < lat[0] < 55.8 and 37.6 < lon[0] < 37.7  # central Moscow
    assert area == pytest.approx(10_000, rel=2e-3)  # a 100 m square, measured on the spheroid
