"""City open-data rows (the layout of data.mos.ru) and plain service tables.

data.mos.ru hands a dataset out as JSON rows (``[{"global_id": …, "Cells": {…}}]`` from
the API, or the cells flat), as GeoJSON (``/features``: the cells in ``properties``, or in
``properties.Attributes``) and as CSV (semicolons). One dataset is one kind of
institution — schools, libraries, museums — so the kind comes from a ``kind`` column
or from ``--kind``. Read here:

- the id: ``global_id`` (→ ``mos:<global_id>``), or ``external_id``;
- the name: ``Name``, ``FullName``, ``ShortName``, ``CommonName`` or ``name``;
- the address: ``Address``, or the first of ``ObjectAddress`` / ``InstitutionsAddresses``;
- the position: ``geoData`` / ``geodata_center`` (GeoJSON, or the ``{coordinates=[…],
  type=Point}`` text of the CSV exports; any geometry is placed at its centroid),
  ``Longitude_WGS84`` / ``Latitude_WGS84``, or a GeoJSON feature's geometry —
  longitude first, WGS 84;
- the capacity: ``capacity`` or one of :data:`CAPACITY_COLUMNS`;
- the opening hours: ``opening_hours``, or ``WorkingHours`` (``[{DayWeek, WorkHours}]``).

Nothing else is read: the heads of institutions (``OrgInfo/ChiefName``) are personal
data and never leave the file.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from citymodel import geojson
from importers.core import FileRejected
from importers.loading import Batch
from importers.sources.tables import load_json

BATCH_SIZE = 10_000
NAME_COLUMNS = ("name", "Name", "FullName", "ShortName", "CommonName")
CAPACITY_COLUMNS = ("capacity", "Capacity", "NumberOfPlaces", "PlacesNumber", "NumOfSeats",
                    "SeatsCount", "Seats", "PlannedCapacity")
ADDRESS_LISTS = ("ObjectAddress", "InstitutionsAddresses")
_TYPE = re.compile(r"type\s*=\s*\w+")
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def read(path: Path, batch_size: int = BATCH_SIZE) -> Iterator[Batch]:
    """Batches with the columns the services loader reads (kind may be missing)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path)
    elif suffix in (".json", ".geojson"):
        records = _json_records(path)
    else:
        raise FileRejected(f"{path}: expected OpenStreetMap (.osm.pbf, .osm), GeoJSON, JSON or "
                           "CSV in the layout of the city's open-data portal")
    records = (_service(where, record) for where, record in records)
    while chunk := list(islice(records, batch_size)):
        locators = [c["locator"] for c in chunk]
        batch = Batch(
            size=len(chunk), locator=locators.__getitem__,
            columns={name: [c[name] for c in chunk] for name in
                     ("external_id", "kind", "name", "address", "capacity", "opening_hours")},
            geometries=np.array([c["point"] for c in chunk], dtype=object),
        )
        for i, c in enumerate(chunk):
            for field, reason in c["problems"]:
                batch.problem(i, field, reason)
        yield batch


def _json_records(path: Path) -> Iterator[tuple[str, dict]]:
    data = load_json(path)
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        for n, feature in enumerate(data.get("features") or [], start=1):
            if not isinstance(feature, dict):
                raise FileRejected(f"{path}: feature {n} is not a JSON object")
            props = feature.get("properties") or {}
            if isinstance(props.get("Attributes"), dict):
                props = {**props, **props["Attributes"]}
            yield f"feature {n}", {**props, "_geometry": feature.get("geometry")}
        return
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise FileRejected(f"{path}: expected a JSON list of rows or a GeoJSON FeatureCollection")
    for n, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise FileRejected(f"{path}: row {n} is not a JSON object")
        if isinstance(row.get("Cells"), dict):  # the API's rows
            row = {**row["Cells"], "global_id": row.get("global_id", row["Cells"].get("global_id"))}
        yield f"row {n}", row


