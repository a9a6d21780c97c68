"""Rule 11 — demolitions: the buildings the scenario removes, their floor area, and the
rights registered on them."""

from __future__ import annotations

import shapely

from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import NOT_APPLICABLE, OK, WARNING, Finding


def check(ctx: Context) -> list[Finding]:
    removed = [b for b in ctx.buildings if b.id in ctx.demolished]
    if not removed:
        return [Finding("demolitions", NOT_APPLICABLE, "The scenario demolishes nothing.")]
    findings = []
    for b in removed:
        status = WARNING if b.rights else OK
        findings.append(Finding(
            "demolitions", status,
            f"Building {b.id}{f' ({b.address})' if b.address else ''} is demolished: "
            f"{b.floor_area:,.0f} m² of floor area"
            + (f"; {b.rights} right(s) are registered on it." if b.rights else "."),
            subject=f"existing building {b.id}", value=b.floor_area, unit="m²",
            source="ЕГРН" if b.rights else None, geometry=b.footprint,
            details={"building_id": b.id, "rights": b.rights}))
    total = sum(b.floor_area for b in removed)
    shapes = [b.footprint for b in removed if b.footprint is not None]
    findings.append(Finding("demolitions", WARNING if any(b.rights for b in removed) else OK,
                            f"{len(removed)} building(s) demolished, {total:,.0f} m² of floor area.",
                            value=total, unit="m²", geometry=shapely.union_all(shapes) if shapes else None,
                            details={"count": len(removed)}))
    return findings
