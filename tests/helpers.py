"""Helpers the test modules share (no test module imports another)."""

from __future__ import annotations

import json
import subprocess

import pyproj
import pytest
from conftest import DATA, settings_for
from sqlalchemy import text

from citymodel import database
from importers.core import ImportFailed
from importers.parcels import import_parcels

# --- the API ---------------------------------------------------------------------------------


def execute(api, sql: str, **params) -> None:
    engine = database.create_engine(api.db)
    with database.connect(engine) as conn:
        conn.execute(text(sql), params)
    engine.dispose()


def walk(client, url: str, params: dict | None = None) -> tuple[list[dict], int]:
    """Every feature by following `next` links; and how many pages that took."""
    features, pages = [], 0
    response = client.get(url, params=params)
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        features += page["features"]
        pages += 1
        following = [link for link in page["links"] if link["rel"] == "next"
                     and link["type"] == "application/geo+json"]
        if not following:
            return features, pages
        response = client.get(following[0]["href"])


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    x, y = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    size = 2 * 20037508.342789244 / 2**z
    return int((x + 20037508.342789244) // size), int((20037508.342789244 - y) // size)


def gdal(*args: str, debug: bool = False) -> subprocess.CompletedProcess:
    command = [*args, *(["--debug", "on"] if debug else [])]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600,
                            env={"PATH": "/usr/bin:/bin", "GDAL_HTTP_TIMEOUT": "60"})
    assert result.returncode == 0, result.stderr
    return result


# --- importers ---------------------------------------------------------------------------------

BUILDINGS = DATA / "buildings" / "buildings.geojson"
MAPPING = {"register_id": "unom", "cadastral_number": "cad", "height": "h",
           "levels": "floors_count", "use": "purpose"}
SHAPEFILE_MAP = {"cadastral_number": "cadastral_", "declared_area_m2": "declared_a",
                 "land_category": "land_categ", "permitted_use": "permitted_",
                 "cadastral_value": "cadastra_1", "registered_on": "registered"}

DATA_TABLES = ("parcels", "buildings", "rights", "auction_notices", "lots", "lot_objects", "zones",
               "services")

def snapshot(url) -> dict[str, str]:
    """A checksum of every data table's full contents."""
    engine = database.create_engine(url)
    with database.connect(engine) as conn:
        result = {
            table: conn.execute(text(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') "
                f"FROM {table} t")).scalar_one()
            for table in DATA_TABLES
        }
    engine.dispose()
    return result


def runs(url) -> list[tuple]:
    engine = database.create_engine(url)
    with database.connect(engine) as conn:
        rows = conn.execute(text("SELECT status, rejected, message FROM import_runs ORDER BY id")).all()
    engine.dispose()
    return rows


def feature_collection(*features, crs_name: str | None = None) -> str:
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features
    ]}
    if crs_name:
        collection["crs"] = {"type": "name", "properties": {"name": crs_name}}
    return json.dumps(collection, ensure_ascii=False)


def square(lon: float, lat: float, size: float = 0.0005) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def refused(loaded, path, *needles, importer=import_parcels, **options):
    before = snapshot(loaded)
    with pytest.raises(ImportFailed) as caught:
        importer(loaded, settings_for(loaded), path, **options)
    message = str(caught.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message
    assert snapshot(loaded) == before
    assert runs(loaded)[-1][0] == "failed"  # recorded, failed or not
    return message
