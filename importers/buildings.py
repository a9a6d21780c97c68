"""Buildings: OpenStreetMap, GeoJSON / GeoPackage / Shapefile, CityJSON / CityJSONSeq, and
the register's own.

A building's height is measured when the source gives one; else estimated from
its levels (``levels × storey height``); else a default — and ``height_source``
says which. Each building is linked to the parcel it mostly stands on.

Buildings are matched by a natural key: the OSM id for OpenStreetMap, else the
city register id (``register_id``) or the building's own cadastral number,
whichever the file has; a CityJSON object's id is its ``register_id``.

A modelled building (CityJSON) keeps its real surfaces (``model``, heights as in the file)
and stands where its model does: its ground is the model's lowest point, its height the
model's extent (``height_source`` ``model``), see ``importers.sources.cityjson``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
from psycopg import sql
from sqlalchemy.engine import URL

from citymodel import crs, terrain
from citymodel.settings import Settings
from importers import links
from importers.core import Context, Counts, FileRejected, Summary, run_import
from importers.fields import Field, FieldValueError, integer, number, text
from importers.geometry import PolygonCleaner
from importers.loading import (
    Batch,
    Duplicates,
    cadastral_numbers,
    from_vector,
    keep_good_rows,
    parse_fields,
    placed_geometries,
    storage_geometries,
)
from importers.sources import citygml, cityjson, osm
from importers.sources.vector import VectorSource
from importers.staging import Column, Stage


@dataclass(frozen=True)
class HeightRules:
    storey_m: float = 3.0  # height of one level, for estimates from levels
    default_m: float = 9.0  # height of a building with neither height nor levels


def _bounded(low: int, high: int, what: str):
    def parse(value):
        result = integer(value)
        if result is not None and not low <= result <= high:
            raise FieldValueError(f"{what} {result} is outside {low}…{high}")
        return result
    return parse


def _metres(value):
    result = number(value)
    if result is not None and not 0 <= result <= 1000:
        raise FieldValueError(f"{value!r} is not a height in metres (0…1000)")
    return result


FIELDS = (
    Field("register_id"),
    Field("cadastral_number"),
    Field("osm_type"),
    Field("osm_id", integer),
    Field("kind"),
    Field("height", _metres),
    Field("levels", number),
    Field("min_height", _metres),
    Field("min_level", number),
    Field("ground_elevation", number),
    Field("use"),
    Field("year_built", _bounded(800, 2100, "year")),
    Field("address", text),
)
VECTOR_FIELDS = [f.name for f in FIELDS if f.name not in ("osm_type", "osm_id")]

STAGE = (
    Column("kind", "text"), Column("osm_type", "text"), Column("osm_id", "bigint"),
    Column("register_id", "text"), Column("cadastral_number", "text"),
    Column("cadastral_key", "text"), Column("footprint", "geometry", geometry=True),
    Column("lines", "geometry", geometry=True), Column("points", "geometry", geometry=True),
    Column("height", "float8"), Column("height_source", "text"), Column("floors", "smallint"),
    Column("min_height", "float8"), Column("ground_elevation", "float8"),
    Column("ground_source", "text"), Column("use", "text"),
    Column("year_built", "smallint"), Column("address", "text"), Column("source", "text"),
    Column("model", "geometry", geometry=True), Column("model_surfaces", "text[]"),
    Column("model_semantics", "text"), Column("model_lod", "text"), Column("part_of", "text"),
    Column("attributes", "jsonb"),
)
KEYS = {
    "osm": ("osm_type", "osm_id"),
    "register_id": ("register_id",),
    "cadastral_number": ("cadastral_key",),
}


class BuildingLoader:
    """Validates building batches and stages them; ``finish`` merges and links them."""

    def __init__(self, ctx: Context, storage: crs.ResolvedCrs, *, key: str, source: str,
                 state_dir: Path, rules: HeightRules = HeightRules()) -> None:
        self.ctx = ctx
        self.state_dir = state_dir  # where the terrain is
        self.storage = storage
        self.key = key
        self.source = source
        self.rules = rules
        self.stage = Stage(ctx.conn, "stage_buildings", STAGE)
        self.duplicates = Duplicates()
        self.cleaners: dict[str, PolygonCleaner] = {}
        self.counts = {"modelled": 0, "repaired": 0, "without_footprint": 0, "with_lines": 0, "with_points": 0,
                       "height_measured": 0,
                       "height_from_levels": 0, "height_default": 0}

    def load(self, batch: Batch, source_crs: crs.ResolvedCrs | None) -> None:
        f = parse_fields(batch, FIELDS)
        numbers, keys = cadastral_numbers(batch, f["cadastral_number"], required=False)
        key_values = {
            "osm": list(zip(f["osm_type"], f["osm_id"], strict=True)),
            "register_id": f["register_id"],
            "cadastral_number": keys,
        }[self.key]
        for i, value in enumerate(key_values):
            if value is None or (isinstance(value, tuple) and None in value):
                batch.problem(i, self.key, "a value is required: it identifies the building")
        self.duplicates.check(batch, key_values, self.key)
        footprints, repaired = storage_geometries(batch, source_crs, self.storage, self.cleaners,
                                                  "footprint", numbers)
        lines = placed_geometries(batch, batch.extra_geometries.get("lines"), source_crs,
                                  self.storage, self.cleaners, "lines", numbers)
        points = placed_geometries(batch, batch.extra_geometries.get("points"), source_crs,
                                   self.storage, self.cleaners, "points", numbers)
        models = placed_geometries(batch, batch.extra_geometries.get("model"), source_crs,
                                   self.storage, self.cleaners, "geometry", numbers)
        self.counts["repaired"] += repaired
        height, height_source, floors, min_height = self._heights(batch, f)
        model = {name: batch.columns.get(name) or [None] * batch.size
                 for name in ("model_surfaces", "model_semantics", "model_lod", "part_of")}
        modelled = [m is not None for m in model["model_lod"]]
        for i, from_model in enumerate(batch.columns.get("height_from_model") or ()):
            if from_model:  # the extent of its model, or of its parts' models
                height_source[i] = "model"
        attributes = _json_column(batch)
        keep = keep_good_rows(batch, self.ctx.rejects)
        kept = np.flatnonzero(keep)
        self.counts["without_footprint"] += sum(footprints[i] is None for i in kept)
        self.counts["with_lines"] += sum(lines[i] is not None for i in kept)
        self.counts["with_points"] += sum(points[i] is not None for i in kept)
        self.counts["modelled"] += sum(modelled[i] for i in kept)
        for name, label in (("height_measured", "measured"), ("height_from_levels", "levels"),
                            ("height_default", "default")):
            self.counts[name] += sum(height_source[i] == label for i in kept)
        kinds = [k or "building" for k in f["kind"]]
        self.stage.write(
            keep, kind=kinds, osm_type=f["osm_type"], osm_id=f["osm_id"],
            register_id=f["register_id"], cadastral_number=numbers, cadastral_key=keys,
            footprint=footprints, lines=lines, points=points, height=height,
            height_source=height_source, floors=floors, min_height=min_height,
            ground_elevation=f["ground_elevation"],
            ground_source=["source" if g is not None else None for g in f["ground_elevation"]],
            use=f["use"], year_built=f["year_built"],
            address=f["address"], source=self.source, model=models,
            model_surfaces=model["model_surfaces"], model_semantics=model["model_semantics"],
            model_lod=model["model_lod"], part_of=model["part_of"], attributes=attributes,
        )
        self.ctx.progress.advance(batch.size)

    def _heights(self, batch: Batch, f: dict[str, list]):
        storey, default = self.rules.storey_m, self.rules.default_m
        heights, sources, floors, mins = [], [], [], []
        for i in range(batch.size):
            measured, levels = f["height"][i], f["levels"][i]
            if measured is not None and measured > 0:
                heights.append(measured)
                sources.append("measured")
            elif levels is not None and levels > 0:
                heights.append(levels * storey)
                sources.append("levels")
            else:
                heights.append(default)
                sources.append("default")
            floors.append(round(levels) if levels is not None and 0 < levels < 300 else None)
            low = f["min_height"][i]
            if low is None and f["min_level"][i] is not None:
                low = f["min_level"][i] * storey
            mins.append(low or 0.0)
            if mins[-1] >= heights[-1]:
                if sources[-1] == "measured":
                    batch.problem(i, "min_height", f"the base ({mins[-1]:g} m) is not below "
                                                   f"the measured top ({heights[-1]:g} m)")
                else:  # an estimate of a part raised off the ground: stack it on its base
                    heights[-1] += mins[-1]
        return heights, sources, floors, mins

    def finish(self) -> Counts:
        self.ctx.progress.phase("standing on the terrain")
        terrain.stand_on_terrain(self.ctx.conn, self.state_dir, self.stage.name, key="ctid",
                                 owners=(self.stage.name, "buildings"))
        self.ctx.progress.phase("merging")
        counts = self.stage.upsert(
            "buildings", KEYS[self.key], extra={"import_run_id": sql.Literal(self.ctx.run_id)}
        )
        links.buildings_to_parcels(self.ctx.conn, changed_buildings_of_run=self.ctx.run_id)
        links.lots_to_objects(self.ctx.conn)
        links.procurement_numbers_to_objects(self.ctx.conn)
        counts.extra.update(self.counts)
        return counts


def _json_column(batch: Batch) -> list:
    """The source's own attributes as JSON text for the stage (PostgreSQL's jsonb takes no
    NUL character: such a row is refused, naming the field)."""
    values = batch.columns.get("attributes")
    if values is None:
        return [None] * batch.size
    out = []
    for i, value in enumerate(values):
        text_ = orjson.dumps(value).decode() if value is not None else None
        if text_ is not None and "\\u0000" in text_:
            batch.problem(i, "attributes", "a text holds a NUL character (\\u0000)")
            text_ = None
        out.append(text_)
    return out


def import_buildings(
    url: URL, settings: Settings, path: Path, *, crs_name: str | None = None,
    layer: str | None = None, mapping: Mapping[str, str] | None = None,
    rules: HeightRules = HeightRules(), max_rejects: int = 0, dry_run: bool = False,
) -> Summary:
    """Import building footprints from OpenStreetMap or a vector file."""
    storage = crs.resolve(settings.storage_crs, settings.crs_overrides)
    options = {"crs": crs_name, "layer": layer, "map": dict(mapping or {}),
               "storey_height": rules.storey_m, "default_height": rules.default_m}

    def work(ctx: Context) -> Counts:
        if osm.is_osm(path):
            ctx.describe("OpenStreetMap", "EPSG:4326")
            wgs84 = crs.resolve("EPSG:4326")
            loader = BuildingLoader(ctx, storage, key="osm", source="osm", rules=rules,
                                    state_dir=settings.resolved_state_dir)
            for batch in osm.read(path):
                loader.load(batch, wgs84)
            return loader.finish()
        reader = (cityjson.CityJsonSource if cityjson.is_cityjson(path)
                  else citygml.CityGmlSource if citygml.is_citygml(path) else None)
        if reader is not None:
            model_source = reader(path, crs_override=crs_name, overrides=settings.crs_overrides)
            ctx.describe(model_source.format, model_source.crs.name, model_source.total)
            loader = BuildingLoader(ctx, storage, key="register_id", rules=rules,
                                    source="cityjson" if reader is cityjson.CityJsonSource else "citygml",
                                    state_dir=settings.resolved_state_dir)
            for batch in model_source.batches():
                loader.load(batch, model_source.crs)
            counts = loader.finish()
            counts.extra.update({f"other_{t}_skipped": n for t, n in model_source.skipped.items()})
            return counts
        source = VectorSource(path, layer=layer, crs_override=crs_name, mapping=mapping or {},
                              fields=VECTOR_FIELDS, overrides=settings.crs_overrides)
        key = next((k for k in ("register_id", "cadastral_number") if k in source.columns), None)
        if key is None:
            raise FileRejected(
                f"{path}: no column identifies the buildings: map one with "
                "--map register_id=COLUMN or --map cadastral_number=COLUMN"
            )
        ctx.describe(source.format, source.crs.name, source.total)
        loader = BuildingLoader(ctx, storage, key=key, source=source.format, rules=rules,
                                state_dir=settings.resolved_state_dir)
        for vb in source.batches():
            loader.load(from_vector(vb, "footprint"), source.crs)
        return loader.finish()

    return run_import(url, kind="buildings", source=path, options=options, work=work,
                      max_rejects=max_rejects, dry_run=dry_run)
