"""A scenario's report: its findings, counted, with the totals scenarios are compared by."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import STATUSES, Finding, worst

SCREENING_NOTE = ("A screening of the proposal against the data in the city model, not a "
                  "certified assessment: the rules, norms and data it used are named on each line.")


def totals(ctx: Context, findings: list[Finding]) -> dict:
    """What scenarios are compared by."""
    floor = sum(p.total_floor_area for p in ctx.proposals)
    residential = sum(p.residential_area for p in ctx.proposals)
    demolished = [b for b in ctx.buildings if b.id in ctx.demolished]
    counts = Counter(f.status for f in findings)
    coverage = [f.value for f in findings if f.rule == "coverage" and f.value is not None]
    density = [f.value for f in findings if f.rule == "density" and f.value is not None]
    return {
        "buildings": len(ctx.proposals),
        "footprint_m2": round(sum(p.footprint.area for p in ctx.proposals), 1),
        "floor_area_m2": round(floor, 1),
        "residential_area_m2": round(residential, 1),
        "residents": ctx.residents,
        "max_height_m": max((p.height for p in ctx.proposals), default=None),
        "coverage_pct": round(max(coverage), 1) if coverage else None,
        "density": round(max(density), 2) if density else None,
        "demolished": len(demolished),
        "demolished_floor_area_m2": round(sum(b.floor_area for b in demolished), 1),
        "violations": counts["violation"],
        "warnings": counts["warning"],
    }


def build(ctx: Context, findings: list[Finding], versions: dict) -> dict:
    """The report as stored and served (geometries in lon/lat)."""
    to_lonlat = ctx.frame.to_lonlat if ctx.frame else None
    counts = Counter(f.status for f in findings)
    return {
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions,
        "status": worst(findings),
        "summary": {status: counts[status] for status in STATUSES},
        "totals": totals(ctx, findings),
        "findings": [f.as_dict(to_lonlat) for f in findings],
        "note": SCREENING_NOTE,
    }
