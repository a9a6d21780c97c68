"""Rule 7 — restriction and heritage zones crossed by a proposed footprint: a violation
each, with the zone's registry number and restriction text."""

from __future__ import annotations

from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import OK, VIOLATION, Finding

KIND_TEXT = {"restriction": "the zone with special conditions of use",
             "heritage": "the heritage protection zone", "other": "the zone"}


def check(ctx: Context) -> list[Finding]:
    findings = []
    for proposal in ctx.proposals:
        crossed = False
        for zone in ctx.zones:
            if zone.kind == "territorial" or zone.geometry is None:
                continue
            overlap = proposal.footprint.intersection(zone.geometry)
            if overlap.area <= 0.01:
                continue
            crossed = True
            findings.append(Finding(
                "zones", VIOLATION,
                f"The footprint crosses {KIND_TEXT.get(zone.kind, 'the zone')} "
                f"{zone.registry_number or zone.zone_code or ''} ({overlap.area:.1f} m²)"
                + (f": {zone.restrictions}" if zone.restrictions else "."),
                subject=proposal.label, value=overlap.area, limit=0, unit="m²",
                source=zone.registry_number or zone.label, geometry=overlap,
                details={"zone_id": zone.id, "kind": zone.kind, "name": zone.name,
                         "registry_number": zone.registry_number, "restrictions": zone.restrictions}))
        if not crossed:
            findings.append(Finding("zones", OK, "The footprint crosses no restriction or heritage zone.",
                                    subject=proposal.label))
    return findings
