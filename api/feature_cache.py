"""Features' GeoJSON, written by PostgreSQL once per data version and kept in each server process.

Most of what a page of features costs the database is writing each feature's GeoJSON —
its geometry and a dozen properties: of a bbox page of 100 parcels, about half. Maps and
GIS clients ask for overlapping pages as they pan and zoom, and many users look at the
same district, so the GeoJSON of a feature is kept once written, filed under the
collection, CRS and properties it was written for and the data versions of the tables it
is made from (``Collection.versions``; ``data_versions`` is bumped by triggers in the
transaction of any change).

A page is then read as the ids of its features, with the data versions in the same
statement (the same snapshot); only features not kept at those versions are written by
PostgreSQL, in a second statement that reads the versions again. When they differ, the
data changed in between, and the page is read whole in one statement as without the
cache. So a feature is never served as it was before a change that page's snapshot sees.

Memory is bounded: past the budget (the ``feature_cache_mib`` setting, 64 MiB a server
process by default; 0 keeps nothing), everything kept is dropped and kept anew (the
GeoJSON of a district of 100,000 parcels takes about 60 MB).
"""

from __future__ import annotations

from api.db import Database
from api.features import FeatureQuery, Page


class FeatureCache:
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.shapes: dict[tuple, tuple[tuple, dict[int, bytes]]] = {}

    def kept(self, shape: tuple, versions: tuple) -> dict[int, bytes]:
        """The GeoJSON kept for this shape at these versions, by feature id (kept at other
        versions: dropped)."""
        entry = self.shapes.get(shape)
        if entry is None or entry[0] != versions:
            if entry is not None:
                self.used -= sum(map(len, entry[1].values()))
            entry = self.shapes[shape] = (versions, {})
        return entry[1]

    def put(self, shape: tuple, versions: tuple, found: dict[int, bytes]) -> None:
        entry = self.shapes.get(shape)
        if entry is None or entry[0] != versions:  # newer versions arrived meanwhile
            return
        size = sum(map(len, found.values()))
        if self.used + size > self.budget:
            for _, features in self.shapes.values():
                features.clear()
            self.used = 0
        entry[1].update(found)
        self.used += size

    def clear(self) -> None:
        self.shapes.clear()
        self.used = 0


async def read_page(db: Database, cache: FeatureCache, query: FeatureQuery, limit: int, *,
                    cap: int | None = None, offset: int = 0) -> Page | None:
    """A page of the query (``FeatureQuery.page``), its features' GeoJSON from the cache
    where kept. With ``cap``, the first page counted in the same statement
    (``capped_page``), or None when more than ``cap`` features match or the collection
    cannot count that way."""
    def statement(ids: bool) -> tuple[str, list] | None:
        if cap is not None:
            return query.capped_page(limit, cap, ids=ids)
        return query.page(limit, offset, ids=ids)

    def counted(page: Page) -> Page | None:
        return None if cap is not None and page.matched > cap else page

    if cache.budget and query.shape is not None:
        ids_statement = statement(True)
        if ids_statement is None:
            return None
        row = await db.one(*ids_statement)
        page = Page.read(row[:-1], limit, cap is not None)
        if counted(page) is None:
            return None
        features = await _features(db, cache, query, row[0], tuple(row[-1] or ()))
        if features is not None:
            page.features_json = features
            return page
    whole = statement(False)  # not kept, or the data changed between the two statements
    if whole is None:
        return None
    return counted(Page.read(await db.one(*whole), limit, cap is not None))


async def _features(db: Database, cache: FeatureCache, query: FeatureQuery, ids: list[int],
                    versions: tuple) -> bytes | None:
    """The GeoJSON of these features joined by commas, in their order; None when the data
    changed since ``versions`` were read."""
    kept = cache.kept(query.shape, versions)
    parts = [kept.get(i) for i in ids]
    missing = [i for i, part in zip(ids, parts, strict=True) if part is None]
    if missing:
        rows = await db.all(*query.by_id(missing))
        if len(rows) != len(missing) or tuple(rows[0][2] or ()) != versions:
            return None
        found = {feature_id: text.encode() for feature_id, text, _ in rows}
        parts = [part if part is not None else found[i] for i, part in zip(ids, parts, strict=True)]
        cache.put(query.shape, versions, found)
    return b",".join(parts)
