"""Rule 1 — inside the parcel: each proposed footprint within the parcel(s) it stands on."""

from __future__ import annotations

import shapely

from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import NO_DATA, OK, VIOLATION, Finding

TOLERANCE_M2 = 0.5  # drawing noise along a shared boundary


def check(ctx: Context) -> list[Finding]:
    findings = []
    for proposal in ctx.proposals:
        parcels = ctx.parcels_of(proposal)
        if not parcels:
            findings.append(Finding(
                "parcel_fit", VIOLATION, "The building stands on no parcel with established boundaries.",
                subject=proposal.label, value=proposal.footprint.area, limit=0, unit="m²",
                geometry=proposal.footprint))
            continue
        land = shapely.union_all([p.geometry for p in parcels])
        outside = proposal.footprint.difference(land)
        numbers = ", ".join(p.cadastral_number for p in parcels)
        if outside.area > TOLERANCE_M2:
            findings.append(Finding(
                "parcel_fit", VIOLATION,
                f"{outside.area:.1f} m² of the footprint lie outside parcel {numbers}.",
                subject=proposal.label, value=outside.area, limit=0, unit="m²",
                source="cadastre", geometry=outside, details={"parcels": [p.cadastral_number for p in parcels]}))
        else:
            findings.append(Finding(
                "parcel_fit", OK, f"The footprint lies within parcel {numbers}.",
                subject=proposal.label, value=max(outside.area, 0.0), limit=0, unit="m²",
                source="cadastre", details={"parcels": [p.cadastral_number for p in parcels]}))
    return findings or [Finding("parcel_fit", NO_DATA, "The scenario proposes no buildings.")]
