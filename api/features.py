"""Feature queries: OGC API – Features parameters → one parameterized SQL statement.

Every piece of SQL here comes from a collection's definitions (trusted, in
``api.collections``); every value from a request is a query parameter. Pages follow
keyset cursors (the sort keys and id of a page's last feature, in an opaque token), so
the hundredth page costs what the first does; ``offset`` is still accepted.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from api.collections import Collection, Property
from api.crs import Crs
from api.errors import BadRequest

PG_TYPES = {"string": "text", "integer": "bigint", "number": "float8", "boolean": "boolean",
            "date": "date", "date-time": "timestamptz"}
_SORT_KEY = re.compile(r"^([+-]?)([A-Za-z_][A-Za-z0-9_]*)$")


def pg_type(p: Property) -> str:
    return PG_TYPES[p.format or p.type]


@dataclass
class Where:
    """Conditions joined by AND, with their parameters in order."""

    sql: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, sql: str, *params) -> None:
        self.sql.append(sql)
        self.params.extend(params)

    def render(self) -> str:
        return " AND ".join(f"({s})" for s in self.sql) if self.sql else "true"


@dataclass(frozen=True)
class SortKey:
    property: Property | None  # None: the feature id
    descending: bool = False
    nulls_last: bool = False  # descending with NULLs last (not for cursors: see `after`)

    def sql(self, collection: Collection) -> str:
        return self.property.sql if self.property else collection.id_sql

    def order(self, collection: Collection, expression: str | None = None) -> str:
        # ascending puts NULLs last and descending first, as PostgreSQL does by default
        return (f"{expression or self.sql(collection)} {'DESC' if self.descending else 'ASC'}"
                + (" NULLS LAST" if self.nulls_last else ""))


MAX_SORT_KEYS = 10


def parse_sortby(collection: Collection, value: str | None) -> list[SortKey]:
    keys: list[SortKey] = []
    seen: set[str] = set()
    parts = [p for p in (value or "").split(",") if p.strip()]
    if len(parts) > MAX_SORT_KEYS:
        raise BadRequest(f"sortby: at most {MAX_SORT_KEYS} keys ({len(parts)} given)")
    for part in parts:
        part = part.strip()
        if not part:
            continue
        match = _SORT_KEY.match(part)
        if match is None:
            raise BadRequest(f"sortby: {part!r} is not [+|-]property")
        name = match[2]
        prop = None if name == "id" else collection.property(name)
        if name != "id" and (prop is None or prop.type == "array"):
            raise BadRequest(f"sortby: {collection.id} has no sortable property {name!r}")
        if name in seen:
            raise BadRequest(f"sortby: {name!r} is named twice")
        seen.add(name)
        keys.append(SortKey(prop, match[1] == "-"))
    if not any(k.property is None for k in keys):
        keys.append(SortKey(None))  # the id breaks ties: pages never overlap or skip
    return keys


def parse_properties(collection: Collection, value: str | None) -> tuple[Property, ...]:
    if value is None:
        return collection.properties
    chosen = []
    for name in (n.strip() for n in value.split(",")):
        if not name:
            continue
        prop = collection.property(name)
        if prop is None:
            raise BadRequest(f"properties: {collection.id} has no property {name!r}")
        if prop not in chosen:  # named twice: returned once
            chosen.append(prop)
    return tuple(chosen)


def parse_bbox(value: str | None, crs: Crs) -> tuple[float, float, float, float] | None:
    """The bbox as west, south, east, north in the axis order of ``crs`` put right."""
    if value is None:
        return None
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise BadRequest(f"bbox: {value!r} is not a comma-separated list of numbers") from None
    if len(numbers) == 6:  # minimum and maximum heights are ignored
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(abs(n) < 1e12 for n in numbers):
        raise BadRequest("bbox: expected 4 (or 6) finite numbers")
    if crs.lat_first:
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    west, south, east, north = numbers
    if west > east or south > north:
        raise BadRequest(f"bbox: the lower corner must come first ({value})")
    if crs.geographic and not (-180 <= west <= 180 and -180 <= east <= 180
                               and -90 <= south <= 90 and -90 <= north <= 90):
        raise BadRequest("bbox: longitudes must lie in [-180, 180] and latitudes in [-90, 90]")
    return west, south, east, north


def parse_datetime(value: str | None) -> tuple[datetime | date | None, datetime | date | None] | None:
    """An instant or an interval (``start/end``, either end open as ``..``)."""
    if value is None:
        return None
    parts = value.split("/")
    if len(parts) > 2:
        raise BadRequest(f"datetime: {value!r} is neither an instant nor an interval")

    def instant(text: str):
        if text in ("", ".."):
            return None
        try:
            if "T" in text or "t" in text:
                moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
            else:
                moment = date.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"datetime: {text!r} is not an RFC 3339 date or date-time") from None
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise BadRequest(f"datetime: {text!r} is outside the years {MIN_YEAR}–{MAX_YEAR}")
        return moment

    if len(parts) == 1:
        moment = instant(parts[0])
        if moment is None:
            raise BadRequest("datetime: an instant cannot be open")
        return moment, moment
    start, end = instant(parts[0]), instant(parts[1])
    if start is not None and end is not None and _as_datetime(start) > _as_datetime(end):
        raise BadRequest("datetime: the interval ends before it starts")
    return start, end


MIN_YEAR, MAX_YEAR = 2, 9998  # a day away from the ends of the calendar, whatever the zone


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.now().astimezone().tzinfo)
    return datetime(value.year, value.month, value.day).astimezone()


def encode_cursor(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, keys: list[SortKey]) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        raise BadRequest("cursor: not a cursor this server issued; follow the `next` link") from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise BadRequest("cursor: it belongs to another sort order; follow the `next` link")
    for key, value in zip(keys, values, strict=True):
        if not _fits(key, value):
            raise BadRequest("cursor: not a cursor this server issued; follow the `next` link")
    return values


def _fits(key: SortKey, value) -> bool:
    """Whether a cursor value can be a value of its sort key (as encode_cursor wrote it)."""
    if value is None:
        return key.property is not None
    kind = "integer" if key.property is None else (key.property.format or key.property.type)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("date", "date-time"):
        try:
            (date.fromisoformat if kind == "date" else datetime.fromisoformat)(value)
        except (TypeError, ValueError):
            return False
        return True
    return isinstance(value, str) and len(value) < 10_000 and not any(
        0xD800 <= ord(c) <= 0xDFFF or c == "\x00" for c in value)


def after(collection: Collection, keys: list[SortKey], values: list, where: Where) -> None:
    """Rows strictly after the cursor in the sort order (NULLs last ascending, first
    descending, as in ORDER BY): an OR over each key being the first that differs."""
    if any(k.nulls_last for k in keys):
        raise ValueError("cursors follow PostgreSQL's default place of NULLs")
    alternatives, params = [], []
    equal_sql, equal_params = [], []
    for key, value in zip(keys, values, strict=True):
        expr = key.sql(collection)
        cast = pg_type(key.property) if key.property else "bigint"
        if value is None:
            beyond = f"{expr} IS NOT NULL" if key.descending else "false"
            beyond_params = []
            same, same_params = f"{expr} IS NULL", []
        else:
            op = "<" if key.descending else ">"
            beyond = f"{expr} {op} %s::{cast}" + ("" if key.descending else f" OR {expr} IS NULL")
            beyond_params = [value]
            same, same_params = f"{expr} = %s::{cast}", [value]
        alternatives.append(" AND ".join([*equal_sql, f"({beyond})"]))
        params += equal_params + beyond_params
        equal_sql.append(f"({same})")
        equal_params = equal_params + same_params
    where.add(" OR ".join(f"({a})" for a in alternatives), *params)


def geometry_sql(collection: Collection, crs: Crs, storage_srid: int) -> str:
    geom = collection.geometry_sql
    if crs.srid != storage_srid:
        geom = f"ST_Transform({geom}, {int(crs.srid)})"
    if crs.lat_first:
        geom = f"ST_FlipCoordinates({geom})"
    return f"ST_AsGeoJSON({geom}, {crs.digits})"


def envelope_sql(crs: Crs, storage_srid: int) -> str:
    """The storage-CRS envelope of a bbox given (as 4 parameters) in ``crs``."""
    env = f"ST_MakeEnvelope(%s, %s, %s, %s, {int(crs.srid)})"
    if crs.srid != storage_srid:
        env = f"ST_Transform({env}, {int(storage_srid)})"
    return env


def properties_sql(props: tuple[Property, ...]) -> str:
    """A JSON object of the properties, as compact text: one row made into JSON (cheaper for
    PostgreSQL than json_build_object, which looks each argument's type up on every call)."""
    columns = ", ".join(f'{p.sql} AS "{p.name}"' for p in props)
    return f"(SELECT row_to_json(properties_) FROM (SELECT {columns}) properties_)::text"


@dataclass
class FeatureQuery:
    """One collection's features as SQL: the request's conditions and sort order, and a
    page of them, each feature's GeoJSON written by PostgreSQL (read with ``Page``)."""

    collection: Collection
    storage_srid: int
    crs: Crs  # of the response
    properties: tuple[Property, ...]
    keys: list[SortKey]
    where: Where = field(default_factory=Where)
    counted: Where | None = None  # the conditions before the cursor's (what numberMatched counts)
    bounded: bool = False  # within a bbox

    def within(self, bounds: tuple[float, float, float, float], crs: Crs) -> None:
        self.bounded = True
        spatial = self.collection.spatial_sql
        self.where.add(spatial.replace("{env}", envelope_sql(crs, self.storage_srid)),
                       *(list(bounds) * spatial.count("{env}")))

    def during(self, interval) -> None:
        c = self.collection
        if c.temporal is None:
            raise BadRequest(f"datetime: {c.id} has no temporal property")
        prop = c.property(c.temporal)
        start, end = interval
        if start is not None:
            self.where.add(f"{prop.sql} >= %s::{pg_type(prop)}", start)
        if end is not None:
            self.where.add(f"{prop.sql} <= %s::{pg_type(prop)}", end)

    def after(self, cursor: str) -> None:
        """Only features after the cursor of a `next` link (not counted in numberMatched)."""
        self.counted = Where(list(self.where.sql), list(self.where.params))
        after(self.collection, self.keys, decode_cursor(cursor, self.keys), self.where)

    @property
    def order(self) -> str:
        return ", ".join(k.order(self.collection) for k in self.keys)

    @property
    def _feature(self) -> str:
        """A feature as GeoJSON text."""
        c = self.collection
        return ("""'{"type":"Feature","id":' || """ + c.id_sql + """ || ',"geometry":' || """
                f"coalesce({geometry_sql(c, self.crs, self.storage_srid)}, 'null') || "
                f"""',"properties":' || {properties_sql(self.properties)} || '}}'""")

    def _columns(self, ids: bool = False) -> str:
        """Each feature as GeoJSON text (``feature_``; with ``ids``, its id, ``id_``), and
        its sort keys (k0, k1 …)."""
        keys = "".join(f", {k.sql(self.collection)} AS k{i}" for i, k in enumerate(self.keys))
        return f"{self.collection.id_sql if ids else self._feature} AS {'id_' if ids else 'feature_'}{keys}"

    def one(self, condition: str) -> str:
        """The feature matching ``condition`` (trusted SQL, its values as parameters), as
        GeoJSON text."""
        return f"SELECT {self._feature} FROM {self.collection.from_sql} WHERE {condition}"

    @property
    def shape(self) -> tuple | None:
        """What a feature's GeoJSON depends on besides its data (the collection, CRS and
        properties): the key its kept GeoJSON is filed under (``api.feature_cache``); None
        when the collection's features are never kept."""
        c = self.collection
        return (c.id, self.crs.uri, tuple(p.name for p in self.properties)) if c.versions else None

    def by_id(self, ids: list[int]) -> tuple[str, list]:
        """These features (id, GeoJSON text) and the collection's data versions, read in the
        same statement (the same snapshot)."""
        c = self.collection
        return (f"SELECT {c.id_sql}, {self._feature}, {self._versions} FROM {c.from_sql} "
                f"WHERE {c.id_sql} = ANY(%s)", [ids])

    @property
    def _versions(self) -> str:
        names = ", ".join(f"'{n}'" for n in self.collection.versions)  # trusted: the catalogue's
        return (f"(SELECT array_agg(version ORDER BY name) FROM data_versions "
                f"WHERE name IN ({names}))")

    def _base_first(self) -> bool:
        """Whether a page can be cut from the base table before the joins that only add
        properties (they are then made for that page's rows only)."""
        c = self.collection
        return c.single_base and not c.touches_joins(self.where.render() + self.order)

    def page(self, limit: int, offset: int = 0, ids: bool = False) -> tuple[str, list]:
        """A page as one row (read it with ``Page``); with ``ids``, of the features' ids."""
        c, conditions, params = self.collection, self.where.render(), [*self.where.params, limit + 1, offset]
        if self._base_first():
            inner = (f"SELECT * FROM {c.base_from_sql} WHERE {conditions} ORDER BY {self.order} "
                     "LIMIT %s OFFSET %s")
            rows = f"SELECT {self._columns(ids)} FROM {c.page_from(inner, joins=not ids)} ORDER BY {self.order}"
        else:
            rows = (f"SELECT {self._columns(ids)} FROM {c.from_sql} WHERE {conditions} "
                    f"ORDER BY {self.order} LIMIT %s OFFSET %s")
        return self._aggregated(rows, params, limit, ids=ids)

    def count(self) -> tuple[str, list]:
        where = self.counted or self.where
        return (f"SELECT count(*) FROM {self.collection.counting_from(where.render())} "
                f"WHERE {where.render()}", list(where.params))

    def capped_page(self, limit: int, cap: int, ids: bool = False) -> tuple[str, list] | None:
        """The first page and the number of matches in one query (``Page.matched``), valid
        when that number is at most ``cap``: the matches are gathered once, counted and
        sorted. None when the collection's joins forbid it. With ``ids``, of the features' ids."""
        if not self._base_first():
            return None
        c = self.collection
        alias = c.base_from_sql.split()[-1]
        inner = (f"SELECT * FROM (SELECT *, count(*) OVER () AS matched_ FROM (SELECT * FROM "
                 f"{c.base_from_sql} WHERE {self.where.render()} LIMIT {int(cap) + 1}) {alias}) "
                 f"{alias} ORDER BY {self.order} LIMIT %s")
        rows = (f"SELECT {self._columns(ids)}, {alias}.matched_ FROM {c.page_from(inner, joins=not ids)} "
                f"ORDER BY {self.order}")
        return self._aggregated(rows, [*self.where.params, limit + 1], limit, matched=True, ids=ids)

    def _aggregated(self, rows: str, params: list, limit: int, matched: bool = False,
                    ids: bool = False) -> tuple[str, list]:
        """Up to ``limit`` + 1 rows of features and their sort keys made one row: the first
        ``limit`` features joined by commas, how many rows there were, the sort keys of the
        ``limit``-th (a next page's cursor) and, with ``matched``, the number of matches.
        One row, not a hundred, crosses to the server process and is decoded there. With
        ``ids``, the features' ids (an array) instead of their GeoJSON, and last the data
        versions the features depend on, read in the same snapshot."""
        order = ", ".join(k.order(self.collection, f"k{i}") for i, k in enumerate(self.keys))
        keys = "".join(f", (array_agg(k{i}) FILTER (WHERE n_ = %s))[1]" for i in range(len(self.keys)))
        first = ("coalesce(array_agg(id_ ORDER BY n_) FILTER (WHERE n_ <= %s), '{}')" if ids else
                 "coalesce(string_agg(feature_, ',' ORDER BY n_) FILTER (WHERE n_ <= %s), '')")
        sql = (f"SELECT {first}, count(*){keys}{', max(matched_)' if matched else ''}"
               f"{', ' + self._versions if ids else ''} FROM "
               f"(SELECT *, row_number() OVER (ORDER BY {order}) AS n_ FROM ({rows}) rows_) page_")
        return sql, [limit, *[limit] * len(self.keys), *params]


@dataclass
class Page:
    """A page read from the row of ``FeatureQuery.page`` or ``capped_page``."""

    features_json: bytes  # the GeoJSON of its features, joined by commas
    returned: int  # how many features
    more: bool  # there is a next page
    last_keys: list | None  # the sort keys of the last feature, when there is a next page
    matched: int | None = None  # from capped_page

    @classmethod
    def read(cls, row: tuple, limit: int, matched: bool = False) -> Page:
        """From the one row of a page query (``Database.one``; of a page of ids, without its
        versions: ``features_json`` is then left empty, for ``api.feature_cache`` to fill)."""
        rows = row[1]
        more = rows > limit
        end = -1 if matched else None
        return cls(row[0].encode() if isinstance(row[0], str) else b"", min(rows, limit), more,
                   list(row[2:end]) if more else None, (row[-1] or 0) if matched else None)

    @property
    def features(self) -> list[dict]:
        """The features parsed (for HTML, CSV, CityJSON; GeoJSON passes them on as they are)."""
        return json.loads(b"[" + self.features_json + b"]")


def feature_collection(page: Page, links: list[dict], matched: int | None = None) -> bytes:
    """The GeoJSON FeatureCollection of a page, its features' GeoJSON as PostgreSQL wrote
    it (never parsed)."""
    head = {"type": "FeatureCollection", "numberReturned": page.returned, "links": links}
    if matched is not None:
        head["numberMatched"] = matched
    envelope = json.dumps(head, separators=(",", ":"), ensure_ascii=False).encode()
    return envelope[:-1] + b',"features":[' + page.features_json + b"]}"
