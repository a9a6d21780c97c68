"""Rule 10 — legal and property risks of each parcel a proposal stands on: encumbrances
(leases, mortgages, arrests), who owns it, its register state, a lot in progress on it,
and the register's linear objects (pipes, cables) crossing it. (A parcel whose
boundaries are not established cannot be stood on: rule 1 says so.)"""

from __future__ import annotations

from citymodel.records import ENCUMBRANCE_PREFIX, IN_PROGRESS_LOT_STATUSES
from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import OK, WARNING, Finding
from citymodel.scenarios.rules.coverage import involved_parcels

OPEN_LOT_STATUSES = IN_PROGRESS_LOT_STATUSES  # an auction not yet decided is a risk
REGISTERED_STATES = ("01", "06")  # ранее учтённый, учтённый


def check(ctx: Context) -> list[Finding]:
    findings = []
    for parcel in involved_parcels(ctx):
        risks = []
        for e in ctx.encumbrances:
            if e.parcel_id == parcel.id and e.type_code.startswith(ENCUMBRANCE_PREFIX):
                risks.append(Finding("legal", WARNING,
                                     f"{parcel.label} is encumbered: {e.type_name or e.type_code}"
                                     f"{f' ({e.registration_number})' if e.registration_number else ''}.",
                                     subject=parcel.label, source="ЕГРН",
                                     details={"type_code": e.type_code, "holder_kind": e.holder_kind}))
        owners = set(parcel.owner_kinds)
        if owners and owners != {"public"}:
            risks.append(Finding("legal", WARNING,
                                 f"{parcel.label} is not the city's alone (owners: "
                                 f"{', '.join(sorted(owners))}).", subject=parcel.label, source="ЕГРН",
                                 details={"owner_kinds": sorted(owners)}))
        if parcel.state and parcel.state not in REGISTERED_STATES:
            risks.append(Finding("legal", WARNING, f"{parcel.label} has register state {parcel.state}.",
                                 subject=parcel.label, source="ЕГРН"))
        for lot in ctx.lots:
            if lot.parcel_id == parcel.id and lot.status in OPEN_LOT_STATUSES:
                risks.append(Finding("legal", WARNING,
                                     f"{parcel.label} is in auction {lot.notice_number}/{lot.lot_number} "
                                     f"({lot.status}).", subject=parcel.label, source="torgi.gov.ru"))
        for c in ctx.constructions:
            crossing = c.lines.intersection(parcel.geometry)
            if not crossing.is_empty:
                risks.append(Finding("legal", WARNING,
                                     f"{c.use or 'A linear object'} {c.cadastral_number or ''} crosses "
                                     f"{parcel.label} ({crossing.length:.0f} m).", subject=parcel.label,
                                     value=crossing.length, unit="m", source="ЕГРН", geometry=crossing))
        findings += risks or [Finding("legal", OK, f"No encumbrance, auction or network is registered "
                                                   f"on {parcel.label}.", subject=parcel.label)]
    return findings