def _csv_records(path: Path) -> Iterator[tuple[str, dict]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
        header = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRejected(f"{path}: cannot be read as UTF-8 CSV: {exc}") from None
    if not header.strip():
        raise FileRejected(f"{path}: the file is empty")
    handle.seek(0)
    reader = csv.DictReader(handle, delimiter=";" if header.count(";") > header.count(",") else ",")
    with handle:
        try:
            for record in reader:
                if None in record:
                    raise FileRejected(f"{path}: line {reader.line_num} has more cells than the "
                                       "header has columns")
                yield f"line {reader.line_num}", {k.strip(): v for k, v in record.items() if k}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileRejected(f"{path}: line {reader.line_num}: {exc}") from None


def _service(where: str, row: dict) -> dict:
    problems: list[tuple[str, str]] = []
    identifier = _text(row.get("external_id"))
    if identifier is None and _text(row.get("global_id")) is not None:
        identifier = f"mos:{_text(row.get('global_id'))}"
    if identifier is None:
        problems.append(("global_id", "a value is required: it identifies the service"))
    point = None
    try:
        point = _position(row)
    except ValueError as exc:
        problems.append(("geoData", str(exc)))
    if point is None and not any(f == "geoData" for f, _ in problems):
        problems.append(("geoData", "no position: expected geoData, geodata_center, "
                                    "Longitude_WGS84/Latitude_WGS84 or a feature geometry"))
    return {
        "locator": where + (f" ({identifier})" if identifier else ""),
        "external_id": identifier,
        "kind": _text(row.get("kind")),
        "name": next((_text(row[c]) for c in NAME_COLUMNS if _text(row.get(c))), None),
        "address": _address(row),
        "capacity": next((row[c] for c in CAPACITY_COLUMNS if _text(row.get(c)) is not None), None),
        "opening_hours": _hours(row),
        "point": point,
        "problems": problems,
    }


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    result = " ".join(str(value).split())
    return result or None


def _address(row: dict) -> str | None:
    if _text(row.get("Address")) or _text(row.get("address")):
        return _text(row.get("Address")) or _text(row.get("address"))
    for column in ADDRESS_LISTS:
        value = row.get(column)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return _text(value)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return _text(value[0].get("Address"))
    return None


def _hours(row: dict) -> str | None:
    if _text(row.get("opening_hours")):
        return _text(row.get("opening_hours"))
    value = row.get("WorkingHours")
    if isinstance(value, list):
        parts = [f"{_text(h.get('DayWeek')) or ''} {_text(h.get('WorkHours')) or ''}".strip()
                 for h in value if isinstance(h, dict)]
        return "; ".join(p for p in parts if p) or None
    return _text(value)


def _position(row: dict) -> shapely.Geometry | None:
    """The row's point (lon/lat), from the first of its position columns that has one."""
    for column in ("geodata_center", "geoData", "_geometry"):
        value = row.get(column)
        if value in (None, ""):
            continue
        geometry = _geometry(value, column)
        if geometry is not None:
            return geometry if geometry.geom_type == "Point" else shapely.centroid(geometry)
    lon, lat = row.get("Longitude_WGS84"), row.get("Latitude_WGS84")
    if _text(lon) is not None and _text(lat) is not None:
        try:
            return shapely.Point(float(str(lon).replace(",", ".")), float(str(lat).replace(",", ".")))
        except ValueError:
            raise ValueError(f"Longitude_WGS84/Latitude_WGS84 {lon!r}, {lat!r} are not numbers") from None
    return None


def _geometry(value, column: str) -> shapely.Geometry | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:  # the CSV exports: {coordinates=[37.6, 55.7], type=Point}
            numbers = [float(n) for n in _NUMBERS.findall(_TYPE.sub("", value))]
            if len(numbers) < 2 or len(numbers) % 2:
                raise ValueError(f"{column} {value[:60]!r} holds no coordinates") from None
            return shapely.centroid(shapely.MultiPoint(np.array(numbers).reshape(-1, 2)))
    try:
        geometry = geojson.shape(value)
    except geojson.InvalidGeoJSON as exc:
        raise ValueError(f"{column} is {exc}") from None
    return None if geometry.is_empty else geometry
