"""From read batches to staged rows: the checks every loader shares.

A reader hands over a :class:`Batch` — where each row is, its field columns and
geometries in the source CRS. A loader parses the fields column by column,
checks keys and geometries, collects every problem of a row, records one reject
per bad row (with all its reasons) and stages the good rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from citymodel.cadastral import CadastralNumber, lookup_key
from citymodel.crs import ResolvedCrs
from citymodel.errors import InvalidCadastralNumber
from citymodel.regions import region_code
from importers.core import RejectLog
from importers.fields import Field, parse_column
from importers.geometry import PolygonCleaner, decode_wkb, to_hex_ewkb

Problems = dict[int, list[tuple[str | None, str]]]  # row index → [(field, reason)]


@dataclass
class Batch:
    """Rows as read: ``locator(i)`` says where row i is in the source."""

    size: int
    locator: Callable[[int], str]
    columns: Mapping[str, object]  # field name → pyarrow array or list
    geometries: np.ndarray | None = None  # shapely geometries in the source CRS, or None
    problems: Problems = field(default_factory=dict)
    extra_geometries: dict[str, np.ndarray] = field(default_factory=dict)  # lines, points

    def problem(self, i: int, field_name: str | None, reason: str) -> None:
        self.problems.setdefault(i, []).append((field_name, reason))


def from_vector(vb, geometry_field: str = "geometry") -> Batch:
    """A batch of a vector file (``sources.vector.VectorBatch``), its geometries decoded."""
    geometries, failures = decode_wkb(vb.wkb)
    batch = Batch(size=len(vb), locator=vb.locator, columns=vb.columns, geometries=geometries)
    for i, reason in failures:
        batch.problem(i, geometry_field, reason)
    return batch


def parse_fields(batch: Batch, specs: Sequence[Field]) -> dict[str, list]:
    parsed = {}
    for spec in specs:
        values, errors = parse_column(spec, batch.columns.get(spec.name), batch.size)
        parsed[spec.name] = values
        for i, reason in errors:
            batch.problem(i, spec.name, reason)
    return parsed


def cadastral_numbers(batch: Batch, raw: list, field_name: str = "cadastral_number",
                      *, required: bool = True, reference: bool = False) -> tuple[list, list]:
    """Canonical numbers and lookup keys; malformed ones become problems.

    A ``reference`` to an object already registered may also be zero-stripped
    (``77:1:1001:1234``), as people type it; an object's own number may not.
    """
    canonical, keys = [None] * batch.size, [None] * batch.size
    for i, value in enumerate(raw):
        if value is None:
            if required and not any(f == field_name for f, _ in batch.problems.get(i, [])):
                batch.problem(i, field_name, "a value is required")
            continue
        try:
            if reference:
                canonical[i], keys[i] = value, lookup_key(value)
            else:
                number = CadastralNumber.parse(value)
                canonical[i], keys[i] = str(number), number.key
        except InvalidCadastralNumber as exc:
            batch.problem(i, field_name, f"{exc.reason} (got {value!r})")
    return canonical, keys


class Duplicates:
    """Natural keys seen so far in the file, to refuse a key's second row."""

    def __init__(self) -> None:
        self.seen: dict[object, str] = {}

    def check(self, batch: Batch, keys: Sequence, field_name: str) -> None:
        for i, key in enumerate(keys):
            if key is None or i in batch.problems:
                continue
            where = batch.locator(i)
            first = self.seen.setdefault(key, where)
            if first != where:
                batch.problem(i, field_name, f"duplicate key {_show(key)} within the file: "
                                             f"first at {first}")


def storage_geometries(batch: Batch, source: ResolvedCrs | None, storage: ResolvedCrs,
                       cleaners: dict[str, PolygonCleaner], field_name: str,
                       numbers: Sequence | None = None) -> tuple[list, int]:
    """Checked, repaired, reprojected geometries as hex EWKB, and how many were repaired.

    ``cleaners`` caches one cleaner (and its pyproj transformers) per source CRS.
    ``numbers`` (cadastral or registry numbers) hold each geometry to its region.
    """
    if batch.geometries is None or source is None:
        return [None] * batch.size, 0
    cleaned = _cleaner(cleaners, source, storage).clean(batch.geometries, _regions(numbers))
    for i, reason in cleaned.rejects:
        batch.problem(i, field_name, reason)
    return list(to_hex_ewkb(cleaned.geometries, storage.srid)), cleaned.repaired


def placed_geometries(batch: Batch, geoms: np.ndarray | None, source: ResolvedCrs | None,
                      storage: ResolvedCrs, cleaners: dict[str, PolygonCleaner], field_name: str,
                      numbers: Sequence | None = None) -> list:
    """Lines or points: position-checked and reprojected, as hex EWKB."""
    if geoms is None or source is None or shapely.is_missing(geoms).all():
        return [None] * batch.size
    placed = _cleaner(cleaners, source, storage).place(geoms, _regions(numbers))
    for i, reason in placed.rejects:
        batch.problem(i, field_name, reason)
    return list(to_hex_ewkb(placed.geometries, storage.srid))


def _cleaner(cleaners: dict[str, PolygonCleaner], source: ResolvedCrs,
             storage: ResolvedCrs) -> PolygonCleaner:
    if source.name not in cleaners:
        cleaners[source.name] = PolygonCleaner(source, storage)
    return cleaners[source.name]


def _regions(numbers: Sequence | None) -> list | None:
    if numbers is None:
        return None
    codes = [region_code(n) for n in numbers]
    return codes if any(codes) else None


def keep_good_rows(batch: Batch, rejects: RejectLog) -> np.ndarray:
    """Record the batch's bad rows as rejects; returns the mask of the good ones."""
    keep = np.ones(batch.size, dtype=bool)
    for i in sorted(batch.problems):
        keep[i] = False
        rejects.add_row(batch.locator(i), batch.problems[i])
    return keep


def _show(key: object) -> str:
    return "/".join(map(str, key)) if isinstance(key, tuple) else str(key)
