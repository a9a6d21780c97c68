"""What a check finds: a status, the measured value against its limit, and where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely

OK, WARNING, VIOLATION, NOT_APPLICABLE, NO_DATA = (
    "ok", "warning", "violation", "not_applicable", "no_data")
STATUSES = (OK, WARNING, VIOLATION, NOT_APPLICABLE, NO_DATA)  # the report's order of concern
SEVERITY = {VIOLATION: 4, WARNING: 3, NO_DATA: 2, OK: 1, NOT_APPLICABLE: 0}

# The rules, in the order a report lists them.
RULES = ("parcel_fit", "setbacks", "height", "floors", "coverage", "density", "permitted_use",
         "zones", "insolation", "social", "legal", "demolitions")


@dataclass
class Finding:
    """One rule's verdict on one subject (a proposed building, a parcel, a zone …)."""

    rule: str  # one of RULES
    status: str  # one of STATUSES
    message: str  # one sentence
    subject: str | None = None  # "building 3", "parcel 77:01:0001001:4"
    value: float | None = None  # measured
    limit: float | None = None
    unit: str | None = None
    source: str | None = None  # where the limit comes from: "zone Ж-1", "СанПиН 1.2.3685-21"
    geometry: shapely.Geometry | None = None  # in the context's local CRS
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    def as_dict(self, to_lonlat=None) -> dict:
        """JSON-ready; ``to_lonlat`` turns the local geometry into lon/lat for GeoJSON."""
        geometry = None
        if self.geometry is not None and not self.geometry.is_empty:
            g = to_lonlat(self.geometry) if to_lonlat else self.geometry
            geometry = shapely.geometry.mapping(shapely.set_precision(g, 1e-7))
        return {"rule": self.rule, "status": self.status, "message": self.message,
                "subject": self.subject, "value": _round(self.value), "limit": _round(self.limit),
                "unit": self.unit, "source": self.source, "geometry": geometry,
                "details": self.details}


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def worst(findings: list[Finding]) -> str:
    """The most serious status among findings (not_applicable when there are none)."""
    return max((f.status for f in findings), key=SEVERITY.__getitem__, default=NOT_APPLICABLE)
