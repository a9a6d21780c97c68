"""Rule 8 — sunlight of neighbours: the façade points of residential buildings around the
proposals that met the insolation norm before the scenario and fail it after (a violation
the proposal causes), and those that failed already (context, not blame). A screening
calculation (see ``citymodel.scenarios.insolation``), not a certified one."""

from __future__ import annotations

from datetime import date

import numpy as np
import shapely

from citymodel.planning import RESIDENTIAL_USES, insolation_norm
from citymodel.scenarios import insolation as sunlight
from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import NO_DATA, NOT_APPLICABLE, OK, VIOLATION, Finding

MAX_REACH_M = 500.0
SHADOW_FACTOR = 6.0  # a building's shadow reaches about 6× its height when the sun is 10° up


def reach_m(tallest: float) -> float:
    """How far around the proposals neighbours are checked: grows with their height."""
    return min(MAX_REACH_M, max(50.0, SHADOW_FACTOR * tallest))


def reach(ctx: Context) -> float:
    return reach_m(max((p.height for p in ctx.proposals), default=0.0))


def check(ctx: Context, step_min: float = sunlight.STEP_MIN) -> list[Finding]:
    if not ctx.proposals and not ctx.demolished:
        return [Finding("insolation", NOT_APPLICABLE, "The scenario changes no building.")]
    if ctx.frame is None:
        return [Finding("insolation", NO_DATA, "The scenario has no place on the map.")]
    norm = insolation_norm(ctx.frame.lat)
    source = f"СанПиН 1.2.3685-21, {norm.zone} zone"
    day = date(date.today().year, norm.month, norm.day)
    changed = shapely.union_all([p.footprint for p in ctx.proposals]
                                + [b.footprint for b in ctx.buildings if b.id in ctx.demolished])
    around = changed.buffer(reach(ctx))
    neighbours = [b for b in ctx.buildings if b.use in RESIDENTIAL_USES and b.footprint is not None
                  and b.id not in ctx.demolished and b.footprint.intersects(around)]
    if not neighbours:
        return [Finding("insolation", NOT_APPLICABLE,
                        f"No residential building stands within {reach(ctx):.0f} m.", source=source)]
    points, normals, owner = [], [], []
    for k, b in enumerate(neighbours):
        p, n = sunlight.facade_points(b.footprint)
        points.append(p)
        normals.append(n)
        owner += [k] * len(p)
    points, normals, owner = np.concatenate(points), np.concatenate(normals), np.array(owner)
    sun = sunlight.sun_positions(ctx.frame.lon, ctx.frame.lat, day, ctx.timezone, step_min)
    before = sunlight.scene([(b.footprint, b.min_height, b.height) for b in ctx.buildings])
    after = sunlight.scene([(b.footprint, b.min_height, b.height) for b in ctx.remaining()]
                           + [(p.footprint, p.min_height, p.height) for p in ctx.proposals])
    ok_before = sunlight.meets(norm, *sunlight.periods(sunlight.sunlit(points, normals, sun, before), step_min))
    longest, total = sunlight.periods(sunlight.sunlit(points, normals, sun, after), step_min)
    ok_after = sunlight.meets(norm, longest, total)
    lost = ok_before & ~ok_after
    findings = []
    for k, b in enumerate(neighbours):
        mine = owner == k
        if not lost[mine].any():
            continue
        which = np.flatnonzero(mine & lost)
        findings.append(Finding(
            "insolation", VIOLATION,
            f"Residential building {b.id}{f' ({b.address})' if b.address else ''}: {len(which)} of "
            f"{mine.sum()} façade points lose the norm ({norm.continuous_h:g} h continuous or "
            f"{norm.interrupted_h:g} h in all) on {day:%d %B}.",
            subject=f"existing building {b.id}", value=float(longest[which].min()),
            limit=norm.continuous_h, unit="h", source=source,
            geometry=shapely.union_all([b.footprint, shapely.MultiPoint(points[which, :2])]),
            details={"building_id": b.id, "points": int(mine.sum()), "lose_norm": len(which),
                     "failed_before": int((mine & ~ok_before).sum()),
                     "lost_points": np.round(points[which, :2], 2).tolist()}))
    failed_before = int((~ok_before).sum())
    findings.append(Finding(
        "insolation", VIOLATION if findings else OK,
        f"{len(neighbours)} residential buildings within {reach(ctx):.0f} m checked at "
        f"{len(points)} façade points on {day:%d %B}: {int(lost.sum())} lose the norm because of "
        f"the scenario; {failed_before} were below it already (context, not caused by it). "
        "A screening calculation, not a certified one.",
        value=float(lost.sum()), limit=0, unit="points", source=source,
        details={"buildings": len(neighbours), "points": len(points), "lose_norm": int(lost.sum()),
                 "failed_before": failed_before, "sun_positions": len(sun.vectors),
                 "step_min": step_min}))
    return findings
