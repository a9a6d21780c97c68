"""Staging tables and upserts: COPY rows in, then one statement merges them.

Rows are COPYed into a temporary table (dropped at commit) as they are read, so
memory holds one batch at a time; :meth:`Stage.upsert` then merges the whole
table into its target by natural key, inserting new rows, updating changed ones
and leaving identical ones untouched — which is how a second import of the same
file reports "unchanged".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import psycopg
from psycopg import sql

from importers.core import Counts


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # SQL type in the staging table
    geometry: bool = False  # promoted to Multi* on the way in


class Stage:
    """A temporary table shaped like the rows an importer produces."""

    def __init__(self, conn: psycopg.Connection, name: str, columns: Sequence[Column]) -> None:
        self.conn = conn
        self.name = name
        self.columns = tuple(columns)
        self.rows = 0
        conn.execute(
            sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
                sql.Identifier(name),
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.type))
                    for c in self.columns
                ),
            )
        )

    def write(self, keep: np.ndarray | None = None, /, **values) -> None:
        """COPY the kept rows of a batch into the stage, each column given by its name: a
        sequence with one value per row (geometries as hex EWKB) or one value for every row.
        ``keep`` is the batch's mask of good rows (None: all)."""
        names = [c.name for c in self.columns]
        if set(values) != set(names):
            raise TypeError(f"stage {self.name}: missing {sorted(set(names) - set(values))}, "
                            f"unknown {sorted(set(values) - set(names))}")
        given = [values[name] for name in names]
        sizes = {len(v) for v in given if isinstance(v, list | tuple | np.ndarray)}
        if keep is not None:
            sizes.add(len(keep))
        if len(sizes) != 1:
            raise ValueError(f"stage {self.name}: columns of different lengths {sorted(sizes)}")
        size = sizes.pop()
        columns = [v if isinstance(v, list | tuple | np.ndarray) else [v] * size for v in given]
        if keep is None or keep.all():
            rows = zip(*columns, strict=True)
        else:
            rows = (tuple(column[i] for column in columns) for i in np.flatnonzero(keep))
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.name), sql.SQL(", ").join(map(sql.Identifier, names)))
        with self.conn.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                self.rows += 1

    def upsert(
        self,
        table: str,
        key: Sequence[str],
        *,
        extra: dict[str, sql.Composable] | None = None,
        where: sql.Composable | None = None,
        omit: Sequence[str] = (),
    ) -> Counts:
        """Merge the stage into ``table`` on the unique ``key``; returns what changed.

        ``extra`` adds target columns computed in SQL (e.g. the run id); ``where``
        filters the staged rows (e.g. only those with a geometry); ``omit`` names staged
        columns that only help compute others (lookup keys, locators). Both may refer to
        the staged row as ``s``.
        """
        extra = dict(extra or {})
        staged = [c for c in self.columns if c.name not in omit]
        names = [c.name for c in staged] + list(extra)
        values = [
            sql.SQL("ST_Multi(s.{})").format(sql.Identifier(c.name)) if c.geometry
            else sql.SQL("s.{}").format(sql.Identifier(c.name))
            for c in staged
        ] + list(extra.values())
        compared = [n for n in names if n not in key and n != "import_run_id"]
        statement = sql.SQL(
            "WITH changed AS ("
            " INSERT INTO {table} AS t ({names}) SELECT {values} FROM {stage} AS s {where}"
            " ON CONFLICT ({key}) DO UPDATE SET {assignments}, updated_at = now()"
            " WHERE ({old}) IS DISTINCT FROM ({new})"
            " RETURNING (xmax = 0) AS inserted"
            ") SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
            " FROM changed"
        ).format(
            table=sql.Identifier(table),
            names=sql.SQL(", ").join(map(sql.Identifier, names)),
            values=sql.SQL(", ").join(values),
            stage=sql.Identifier(self.name),
            where=sql.SQL("WHERE {}").format(where) if where is not None else sql.SQL(""),
            key=sql.SQL(", ").join(map(sql.Identifier, key)),
            assignments=sql.SQL(", ").join(
                sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n))
                for n in names if n not in key
            ),
            old=sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(n)) for n in compared),
            new=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(sql.Identifier(n)) for n in compared),
        )
        loaded, updated = self.conn.execute(statement).fetchone()
        staged = self.conn.execute(
            sql.SQL("SELECT count(*) FROM {} AS s {}").format(
                sql.Identifier(self.name),
                sql.SQL("WHERE {}").format(where) if where is not None else sql.SQL(""),
            )
        ).fetchone()[0]
        return Counts(loaded=loaded, updated=updated, unchanged=staged - loaded - updated)
