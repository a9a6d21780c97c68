"""Rule 2 — setbacks: the least distance from a footprint to its parcel's boundary against
the territorial zone's ``min_setback_m``."""

from __future__ import annotations

import shapely

from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import OK, VIOLATION, Finding
from citymodel.scenarios.rules._limits import zone_limit


def check(ctx: Context) -> list[Finding]:
    findings = []
    for proposal in ctx.proposals:
        parcels = ctx.parcels_of(proposal)
        if not parcels:
            continue  # rule 1 says so
        zone = ctx.territorial_zone(parcels[0])
        limit, status, why = zone_limit(zone, "min_setback_m")
        land = shapely.union_all([p.geometry for p in parcels])
        boundary = land.boundary
        inside = proposal.footprint.intersection(land)
        distance = 0.0 if proposal.footprint.difference(land).area > 0.5 else inside.distance(boundary)
        if limit is None:
            findings.append(Finding("setbacks", status, f"The setback {why}.", subject=proposal.label,
                                    value=distance, unit="m", source=zone.label if zone else None))
            continue
        if distance + 1e-6 >= limit:
            findings.append(Finding("setbacks", OK,
                                    f"The building stands {distance:.1f} m from the parcel's boundary "
                                    f"(at least {limit:g} m).", subject=proposal.label, value=distance,
                                    limit=limit, unit="m", source=zone.label))
            continue
        too_close = proposal.footprint.intersection(boundary.buffer(limit))
        findings.append(Finding("setbacks", VIOLATION,
                                f"The building comes {distance:.1f} m from the parcel's boundary; "
                                f"{zone.label} requires {limit:g} m.", subject=proposal.label,
                                value=distance, limit=limit, unit="m", source=zone.label,
                                geometry=too_close))
    return findings
