"""Rule 4 — coverage: the footprints of the buildings that remain on a parcel and of the
proposed ones, over the parcel's area, against the zone's ``max_coverage_pct``.
Rule 5 — density: their floor area over the parcel's area, in thousand m² per hectare,
against the zone's ``max_density`` (1 thousand m²/ha = 0.1 m² of floor per m² of land)."""

from __future__ import annotations

import shapely

from citymodel.scenarios.context import Context, Parcel
from citymodel.scenarios.findings import OK, VIOLATION, Finding
from citymodel.scenarios.rules._limits import zone_limit


def involved_parcels(ctx: Context) -> list[Parcel]:
    seen: dict[int, Parcel] = {}
    for proposal in ctx.proposals:
        for parcel in ctx.parcels_of(proposal):
            seen.setdefault(parcel.id, parcel)
    return list(seen.values())


def _on_parcel(ctx: Context, parcel: Parcel):
    """What stands on the parcel in the scenario: (footprints clipped to it, floor area)."""
    shapes, floor_area = [], 0.0
    for b in ctx.remaining():
        if b.parcel_id == parcel.id and b.footprint is not None:
            shapes.append(b.footprint.intersection(parcel.geometry))
            floor_area += b.floor_area
    for p in ctx.proposals:
        part = p.footprint.intersection(parcel.geometry)
        if part.area > 0:
            shapes.append(part)
            floor_area += p.total_floor_area * part.area / p.footprint.area
    return shapely.union_all(shapes) if shapes else shapely.Polygon(), floor_area


def _rule(ctx: Context, rule: str, name: str, measure, unit: str, what: str) -> list[Finding]:
    findings = []
    for parcel in involved_parcels(ctx):
        built, floor_area = _on_parcel(ctx, parcel)
        value = measure(built.area, floor_area, parcel.geometry.area)
        zone = ctx.territorial_zone(parcel)
        limit, status, why = zone_limit(zone, name)
        source = zone.label if zone else None
        if limit is None:
            findings.append(Finding(rule, status, f"The {what} {why}.", subject=parcel.label,
                                    value=value, unit=unit, source=source))
        elif value <= limit + 1e-9:
            findings.append(Finding(rule, OK, f"The {what} is {value:.1f} {unit} of {limit:g} allowed.",
                                    subject=parcel.label, value=value, limit=limit, unit=unit, source=source))
        else:
            findings.append(Finding(rule, VIOLATION, f"The {what} is {value:.1f} {unit}, over "
                                                     f"{source}'s {limit:g}.", subject=parcel.label,
                                    value=value, limit=limit, unit=unit, source=source, geometry=built))
    return findings


def check_coverage(ctx: Context) -> list[Finding]:
    return _rule(ctx, "coverage", "max_coverage_pct",
                 lambda built, floor, land: 100.0 * built / land, "%", "built-up share")


def check_density(ctx: Context) -> list[Finding]:
    return _rule(ctx, "density", "max_density",
                 lambda built, floor, land: floor / land * 10.0, "thousand m²/ha", "density")
