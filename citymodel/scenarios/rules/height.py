"""Rule 3 — height and floors against the territorial zone's ``max_height_m`` and
``max_floors``."""

from __future__ import annotations

from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import OK, VIOLATION, Finding
from citymodel.scenarios.rules._limits import zone_limit


def check(ctx: Context) -> list[Finding]:
    findings = []
    for proposal in ctx.proposals:
        parcels = ctx.parcels_of(proposal)
        zone = ctx.territorial_zone(parcels[0]) if parcels else None
        for rule, name, value, unit, what in (
                ("height", "max_height_m", proposal.height, "m", "height"),
                ("floors", "max_floors", float(proposal.storeys), "floors", "number of floors")):
            limit, status, why = zone_limit(zone, name)
            if limit is None:
                findings.append(Finding(rule, status, f"The {what} {why}.", subject=proposal.label,
                                        value=value, unit=unit, source=zone.label if zone else None))
            elif value <= limit + 1e-9:
                findings.append(Finding(rule, OK, f"The {what} ({value:g} {unit}) is within "
                                                  f"{zone.label}'s {limit:g} {unit}.",
                                        subject=proposal.label, value=value, limit=limit, unit=unit,
                                        source=zone.label))
            else:
                findings.append(Finding(rule, VIOLATION, f"The {what} ({value:g} {unit}) exceeds "
                                                         f"{zone.label}'s {limit:g} {unit}.",
                                        subject=proposal.label, value=value, limit=limit, unit=unit,
                                        source=zone.label, geometry=proposal.footprint))
    return findings
