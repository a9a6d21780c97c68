"""Rule 9 — social infrastructure for residential proposals: the residents their flats
bring (residential floor area over the floor area a resident takes), the nearest
kindergarten, school and clinic against the normative walking distance (along the
imported streets, else the straight line × ``WALK_DETOUR``: ``citymodel.scenarios.walking``),
and the places within reach against the new demand where capacities are known."""

from __future__ import annotations

import shapely

from citymodel.planning import SERVICE_NORMS, WALK_DETOUR
from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import NOT_APPLICABLE, OK, VIOLATION, WARNING, Finding
from citymodel.scenarios.walking import Network


def check(ctx: Context) -> list[Finding]:
    homes = [p for p in ctx.proposals if p.residential_area > 0]
    if not homes:
        return [Finding("social", NOT_APPLICABLE, "The scenario proposes no flats.")]
    residents = ctx.residents
    site = shapely.union_all([p.footprint for p in homes])
    network = Network(ctx.streets)
    findings = []
    for norm in SERVICE_NORMS:
        walks = [(network.distance(site, s.point), s) for s in ctx.services if s.kind == norm.kind]
        candidates = [(walk, s) for (walk, how), s in walks]
        how = {s.id: how for (walk, how), s in walks}
        source = (f"СП 42.13330.2016: {norm.walk_m:g} m"
                  + ("; along the streets" if network else f"; straight line × {WALK_DETOUR:g}"))
        demand = residents * norm.per_thousand / 1000
        if not candidates:
            findings.append(Finding("social", VIOLATION,
                                    f"No {norm.label} is known within reach of the {residents} new residents.",
                                    subject=norm.label, limit=norm.walk_m, unit="m", source=source,
                                    details={"kind": norm.kind, "residents": residents}))
            continue
        walk, nearest = min(candidates, key=lambda c: c[0])
        within = [s for d, s in candidates if d <= norm.walk_m]
        known = [s.capacity for s in within if s.capacity is not None]
        details = {"kind": norm.kind, "residents": residents, "nearest_id": nearest.id,
                   "measured": how[nearest.id],
                   "nearest": nearest.name, "demand": round(demand, 1), "within_reach": len(within),
                   "capacity_within_reach": sum(known) if known else None, "unit": norm.unit}
        if walk > norm.walk_m:
            findings.append(Finding("social", VIOLATION,
                                    f"The nearest {norm.label} ({nearest.name}) is a {walk:.0f} m walk; "
                                    f"the norm is {norm.walk_m:g} m.", subject=norm.label, value=walk,
                                    limit=norm.walk_m, unit="m", source=source,
                                    geometry=shapely.shortest_line(site, nearest.point), details=details))
        elif known and demand > sum(known):
            findings.append(Finding("social", WARNING,
                                    f"{len(within)} {norm.label}(s) within {norm.walk_m:g} m have "
                                    f"{sum(known)} {norm.unit}; the {residents} new residents need "
                                    f"{demand:.0f} on their own.", subject=norm.label, value=demand,
                                    limit=sum(known), unit=norm.unit, source=source, details=details))
        else:
            findings.append(Finding("social", OK,
                                    f"{nearest.name} is a {walk:.0f} m walk (norm {norm.walk_m:g} m)"
                                    + (f"; {sum(known)} {norm.unit} within reach for a new demand of "
                                       f"{demand:.0f}." if known else "."),
                                    subject=norm.label, value=walk, limit=norm.walk_m, unit="m",
                                    source=source, details=details))
    return findings
