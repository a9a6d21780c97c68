"""Streets: the walkable ways of OpenStreetMap, for walking distances along the network
(rule 9 of the scenario checks). Matched by OSM way id."""

from __future__ import annotations

from pathlib import Path

from psycopg import sql
from sqlalchemy.engine import URL

from citymodel import crs
from citymodel.settings import Settings
from importers.core import Context, Counts, FileRejected, Summary, run_import
from importers.fields import Field, integer, text
from importers.geometry import PolygonCleaner
from importers.loading import Duplicates, keep_good_rows, parse_fields, placed_geometries
from importers.sources import osm
from importers.staging import Column, Stage

FIELDS = (Field("osm_id", integer, required=True), Field("highway", text, required=True),
          Field("name", text))
STAGE = (Column("osm_id", "bigint"), Column("highway", "text"), Column("name", "text"),
         Column("geom", "geometry"), Column("source", "text"))


def import_streets(url: URL, settings: Settings, path: Path, *, max_rejects: int = 0,
                   dry_run: bool = False) -> Summary:
    """Import the walkable ways of an OpenStreetMap file."""
    storage = crs.resolve(settings.storage_crs, settings.crs_overrides)

    def work(ctx: Context) -> Counts:
        if not osm.is_osm(path):
            raise FileRejected(f"{path}: streets come from OpenStreetMap (.osm.pbf, .osm)")
        ctx.describe("OpenStreetMap", "EPSG:4326")
        wgs84 = crs.resolve("EPSG:4326")
        stage = Stage(ctx.conn, "stage_streets", STAGE)
        duplicates, cleaners = Duplicates(), dict[str, PolygonCleaner]()
        for batch in osm.read_streets(path):
            f = parse_fields(batch, FIELDS)
            duplicates.check(batch, f["osm_id"], "osm_id")
            lines = placed_geometries(batch, batch.geometries, wgs84, storage, cleaners, "geometry")
            keep = keep_good_rows(batch, ctx.rejects)
            stage.write(keep, osm_id=f["osm_id"], highway=f["highway"], name=f["name"], geom=lines,
                        source="osm")
            ctx.progress.advance(batch.size)
        ctx.progress.phase("merging")
        return stage.upsert("streets", ["osm_id"], extra={"import_run_id": sql.Literal(ctx.run_id)})

    return run_import(url, kind="streets", source=path, options={}, work=work,
                      max_rejects=max_rejects, dry_run=dry_run)
