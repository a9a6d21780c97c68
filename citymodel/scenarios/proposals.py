"""What planners send: scenarios and proposed buildings, validated before anything is written.

A proposed footprint is a GeoJSON Polygon or MultiPolygon in longitude/latitude (CRS84):
valid (no self-intersection), with an area, near the city's data. Heights, floors, uses
and shares are checked here as the database checks them (migration 0007), so a bad
proposal is a 422 naming the field, never a half-written scenario.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import shapely
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from citymodel import geojson as geojson_
from citymodel.planning import MAX_PROPOSAL_HEIGHT_M, PROPOSAL_USES

MIN_FOOTPRINT_M2 = 1.0
MAX_FOOTPRINT_VERTICES = 2000
MAX_UPLOADED_PROPOSALS = 200  # buildings in one FeatureCollection sent at once


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ScenarioIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    published: bool = False


class ScenarioPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    published: bool | None = None


class BuildingProperties(Strict):
    height: float = Field(gt=0, le=MAX_PROPOSAL_HEIGHT_M, description="Metres above ground to the top")
    use: str = Field(description=f"One of: {', '.join(PROPOSAL_USES)}")
    floors: int | None = Field(default=None, ge=1, le=300)
    min_height: float = Field(default=0, ge=0, description="Base of a part over a podium, m")
    residential_share: float | None = Field(default=None, ge=0, le=1)
    floor_area: float | None = Field(default=None, gt=0, le=10_000_000, description="m², as designed")
    name: str | None = Field(default=None, max_length=200)

    @field_validator("height", "min_height", "residential_share", "floor_area")
    @classmethod
    def _finite(cls, value):
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("use")
    @classmethod
    def _use(cls, value: str) -> str:
        if value not in PROPOSAL_USES:
            raise ValueError(f"{value!r} is not a use; uses are: {', '.join(PROPOSAL_USES)}")
        return value

    @model_validator(mode="after")
    def _base(self):
        if self.min_height >= self.height:
            raise ValueError("min_height must be below height")
        return self


class Geometry(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    coordinates: list


class BuildingIn(Strict):
    """A GeoJSON Feature: the footprint and the building's properties."""

    type: str = Field(default="Feature", pattern="^Feature$")
    geometry: Geometry
    properties: BuildingProperties
    id: int | str | None = None

    def footprint(self) -> shapely.Geometry:
        """The footprint as a valid (Multi)Polygon in lon/lat; ValueError naming the problem."""
        return footprint_of(self.geometry.model_dump())


class BuildingsIn(Strict):
    """A GeoJSON FeatureCollection of proposed buildings: added all together or not at all."""

    type: Literal["FeatureCollection"]
    features: list[BuildingIn] = Field(min_length=1, max_length=MAX_UPLOADED_PROPOSALS)
    name: str | None = None  # as GeoJSON writers (QGIS, GDAL) name the layer; ignored


def _kind(value) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return "FeatureCollection" if kind == "FeatureCollection" else "Feature"


# one building (a Feature) or several (a FeatureCollection)
ProposalsIn = Annotated[Annotated[BuildingIn, Tag("Feature")] | Annotated[BuildingsIn, Tag("FeatureCollection")],
                        Discriminator(_kind)]


def footprint_of(geojson: dict) -> shapely.Geometry:
    if geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"geometry: expected a Polygon or MultiPolygon, got {geojson.get('type')!r}")
    try:
        shape = geojson_.shape(geojson)
    except geojson_.InvalidGeoJSON as exc:
        raise ValueError(f"geometry: {exc}") from None
    coords = shapely.get_coordinates(shape)
    if len(coords) > MAX_FOOTPRINT_VERTICES:
        raise ValueError(f"geometry: more than {MAX_FOOTPRINT_VERTICES} vertices")
    if shape.is_empty or not len(coords) or not (abs(coords[:, 0]) <= 180).all() \
            or not (abs(coords[:, 1]) <= 90).all():
        raise ValueError("geometry: coordinates must be longitude (−180…180) and latitude (−90…90)")
    if not shape.is_valid:
        raise ValueError(f"geometry: the footprint is not valid: {shapely.is_valid_reason(shape)}")
    return shape
