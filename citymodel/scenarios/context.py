"""What the checks look at, in a local metric CRS: plain data, built from PostGIS by
:mod:`citymodel.scenarios.load` or by hand in a test.

The local CRS is a transverse Mercator centred on the proposals (scale error under a
millionth within a few kilometres), so areas and distances are in metres as drawn.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely

from citymodel.planning import FLOOR_AREA_PER_RESIDENT_M2, PROPOSAL_USES, STOREY_M


@dataclass
class Proposal:
    id: int
    footprint: shapely.Geometry  # (Multi)Polygon, local metres
    height: float  # metres above ground to the top
    use: str  # one of citymodel.planning.PROPOSAL_USES
    floors: int | None = None
    min_height: float = 0.0
    residential_share: float | None = None  # of the floor area; None: by use (1 or 0)
    floor_area: float | None = None  # m², as given; None: floors × footprint
    name: str | None = None

    @property
    def label(self) -> str:
        return f"building {self.name or self.id}"

    @property
    def storeys(self) -> int:
        return self.floors if self.floors else max(1, round((self.height - self.min_height) / STOREY_M))

    @property
    def total_floor_area(self) -> float:
        return self.floor_area if self.floor_area is not None else self.storeys * self.footprint.area

    @property
    def residential_area(self) -> float:
        share = self.residential_share
        if share is None:
            share = 1.0 if PROPOSAL_USES[self.use].residential else 0.0
        return share * self.total_floor_area


@dataclass
class Zone:
    id: int
    kind: str  # territorial | restriction | heritage | other
    geometry: shapely.Geometry | None
    zone_code: str | None = None
    name: str | None = None
    registry_number: str | None = None
    restrictions: str | None = None
    max_height_m: float | None = None
    max_floors: int | None = None
    max_coverage_pct: float | None = None
    max_density: float | None = None  # thousand m² of floor area per hectare
    min_setback_m: float | None = None
    limits_text: dict[str, str] = field(default_factory=dict)
    permitted_uses: list[str] | None = None

    @property
    def label(self) -> str:
        return f"zone {self.zone_code or self.registry_number or self.id}"


@dataclass
class Parcel:
    id: int
    cadastral_number: str
    geometry: shapely.Geometry | None  # None: boundaries not established
    permitted_use: str | None = None
    permitted_use_text: str | None = None
    state: str | None = None  # register state: 01 registered, 05 temporary, 06 …
    owner_kinds: tuple[str, ...] = ()  # holder kinds of its rights (not encumbrances)

    @property
    def label(self) -> str:
        return f"parcel {self.cadastral_number}"


@dataclass
class Building:
    """An existing building of the city."""

    id: int
    footprint: shapely.Geometry | None
    height: float
    floors: int | None = None
    min_height: float = 0.0
    use: str | None = None
    parcel_id: int | None = None
    address: str | None = None
    rights: int = 0  # rights and encumbrances registered on it

    @property
    def floor_area(self) -> float:
        if self.footprint is None:
            return 0.0
        storeys = self.floors or max(1, round((self.height - self.min_height) / STOREY_M))
        return storeys * self.footprint.area


@dataclass
class Encumbrance:
    parcel_id: int
    type_code: str
    type_name: str | None
    registration_number: str | None
    holder_kind: str  # no names: the checks never need them


@dataclass
class Lot:
    parcel_id: int
    notice_number: str
    lot_number: int
    status: str | None


@dataclass
class Construction:
    """A linear object of the register (pipe, cable) that may cross a parcel."""

    id: int
    cadastral_number: str | None
    use: str | None
    lines: shapely.Geometry


@dataclass
class Service:
    id: int
    category: str
    kind: str
    name: str | None
    point: shapely.Geometry
    capacity: int | None = None


@dataclass
class Context:
    proposals: list[Proposal]
    parcels: list[Parcel] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)  # existing, around the proposals
    demolished: set[int] = field(default_factory=set)  # ids of buildings marked for demolition
    encumbrances: list[Encumbrance] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    constructions: list[Construction] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)  # near the proposals
    streets: list[shapely.Geometry] = field(default_factory=list)  # walkable ways near them
    frame: LocalFrame | None = None
    timezone: str = "Europe/Moscow"  # the city's: the sun's hours are its wall-clock hours
    floor_area_per_resident: float = FLOOR_AREA_PER_RESIDENT_M2  # m² of flats a resident takes

    @property
    def residents(self) -> int:
        return int(sum(p.residential_area for p in self.proposals) // self.floor_area_per_resident)

    def parcels_of(self, proposal: Proposal) -> list[Parcel]:
        """The parcel a proposal stands on: the one its footprint overlaps most (by more
        than a square metre), as a list (empty when there is none). A footprint reaching
        into a neighbouring parcel does not make that parcel its own: rule 1 reports it."""
        found = [(p.geometry.intersection(proposal.footprint).area, p) for p in self.parcels
                 if p.geometry is not None and p.geometry.intersects(proposal.footprint)]
        best = max(found, key=lambda t: t[0], default=(0.0, None))
        return [best[1]] if best[0] > 1.0 else []

    def territorial_zone(self, parcel: Parcel) -> Zone | None:
        """The territorial zone that holds most of the parcel."""
        if parcel.geometry is None:
            return None
        found = [(z.geometry.intersection(parcel.geometry).area, z) for z in self.zones
                 if z.kind == "territorial" and z.geometry is not None
                 and z.geometry.intersects(parcel.geometry)]
        return max(found, key=lambda t: t[0])[1] if found else None

    def remaining(self) -> list[Building]:
        return [b for b in self.buildings if b.id not in self.demolished]


@dataclass(frozen=True)
class LocalFrame:
    """A transverse Mercator centred at ``lon, lat``: lon/lat ↔ local metres."""

    lon: float
    lat: float

    @property
    def crs(self) -> pyproj.CRS:
        return pyproj.CRS.from_proj4(f"+proj=tmerc +lat_0={self.lat} +lon_0={self.lon} +k=1 "
                                     "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")

    def _transform(self, geometry: shapely.Geometry, inverse: bool) -> shapely.Geometry:
        t = _transformer(self.lon, self.lat, inverse)
        return shapely.transform(geometry, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))

    def to_local(self, geometry: shapely.Geometry) -> shapely.Geometry:
        return self._transform(geometry, inverse=False)

    def to_lonlat(self, geometry: shapely.Geometry) -> shapely.Geometry:
        return self._transform(geometry, inverse=True)


@functools.lru_cache(maxsize=64)
def _transformer(lon: float, lat: float, inverse: bool) -> pyproj.Transformer:
    local = LocalFrame(lon, lat).crs
    return pyproj.Transformer.from_crs(local if inverse else 4326, 4326 if inverse else local,
                                       always_xy=True)
